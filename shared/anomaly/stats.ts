/**
 * Special functions, continuous distributions and the Wilson interval, in plain TypeScript (no
 * dependency): the one statistics home of the anomaly detector and of the experiments method. Tail
 * probabilities are natural logarithms so that very strong evidence (p far below 1e-300) still
 * ranks correctly.
 *
 * Kept rather than taken from a library (checked: jstat, @stdlib): jstat has no log-domain tails
 * (its normal tail is −Infinity in logs past z ≈ 38) and its t quantile is off in the 8th digit,
 * less accurate than the bisection here; the @stdlib single-function packages are accurate, but
 * the six this file would use pull 244 packages (27 MB) into node_modules and about 227 KB of
 * minified code into the anomaly task's bundle (129 KB today), for some 150 lines; and the count
 * tails in counts.ts (beta-binomial, negative binomial, in logs) are in neither. tests/shared/anomaly/stats.test.ts checks every
 * function against mpmath and scipy values to the accuracy each method claims.
 */

const LANCZOS_G = 7;
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
  -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
] as const;
const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/** log Γ(x) for x > 0 (Lanczos approximation, about 15 significant digits). */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  const y = x - 1;
  let a = LANCZOS[0];
  for (let i = 1; i < LANCZOS.length; i++) a += LANCZOS[i]! / (y + i);
  const t = y + LANCZOS_G + 0.5;
  return HALF_LOG_2PI + (y + 0.5) * Math.log(t) - t + Math.log(a);
}

/** log B(a, b), the beta function. */
export function logBeta(a: number, b: number): number {
  return logGamma(a) + logGamma(b) - logGamma(a + b);
}

/** log of the binomial coefficient C(n, k). */
export function logChoose(n: number, k: number): number {
  return logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1);
}

/** log of P(Z > z) for a standard normal Z, accurate far into the tail. */
export function logNormalSf(z: number): number {
  if (z < 0) return Math.log1p(-Math.exp(logNormalSf(-z)));
  // Chebyshev fit of erfc (Numerical Recipes `erfcc`, relative error below 1.2e-7), kept in logs.
  const x = z / Math.SQRT2;
  const t = 1 / (1 + 0.5 * x);
  const poly =
    -1.26551223 +
    t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  return Math.log(0.5) + Math.log(t) - x * x + poly;
}

const QA = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239] as const;
const QB = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1] as const;
const QC = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783] as const;
const QD = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416] as const;

/** The z with P(Z ≤ z) = p, 0 < p < 1 (Acklam's rational approximation, relative error ~1e-9). */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`normalQuantile needs 0 < p < 1, got ${p}`);
  const tail = (q: number): number =>
    (((((QC[0] * q + QC[1]) * q + QC[2]) * q + QC[3]) * q + QC[4]) * q + QC[5]) / ((((QD[0] * q + QD[1]) * q + QD[2]) * q + QD[3]) * q + 1);
  if (p < 0.02425) return tail(Math.sqrt(-2 * Math.log(p)));
  if (p > 1 - 0.02425) return -tail(Math.sqrt(-2 * Math.log1p(-p)));
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((QA[0] * r + QA[1]) * r + QA[2]) * r + QA[3]) * r + QA[4]) * r + QA[5]) * q) /
    (((((QB[0] * r + QB[1]) * r + QB[2]) * r + QB[3]) * r + QB[4]) * r + 1)
  );
}

// Modified Lentz evaluation of the continued fraction of the incomplete beta function
// (Numerical Recipes `betacf`).
function betaContinuedFraction(a: number, b: number, x: number): number {
  const tiny = 1e-300;
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 500; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const step = d * c;
    h *= step;
    if (Math.abs(step - 1) < 1e-15) break;
  }
  return h;
}

/** log of the regularized incomplete beta function I_x(a, b). */
export function logIncompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return -Infinity;
  if (x >= 1) return 0;
  const front = a * Math.log(x) + b * Math.log1p(-x) - logBeta(a, b);
  if (x < (a + 1) / (a + b + 2)) return front + Math.log(betaContinuedFraction(a, b, x) / a);
  return Math.log1p(-Math.exp(front) * (betaContinuedFraction(b, a, 1 - x) / b));
}

// Series of the lower regularized gamma P(a, x), for x < a + 1 (Numerical Recipes `gser`).
function gammaSeries(a: number, x: number): number {
  let term = 1 / a;
  let sum = term;
  for (let n = 1; n <= 1000; n++) {
    term *= x / (a + n);
    sum += term;
    if (Math.abs(term) < Math.abs(sum) * 1e-16) break;
  }
  return sum;
}

// Modified Lentz evaluation of the continued fraction of the upper regularized gamma Q(a, x), for
// x ≥ a + 1 (Numerical Recipes `gcf`).
function gammaContinuedFraction(a: number, x: number): number {
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i <= 1000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const step = d * c;
    h *= step;
    if (Math.abs(step - 1) < 1e-16) break;
  }
  return h;
}

/** log of the upper regularized incomplete gamma function Q(a, x) = Γ(a, x) / Γ(a), a > 0. */
export function logUpperGammaRegularized(a: number, x: number): number {
  if (!(a > 0)) throw new RangeError(`logUpperGammaRegularized needs a > 0, got ${a}`);
  if (x <= 0) return 0;
  const front = a * Math.log(x) - x - logGamma(a);
  if (x < a + 1) return Math.log1p(-Math.exp(front + Math.log(gammaSeries(a, x))));
  return front + Math.log(gammaContinuedFraction(a, x));
}

/** log of P(X > x) for a chi-square X with `df` degrees of freedom (df > 0). */
export function logChiSquareSf(x: number, df: number): number {
  return logUpperGammaRegularized(df / 2, x / 2);
}

/** log of P(T > t) for Student's t with `df` degrees of freedom. */
export function logStudentTSf(t: number, df: number): number {
  if (t < 0) return Math.log1p(-Math.exp(logStudentTSf(-t, df)));
  return Math.log(0.5) + logIncompleteBeta(df / (df + t * t), df / 2, 0.5);
}

/** The t with P(T ≤ t) = p for Student's t with `df` degrees of freedom, 0.5 ≤ p < 1 (bisection). */
export function studentTQuantile(p: number, df: number): number {
  if (!(p >= 0.5 && p < 1)) throw new RangeError(`studentTQuantile needs 0.5 <= p < 1, got ${p}`);
  const target = Math.log1p(-p);
  let lo = 0;
  let hi = 1;
  while (logStudentTSf(hi, df) > target) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-12 * hi; i++) {
    const mid = (lo + hi) / 2;
    if (logStudentTSf(mid, df) > target) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** A closed interval. */
export interface Interval {
  readonly lower: number;
  readonly upper: number;
}

/**
 * Wilson score interval for a binomial proportion: the set of proportions p0 that a score test at
 * critical value z would not reject given `successes` out of `trials`. Unlike the Wald interval it
 * stays inside [0, 1] and behaves at small counts. No trials: the whole [0, 1].
 */
export function wilsonInterval(successes: number, trials: number, z: number): Interval {
  if (trials <= 0) return { lower: 0, upper: 1 };
  const p = successes / trials;
  const z2n = (z * z) / trials;
  const centre = (p + z2n / 2) / (1 + z2n);
  const half = (z * Math.sqrt((p * (1 - p)) / trials + z2n / (4 * trials))) / (1 + z2n);
  return { lower: Math.max(0, centre - half), upper: Math.min(1, centre + half) };
}
