import fc from 'fast-check';
import { confidenceSequenceHalfWidth, hasEnoughData, inferLift, logMixtureLikelihoodRatio, minimumArmCount, mixtureRho, relativeLift } from '../../../shared/experiments/sequential';

function within(actual: number, expected: number, tolerance: number): void {
  if (!(Math.abs(actual - expected) <= tolerance)) throw new Error(`${actual} is not within ${tolerance} of ${expected}`);
}

describe('mixtureRho', () => {
  it('is sqrt((−2 ln α + ln(1 − 2 ln α)) / N*), as numpy computes it for α = 0.05', () => {
    // numpy: np.sqrt((-2*np.log(a) + np.log(-2*np.log(a) + 1)) / N) for N = 5000 and 1000.
    within(mixtureRho(0.05, 5000), 0.03984006677137368, 1e-15);
    within(mixtureRho(0.05, 1000), 0.08908509752892212, 1e-15);
  });
});

describe('the asymptotic confidence sequence against GrowthBook gbstats test vectors', () => {
  // packages/stats/tests/frequentist/test_tests.py, TestSequentialTTest (growthbook/growthbook):
  // expected values rounded to 5 decimals by the test (DECIMALS = 5).
  it('test_sequential_test_runs_prop: 1396/3000 vs 2422/3461, N* = 5000 → 0.50386 (0.40098, 0.60675), sd 0.03386', () => {
    const control = { successes: 1396, exposures: 3000 };
    const treatment = { successes: 2422, exposures: 3461 };
    const estimate = relativeLift(control, treatment)!;
    within(estimate.lift, 0.50386, 5e-6);
    within(Math.sqrt(estimate.variance), 0.03386, 5e-6);
    const inference = inferLift(control, treatment, { alpha: 0.05, rho: mixtureRho(0.05, 5000), comparisons: 1 })!;
    within(inference.lower, 0.40098, 5e-6);
    within(inference.upper, 0.60675, 5e-6);
    // gbstats rounds this p-value to 0.0.
    expect(inference.pValue).toBeLessThan(5e-6);
  });

  it('test_sequential_test_runs: sample means with N* = 1000 → 0.50336 (−0.55844, 1.56516)', () => {
    // The vector's SampleMeanStatistic inputs; its variance is the n − 1 sample variance, and the
    // relative lift's variance the same delta method (gbstats utils.variance_of_ratios).
    const arm = (sum: number, sumSquares: number, n: number) => ({ mean: sum / n, variance: (sumSquares - (sum * sum) / n) / (n - 1), n });
    const a = arm(1396.87, 52377.9767, 3000);
    const b = arm(2422.7, 134698.29, 3461);
    const lift = b.mean / a.mean - 1;
    const variance = b.variance / b.n / a.mean ** 2 + (a.variance * b.mean ** 2) / a.n / a.mean ** 4;
    within(lift, 0.50336, 5e-6);
    within(Math.sqrt(variance), 0.33341, 5e-6);
    const half = confidenceSequenceHalfWidth(variance, a.n + b.n, mixtureRho(0.05, 1000), 0.05);
    within(lift - half, -0.55844, 5e-6);
    within(lift + half, 1.56516, 5e-6);
  });
});

