import {
  betaBinomial,
  logGamma,
  logLowerTail,
  logNormalSf,
  logStudentTSf,
  logUpperTail,
  negativeBinomial,
  normalQuantile,
  studentTQuantile,
  wilsonInterval,
} from '../../../shared/anomaly/stats';

// Independent oracles: exact factorials and sums written out plainly.
const factorial = (n: number): number => (n <= 1 ? 1 : n * factorial(n - 1));
const choose = (n: number, k: number): number => factorial(n) / (factorial(k) * factorial(n - k));
const betaInt = (a: number, b: number): number => (factorial(a - 1) * factorial(b - 1)) / factorial(a + b - 1);

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

describe('count tails', () => {
  it('beta-binomial tails equal exact sums (n = 10, p = 0.25, beta shapes 2 and 6)', () => {
    // correlation ρ = 1/9 gives shapes α = 2, β = 6; extra variance = ρ (n − 1) p (1 − p) / n.
    const dist = betaBinomial(10, 0.25, ((1 / 9) * 9 * 0.25 * 0.75) / 10);
    const pmf = (k: number): number => (choose(10, k) * betaInt(k + 2, 10 - k + 6)) / betaInt(2, 6);
    expect(Math.exp(logLowerTail(dist, 1))).toBeCloseTo(42 / 272 + 420 / 2040, 10);
    expect(Math.exp(logUpperTail(dist, 9))).toBeCloseTo(pmf(9) + pmf(10), 12);
    expect(Math.exp(logLowerTail(dist, 5))).toBeCloseTo([0, 1, 2, 3, 4, 5].reduce((s, k) => s + pmf(k), 0), 10);
    expect(dist.variance).toBeCloseTo(10 * 0.25 * 0.75 * (1 + 9 / 9), 10);
  });

  it('is the binomial without extra variance', () => {
    const dist = betaBinomial(20, 0.3, 0);
    const exact = [0, 1, 2].reduce((s, k) => s + choose(20, k) * 0.3 ** k * 0.7 ** (20 - k), 0);
    expect(Math.exp(logLowerTail(dist, 2))).toBeCloseTo(exact, 12);
  });

  it('negative binomial tails equal exact sums (mean 4, size 4)', () => {
    const dist = negativeBinomial(4, 0.25);
    expect(Math.exp(logLowerTail(dist, 0))).toBeCloseTo(1 / 16, 12);
    expect(Math.exp(logLowerTail(dist, 1))).toBeCloseTo(1 / 16 + 4 * 0.5 * (1 / 16), 12);
    // pmf(k) = C(k + 3, 3) 0.5^(k + 4)
    const below12 = Array.from({ length: 12 }, (_, k) => choose(k + 3, 3) * 0.5 ** (k + 4)).reduce((a, b) => a + b, 0);
    expect(Math.exp(logUpperTail(dist, 12))).toBeCloseTo(1 - below12, 12);
  });

  it('is the Poisson without extra variance, far into the tail', () => {
    expect(Math.exp(logLowerTail(negativeBinomial(3, 0), 0))).toBeCloseTo(Math.exp(-3), 12);
    // P(X ≥ 60) for Poisson(10): log pmf(60) from a plain sum of logs, then the shrinking terms.
    let logPmf60 = -10 + 60 * Math.log(10);
    for (let k = 2; k <= 60; k++) logPmf60 -= Math.log(k);
    let term = 1;
    let sum = 0;
    for (let k = 60; k < 200; k++) {
      sum += term;
      term *= 10 / (k + 1);
    }
    const expected = logPmf60 + Math.log(sum);
    expect(logUpperTail(negativeBinomial(10, 0), 60)).toBeCloseTo(expected, 8);
  });
});
