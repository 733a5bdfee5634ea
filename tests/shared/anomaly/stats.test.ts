import { logBeta, logChiSquareSf, logChoose, logGamma, logIncompleteBeta, logNormalSf, logStudentTSf, logUpperGammaRegularized, normalQuantile, studentTQuantile, wilsonInterval } from '../../../shared/anomaly/stats';

describe('wilsonInterval', () => {
  it('matches the hand-computed 95% interval for 10 of 100', () => {
    const { lower, upper } = wilsonInterval(10, 100, 1.959964);
    expect(lower).toBeCloseTo(0.0552, 4);
    expect(upper).toBeCloseTo(0.1744, 4);
  });

  it('starts at 0 for no successes, with upper bound z²/(n + z²)', () => {
    const z = 1.959964;
    const { lower, upper } = wilsonInterval(0, 10, z);
    expect(lower).toBe(0);
    expect(upper).toBeCloseTo((z * z) / (10 + z * z), 10);
  });

  it('is the whole unit interval without trials', () => {
    expect(wilsonInterval(0, 0, 1.96)).toEqual({ lower: 0, upper: 1 });
  });
});

describe('normal and Student t', () => {
  it('gives the textbook quantiles', () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 6);
    expect(normalQuantile(0.5)).toBeCloseTo(0, 9);
    expect(normalQuantile(0.001)).toBeCloseTo(-3.090232, 5);
    expect(studentTQuantile(0.975, 10)).toBeCloseTo(2.228139, 5);
    expect(studentTQuantile(0.975, 1)).toBeCloseTo(12.706205, 4);
  });

  it('keeps far normal tails in logs (P(Z > 10) = 7.6199e-24)', () => {
    expect(Math.exp(logNormalSf(1.959964))).toBeCloseTo(0.025, 6);
    expect(logNormalSf(10)).toBeCloseTo(Math.log(7.619853e-24), 4);
    expect(Math.exp(logNormalSf(-1.959964))).toBeCloseTo(0.975, 6);
  });

  it('has heavier t tails than normal ones', () => {
    expect(Math.exp(logStudentTSf(2.228139, 10))).toBeCloseTo(0.025, 6);
    expect(logStudentTSf(4, 10)).toBeGreaterThan(logNormalSf(4));
  });

  it('computes log Γ', () => {
    expect(logGamma(1)).toBeCloseTo(0, 12);
    expect(logGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 12);
    expect(logGamma(10)).toBeCloseTo(Math.log(362880), 10);
    expect(logGamma(100)).toBeCloseTo(359.1342053696, 8);
  });
});

/**
 * Reference values computed independently, not with this code: mpmath 1.3.0 at 50 significant
 * digits (`mp.dps = 50`: loggamma, log(beta), log(binomial), log(erfc(z/√2)/2),
 * √2·erfinv(2p − 1), log(betainc(a, b, 0, x, regularized=True)), the Student t tail as
 * betainc(df/2, 1/2, 0, df/(df + t²))/2 and log(gammainc(a, x, inf, regularized=True))), Student
 * t quantiles from scipy 1.17.1 `stats.t.ppf`, Wilson intervals from scipy's
 * `binomtest(k, n).proportion_ci(method='wilson')`, chi-square tails from scipy's `stats.chi2.sf`.
 * Each tolerance is the accuracy the method claims (see shared/anomaly/stats.ts), so a regression
 * shows.
 */
function within(actual: number, expected: number, tolerance: { abs?: number; rel?: number }): void {
  const allowed = Math.max(tolerance.abs ?? 0, (tolerance.rel ?? 0) * Math.abs(expected));
  if (!(Math.abs(actual - expected) <= allowed)) throw new Error(`${actual} is not within ${allowed} of ${expected}`);
}

