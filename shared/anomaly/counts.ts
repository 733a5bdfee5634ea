/**
 * Count distributions for the detector's tests: a binomial or Poisson whose rate itself varies
 * from day to day (beta-binomial, negative binomial), with exact tail sums kept in logarithms.
 */
import { logBeta, logChoose, logGamma } from './stats';

/**
 * A discrete distribution on 0..max, described the way the tail sums below need it. Every
 * instance is log-concave (unimodal with geometrically shrinking tails), which is what lets a tail
 * sum stop once its terms no longer matter.
 */
export interface CountDistribution {
  readonly mean: number;
  readonly variance: number;
  /** Largest value with positive probability (Infinity when unbounded). */
  readonly max: number;
  logPmf(k: number): number;
  /** pmf(k + 1) / pmf(k). */
  ratio(k: number): number;
}

// A tail sum stops when a term adds less than this share; with log-concave terms the rest is
// bounded by a geometric series and does not change the result at double precision.
const TAIL_EPSILON = 1e-17;

/**
 * Beta-binomial count out of n trials with mean proportion p whose day-to-day spread adds
 * `extraVariance` (a variance of the proportion) on top of binomial sampling: the variance of the
 * count is n p (1 - p) + n² extraVariance. The overdispersion is capped so both beta shape
 * parameters stay at least 1 (log-concave); at zero extra variance it is the plain binomial.
 */
export function betaBinomial(n: number, p: number, extraVariance: number): CountDistribution {
  if (!(p > 0 && p < 1)) throw new RangeError(`betaBinomial needs 0 < p < 1, got ${p}`);
  const pq = p * (1 - p);
  const wanted = n > 1 && extraVariance > 0 ? (n * extraVariance) / ((n - 1) * pq) : 0;
  const rho = Math.min(wanted, Math.min(p, 1 - p) / (1 + Math.min(p, 1 - p)));
  // Below this correlation the beta parameters exceed ~1e9 and the binomial is exact enough.
  if (rho < 1e-9) {
    const logP = Math.log(p);
    const logQ = Math.log1p(-p);
    return {
      mean: n * p,
      variance: n * pq,
      max: n,
      logPmf: (k) => logChoose(n, k) + k * logP + (n - k) * logQ,
      ratio: (k) => ((n - k) / (k + 1)) * (p / (1 - p)),
    };
  }
  const alpha = (p * (1 - rho)) / rho;
  const beta = ((1 - p) * (1 - rho)) / rho;
  const logB = logBeta(alpha, beta);
  return {
    mean: n * p,
    variance: n * pq * (1 + (n - 1) * rho),
    max: n,
    logPmf: (k) => logChoose(n, k) + logBeta(k + alpha, n - k + beta) - logB,
    ratio: (k) => ((n - k) / (k + 1)) * ((k + alpha) / (n - k - 1 + beta)),
  };
}

/**
 * Negative binomial (gamma-mixed Poisson) count with the given mean and relative extra variance
 * c²: the variance is mean + c² mean². c² is capped at 1 (size ≥ 1, log-concave); at zero it is
 * the Poisson.
 */
export function negativeBinomial(mean: number, relativeExtraVariance: number): CountDistribution {
  if (!(mean > 0)) throw new RangeError(`negativeBinomial needs a positive mean, got ${mean}`);
  const c2 = Math.min(Math.max(relativeExtraVariance, 0), 1);
  if (c2 < 1e-12) {
    const logMean = Math.log(mean);
    return {
      mean,
      variance: mean,
      max: Infinity,
      logPmf: (k) => k * logMean - mean - logGamma(k + 1),
      ratio: (k) => mean / (k + 1),
    };
  }
  const size = 1 / c2;
  const logPSuccess = Math.log(size / (size + mean));
  const logPFail = Math.log(mean / (size + mean));
  const q = mean / (size + mean);
  return {
    mean,
    variance: mean + c2 * mean * mean,
    max: Infinity,
    logPmf: (k) => logGamma(k + size) - logGamma(size) - logGamma(k + 1) + size * logPSuccess + k * logPFail,
    ratio: (k) => ((k + size) / (k + 1)) * q,
  };
}

/** log P(X ≤ k). */
export function logLowerTail(dist: CountDistribution, k: number): number {
  if (k < 0) return -Infinity;
  if (k >= dist.max) return 0;
  if (k >= dist.mean) return Math.log1p(-Math.exp(logUpperTail(dist, k + 1)));
  // Sum pmf(k), pmf(k-1), … relative to pmf(k); below the mean the terms only shrink.
  let term = 1;
  let sum = 1;
  for (let j = k; j > 0; j--) {
    term /= dist.ratio(j - 1);
    sum += term;
    if (term < sum * TAIL_EPSILON) break;
  }
  return dist.logPmf(k) + Math.log(sum);
}

/** log P(X ≥ k). */
export function logUpperTail(dist: CountDistribution, k: number): number {
  if (k <= 0) return 0;
  if (k > dist.max) return -Infinity;
  if (k <= dist.mean) return Math.log1p(-Math.exp(logLowerTail(dist, k - 1)));
  let term = 1;
  let sum = 1;
  for (let j = k; j < dist.max; j++) {
    term *= dist.ratio(j);
    sum += term;
    if (term < sum * TAIL_EPSILON) break;
  }
  return dist.logPmf(k) + Math.log(sum);
}
