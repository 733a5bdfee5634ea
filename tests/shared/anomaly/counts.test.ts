import { betaBinomial, logLowerTail, logUpperTail, negativeBinomial } from '../../../shared/anomaly/counts';

// Independent oracles: exact factorials and sums written out plainly.
const factorial = (n: number): number => (n <= 1 ? 1 : n * factorial(n - 1));
const choose = (n: number, k: number): number => factorial(n) / (factorial(k) * factorial(n - k));
const betaInt = (a: number, b: number): number => (factorial(a - 1) * factorial(b - 1)) / factorial(a + b - 1);

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

describe('count tails against reference values', () => {
  // log tail probabilities summed term by term in mpmath 1.3.0 at 60 significant digits
  // (log C(n, k), log B, loggamma in mp arithmetic; sums until a term is below 1e-40 of the total).
  // scipy 1.17.1's betabinom.logsf(249, …) gives −13.2435769, 1.7e-6 off: the exact sum is the oracle.
  it('beta-binomial far tails (n = 5000, p = 0.02, intra-day correlation 0.001)', () => {
    const n = 5000;
    const p = 0.02;
    const rho = 0.001;
    const dist = betaBinomial(n, p, (rho * (n - 1) * p * (1 - p)) / n);
    expect(logUpperTail(dist, 250)).toBeCloseTo(-13.243578641020209, 9);
    expect(logLowerTail(dist, 20)).toBeCloseTo(-13.733189381561502, 9);
  });

  it('negative binomial far tails (mean 50, size 10)', () => {
    const dist = negativeBinomial(50, 0.1);
    expect(logUpperTail(dist, 400)).toBeCloseTo(-47.70420669217203, 9);
    expect(logLowerTail(dist, 2)).toBeCloseTo(-14.056280356844466, 9);
  });

  it('Poisson and binomial tails with a large mean (1000)', () => {
    const poisson = negativeBinomial(1000, 0);
    expect(logLowerTail(poisson, 800)).toBeCloseTo(-24.15598833746088, 9);
    expect(logUpperTail(poisson, 1300)).toBeCloseTo(-44.122053699481434, 9);
    const binomial = betaBinomial(100000, 0.01, 0);
    expect(logLowerTail(binomial, 800)).toBeCloseTo(-24.361708412926696, 9);
    expect(logUpperTail(binomial, 1300)).toBeCloseTo(-44.58042972227896, 9);
  });
});