describe('reference values (mpmath and scipy)', () => {
  it('log Γ to 15 significant digits (Lanczos)', () => {
    const refs = [[0.1, 2.252712651734206], [1.5, -0.12078223763524522], [3.7, 1.428072326665388], [25.5, 56.389167643719944], [1000, 5905.220423209181], [100000, 1051287.7089736569]] as const;
    for (const [x, v] of refs) within(logGamma(x), v, { rel: 1e-14, abs: 1e-15 });
  });

  it('log B(a, b) and log C(n, k), up to n = 10⁶', () => {
    const betas = [[0.5, 0.5, 1.1447298858494002], [2.5, 10000, -22.74135554696871], [300.2, 700.8, -613.1451193359663]] as const;
    for (const [a, b, v] of betas) within(logBeta(a, b), v, { rel: 1e-13 });
    const chooses = [[10000, 37, 241.38530013015483], [1000000, 500000, 693140.0470130637], [52, 5, 14.77062192297037]] as const;
    for (const [n, k, v] of chooses) within(logChoose(n, k), v, { rel: 1e-13 });
  });

  it('log P(Z > z) within the erfc fit’s 1.2e-7 relative error, out to z = 100', () => {
    const refs = [[-2, -0.02301290932896349], [0, -0.6931471805599453], [1, -1.8410216450092636], [3, -6.607726221510349], [8, -35.01343715991455], [20, -203.91715537109727], [40, -804.6084420137538], [100, -5005.524208694205]] as const;
    for (const [z, v] of refs) within(logNormalSf(z), v, { abs: 1.2e-7 });
  });

  it('normal quantiles within Acklam’s 1.15e-9 relative error, down to p = 1e-300', () => {
    const refs = [[1e-300, -37.0470962993612], [1e-10, -6.361340902404057], [0.001, -3.0902323061678136], [0.025, -1.9599639845400543], [0.3, -0.5244005127080408], [0.9, 1.2815515655446006], [0.999999, 4.753424308817087]] as const;
    for (const [p, v] of refs) within(normalQuantile(p), v, { rel: 1.2e-9 });
    expect(normalQuantile(0.5)).toBe(0);
  });

  it('the regularized incomplete beta, the Student t tail and its quantile to 12 digits', () => {
    const betas = [[0.3, 2, 5, -0.545028945107489], [0.9, 0.5, 0.5, -0.22920282758111513], [0.0001, 3, 200, -13.527808775792744], [0.99, 40, 2, -0.06554119751884482]] as const;
    for (const [x, a, b, v] of betas) within(logIncompleteBeta(x, a, b), v, { abs: 1e-12 });
    const tails = [[2, 3, -2.6640861743156115], [10, 5, -9.367300803627712], [50, 30, -69.14393740545138], [-1, 4, -0.2069632649545148], [0.5, 1000, -1.1757335116817929]] as const;
    for (const [t, df, v] of tails) within(logStudentTSf(t, df), v, { abs: 1e-12 });
    const quantiles = [[0.975, 2, 4.302652729749462], [0.995, 7, 3.4994832973504924], [0.9999, 3, 22.203742273205], [0.6, 50, 0.254699342988588]] as const;
    for (const [p, df, v] of quantiles) within(studentTQuantile(p, df), v, { rel: 1e-12 });
  });

  it('Wilson 95% intervals as scipy computes them', () => {
    const z = 1.959963984540054; // scipy's norm.ppf(0.975)
    const refs = [[0, 10, 0, 0.27753279986288926], [3, 7, 0.1582198552514697, 0.7495416354723428], [10, 100, 0.05522913706067508, 0.17436566150491345], [95, 100, 0.8882495307680809, 0.978456320845632], [1, 20000, 8.82628227297485e-6, 0.0002831905702260402]] as const;
    for (const [k, n, lower, upper] of refs) {
      const w = wilsonInterval(k, n, z);
      within(w.lower, lower, { abs: 1e-14 });
      within(w.upper, upper, { abs: 1e-14 });
    }
  });

  it('the upper regularized gamma Q(a, x) in logs to 12 digits, both sides of x = a + 1 and far in the tail', () => {
    const refs = [
      [0.5, 0.1, -0.4235463234759657],
      [1, 1, -1],
      [2.5, 1, -0.16352527559465035],
      [0.5, 30, -32.28898703270474],
      [1, 50, -50],
      [3, 0.01, -1.654216664896508e-7],
      [10, 12, -1.4171983616525794],
      [100, 80, -0.01725635110645819],
      [100, 130, -5.896005881125902],
      [0.5, 400, -403.56934333410425],
      [1.5, 1e-6, -7.522523269951111e-10],
    ] as const;
    for (const [a, x, v] of refs) within(logUpperGammaRegularized(a, x), v, { abs: 1e-12, rel: 1e-12 });
    expect(logUpperGammaRegularized(2, 0)).toBe(0);
  });

  it('chi-square tails as scipy computes them, to 1e-12 relative', () => {
    const refs = [[6.4, 1, 0.01141203638600166], [10.83, 1, 0.0009986863791802592], [19.2, 1, 1.1771339097615006e-5], [3.84, 2, 0.14660696213035013], [20, 3, 0.00016974243555282632], [1000, 1, 1.7958327848007363e-219]] as const;
    for (const [x, df, p] of refs) within(logChiSquareSf(x, df), Math.log(p), { abs: 1e-12, rel: 1e-12 });
  });
});