describe('the mixture likelihood ratio and the interval are one test', () => {
  const control = { successes: 400, exposures: 4000 };
  const treatment = { successes: 498, exposures: 4000 };
  const rho = mixtureRho(0.05, 5000);

  it('matches the mixture integral ∫ exp(λS − λ²n/2) dN(0, ρ²)(λ) computed numerically', () => {
    // Independent route: the definition of the normal-mixture martingale on standardized
    // increments, integrated by the trapezoid rule, against the closed form.
    const { lift, variance, n } = relativeLift(control, treatment)!;
    const s = (n * lift) / Math.sqrt(variance * n);
    const centre = (s * rho * rho) / (1 + n * rho * rho);
    const sd = rho / Math.sqrt(1 + n * rho * rho);
    const steps = 20000;
    const lo = centre - 14 * sd;
    const h = (28 * sd) / steps;
    let integral = 0;
    for (let i = 0; i <= steps; i++) {
      const lambda = lo + i * h;
      const f = Math.exp(lambda * s - (lambda * lambda * n) / 2 - (lambda * lambda) / (2 * rho * rho)) / (rho * Math.sqrt(2 * Math.PI));
      integral += (i === 0 || i === steps ? 0.5 : 1) * f * h;
    }
    within(logMixtureLikelihoodRatio(lift, 0, variance, n, rho), Math.log(integral), 1e-9);
  });

  it('puts the interval ends where the likelihood ratio reaches 1/α (found by bisection)', () => {
    const { lift, variance, n } = relativeLift(control, treatment)!;
    for (const alpha of [0.05, 0.025, 0.001]) {
      // Solve log Λ(θ) = −ln α for θ above the estimate by bisection, not by the closed form.
      let lo = lift;
      let hi = lift + 10;
      for (let i = 0; i < 200; i++) {
        const mid = (lo + hi) / 2;
        if (logMixtureLikelihoodRatio(lift, mid, variance, n, rho) < -Math.log(alpha)) lo = mid;
        else hi = mid;
      }
      within(lift + confidenceSequenceHalfWidth(variance, n, rho, alpha), lo, 1e-12);
    }
  });

  it('gives the numpy values of this pair: lift 0.245, interval (0.004804, 0.485196), p 0.042018; Bonferroni over 2: (−0.013814, 0.503814), p 0.084037', () => {
    // numpy, the formulas of docs/experiments.md written out independently.
    const one = inferLift(control, treatment, { alpha: 0.05, rho, comparisons: 1 })!;
    within(one.lift, 0.245, 1e-12);
    within(one.lower, 0.004804466570989457, 1e-12);
    within(one.upper, 0.48519553342901034, 1e-12);
    within(one.pValue, 0.04201836891131619, 1e-12);
    const two = inferLift(control, treatment, { alpha: 0.05, rho, comparisons: 2 })!;
    within(two.lower, -0.013813785997725647, 1e-12);
    within(two.upper, 0.5038137859977254, 1e-12);
    within(two.pValue, 0.08403673782263238, 1e-12);
  });

  it('has p < α exactly when the interval excludes 0, for any counts and number of comparisons', () => {
    const arm = fc.integer({ min: 20, max: 200_000 }).chain((exposures) => fc.record({ exposures: fc.constant(exposures), successes: fc.integer({ min: 10, max: exposures - 10 }) }));
    fc.assert(
      fc.property(arm, arm, fc.integer({ min: 1, max: 5 }), fc.integer({ min: 100, max: 1_000_000 }), (c, t, comparisons, tuning) => {
        const r = inferLift(c, t, { alpha: 0.05, rho: mixtureRho(0.05, tuning), comparisons })!;
        const excludes = r.lower > 0 || r.upper < 0;
        // Away from the boundary itself (floating point), both say the same.
        if (Math.abs(r.pValue - 0.05) > 1e-9) expect(r.pValue < 0.05).toBe(excludes);
        expect(r.lower).toBeLessThanOrEqual(r.lift);
        expect(r.upper).toBeGreaterThanOrEqual(r.lift);
        expect(r.lower).toBeGreaterThanOrEqual(-1);
      }),
      { numRuns: 500, seed: 15 },
    );
  });
});

describe('the minimum-data rule', () => {
  it(`needs ${minimumArmCount} successes and ${minimumArmCount} failures in each arm`, () => {
    expect(hasEnoughData({ successes: 10, exposures: 20 })).toBe(true);
    expect(hasEnoughData({ successes: 9, exposures: 1000 })).toBe(false);
    expect(hasEnoughData({ successes: 991, exposures: 1000 })).toBe(false);
    const rho = mixtureRho(0.05, 5000);
    expect(inferLift({ successes: 9, exposures: 100 }, { successes: 50, exposures: 100 }, { alpha: 0.05, rho, comparisons: 1 })).toBeNull();
    expect(inferLift({ successes: 10, exposures: 100 }, { successes: 50, exposures: 100 }, { alpha: 0.05, rho, comparisons: 1 })).not.toBeNull();
  });

  it('has no relative lift without control successes or without exposures', () => {
    expect(relativeLift({ successes: 0, exposures: 100 }, { successes: 5, exposures: 100 })).toBeNull();
    expect(relativeLift({ successes: 5, exposures: 100 }, { successes: 0, exposures: 0 })).toBeNull();
  });
});
