import { logGamma, logNormalSf, logStudentTSf, normalQuantile, studentTQuantile, wilsonInterval } from '../../../shared/anomaly/stats';

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
