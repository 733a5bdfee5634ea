import { ConfigError, InputError } from '../../../shared/errors';
import { controlOf, evaluateExperiments, evaluateRange } from '../../../shared/experiments/evaluate';
import { inferLift, mixtureRho } from '../../../shared/experiments/sequential';
import type { DailyExperimentCount } from '../../../shared/experiments/types';
import { createRandom } from '../../../shared/random';
import { experimentColumns } from '../../../shared/schema/columns';
import type { ExperimentRow } from '../../../shared/schema/types';
import { addDays } from '../../../shared/time';

const start = '2025-03-03';
const day = (d: number): string => addDays(start, d);
const row = (d: number, variant: string, exposures: number, successes: number, extra: Partial<DailyExperimentCount> = {}): DailyExperimentCount => ({
  dt: day(d),
  experiment_id: 'button-wording',
  variant,
  metric: 'ctr',
  exposures,
  successes,
  ...extra,
});
/** `days` days of the same daily counts per variant. */
const daily = (days: number, arms: Record<string, [number, number]>, extra: Partial<DailyExperimentCount> = {}): DailyExperimentCount[] =>
  Array.from({ length: days }, (_, d) => Object.entries(arms).map(([variant, [n, s]]) => row(d, variant, n, s, extra))).flat();
const byVariant = (rows: readonly ExperimentRow[]): Record<string, ExperimentRow> => Object.fromEntries(rows.map((r) => [r.variant, r]));
const level = (comparisons: number) => ({ alpha: 0.05, rho: mixtureRho(0.05, 5000), comparisons });

describe('evaluateExperiments on hand-made histories', () => {
  it('declares a clear winner, cumulative from the first day, with every column in schema order', () => {
    const rows = evaluateExperiments(daily(3, { control: [2000, 200], b: [2000, 300] }), day(2));
    expect(rows.map((r) => Object.keys(r))).toEqual([0, 1].map(() => experimentColumns.map((c) => c.name)));
    const { control, b } = byVariant(rows);
    expect(control).toEqual({
      experiment_id: 'button-wording',
      variant: 'control',
      metric: 'ctr',
      exposures: 6000,
      successes: 600,
      rate: 0.1,
      control_variant: 'control',
      control_rate: 0.1,
      lift: null,
      lift_lower: null,
      lift_upper: null,
      p_value: null,
      decision: 'inconclusive',
      srm_p_value: 1,
      days_running: 3,
    });
    const expected = inferLift({ exposures: 6000, successes: 600 }, { exposures: 6000, successes: 900 }, level(1))!;
    expect(b).toMatchObject({ exposures: 6000, successes: 900, rate: 0.15, control_rate: 0.1, decision: 'winner', days_running: 3 });
    expect(b!.lift).toBeCloseTo(0.5, 12);
    expect(b!.lift_lower).toBe(expected.lower);
    expect(b!.lift_upper).toBe(expected.upper);
    expect(b!.p_value).toBe(expected.pValue);
    expect(b!.lift_lower!).toBeGreaterThan(0);
    expect(b!.p_value!).toBeLessThan(0.05);
  });

  it('declares a loser when the whole interval is below 0', () => {
    const { b } = byVariant(evaluateExperiments(daily(3, { control: [2000, 200], b: [2000, 140] }), day(2)));
    expect(b!.decision).toBe('loser');
    expect(b!.lift).toBeCloseTo(-0.3, 12);
    expect(b!.lift_upper!).toBeLessThan(0);
  });

  it('leaves an A/A experiment inconclusive with p = 1', () => {
    const { b } = byVariant(evaluateExperiments(daily(5, { control: [2000, 200], b: [2000, 200] }), day(4)));
    expect(b).toMatchObject({ lift: 0, p_value: 1, decision: 'inconclusive' });
    expect(b!.lift_lower!).toBeLessThan(0);
    expect(b!.lift_upper!).toBeGreaterThan(0);
  });

  it('marks every row srm when the exposures break the declared 50/50, never a winner', () => {
    const rows = evaluateExperiments(daily(3, { control: [2600, 260], b: [1400, 420] }, { declared_split: '{"control":50,"b":50}' }), day(2));
    expect(rows.map((r) => r.decision)).toEqual(['srm', 'srm']);
    for (const r of rows) expect(r.srm_p_value!).toBeLessThan(0.001);
    // The lift and its interval are still shown: b would have won.
    expect(byVariant(rows).b!.lift_lower!).toBeGreaterThan(0);
  });

  it('tests the split the latest sends declared', () => {
    const history = [row(0, 'control', 1000, 100, { declared_split: '{"control":1,"b":1}' }), row(0, 'b', 1000, 100), row(1, 'control', 7000, 700, { declared_split: { control: 80, b: 20 } }), row(1, 'b', 1000, 100)];
    // Day 1: 8,000 / 2,000 is exactly the 80/20 declared that day; against 50/50 it would be srm.
    expect(evaluateExperiments(history, day(1)).map((r) => [r.decision, r.srm_p_value])).toEqual([
      ['inconclusive', 1],
      ['inconclusive', 1],
    ]);
    expect(evaluateExperiments(history.map(({ declared_split: _, ...r }) => r), day(1))[0]!.decision).toBe('srm');
  });

  it('corrects across variants: a winner against one variant is not one among two (Bonferroni)', () => {
    const two = byVariant(evaluateExperiments([row(0, 'control', 4000, 400), row(0, 'b', 4000, 498)], day(0)));
    const three = byVariant(evaluateExperiments([row(0, 'control', 4000, 400), row(0, 'b', 4000, 498), row(0, 'c', 4000, 400)], day(0)));
    // Reference values from numpy (tests/shared/experiments/sequential.test.ts).
    expect(two.b!.decision).toBe('winner');
    expect(two.b!.p_value).toBeCloseTo(0.04201836891131619, 12);
    expect(three.b!.decision).toBe('inconclusive');
    expect(three.b!.p_value).toBeCloseTo(0.08403673782263238, 12);
    expect(three.b!.lift_lower).toBeCloseTo(-0.013813785997725647, 12);
    expect(three.c).toMatchObject({ lift: 0, p_value: 1, decision: 'inconclusive', control_variant: 'control' });
  });

  it('takes the first variant in plain string order as control when none is named control', () => {
    expect(controlOf(['blue', 'Green'])).toBe('Green');
    expect(controlOf(['beta', 'alpha', 'gamma'])).toBe('alpha');
    expect(controlOf(['treatment', 'control', 'a'])).toBe('control');
    const rows = evaluateExperiments([row(0, 'blue', 2000, 300), row(0, 'Green', 2000, 200)], day(0));
    expect(rows.map((r) => [r.variant, r.control_variant])).toEqual([
      ['Green', 'Green'],
      ['blue', 'Green'],
    ]);
    expect(rows[1]!.lift).toBeCloseTo(0.5, 12);
  });

  it('puts the control first, then the other variants in plain string order', () => {
    const rows = evaluateExperiments([row(0, 'zeta', 100, 10), row(0, 'control', 100, 10), row(0, 'Alpha', 100, 10), row(0, 'beta', 100, 10)], day(0));
    expect(rows.map((r) => r.variant)).toEqual(['control', 'Alpha', 'beta', 'zeta']);
  });

  it('leaves a single-variant experiment inconclusive with nulls where nothing is defined', () => {
    expect(evaluateExperiments([row(0, 'control', 500, 50), row(1, 'control', 500, 60)], day(1))).toEqual([
      {
        experiment_id: 'button-wording',
        variant: 'control',
        metric: 'ctr',
        exposures: 1000,
        successes: 110,
        rate: 0.11,
        control_variant: 'control',
        control_rate: 0.11,
        lift: null,
        lift_lower: null,
        lift_upper: null,
        p_value: null,
        decision: 'inconclusive',
        srm_p_value: null,
        days_running: 2,
      },
    ]);
  });

  it('keeps a day without exposures: null rates, then counts from the next day, days still running', () => {
    const history = [row(0, 'control', 0, 0), row(0, 'b', 0, 0), row(1, 'control', 2000, 200), row(1, 'b', 2000, 200)];
    const [first, second] = evaluateRange(history, day(0), day(1));
    expect(first!.rows.map((r) => [r.exposures, r.rate, r.control_rate, r.lift, r.p_value, r.srm_p_value, r.decision, r.days_running])).toEqual([
      [0, null, null, null, null, null, 'inconclusive', 1],
      [0, null, null, null, null, null, 'inconclusive', 1],
    ]);
    expect(second!.rows.map((r) => [r.exposures, r.rate, r.days_running])).toEqual([
      [2000, 0.1, 2],
      [2000, 0.1, 2],
    ]);
  });

  it('shows the lift but no interval before each arm has 10 successes and 10 failures', () => {
    const { b } = byVariant(evaluateExperiments([row(0, 'control', 100, 9), row(0, 'b', 100, 20)], day(0)));
    expect(b!.lift).toBeCloseTo(20 / 100 / 0.09 - 1, 12);
    expect(b).toMatchObject({ lift_lower: null, lift_upper: null, p_value: null, decision: 'inconclusive' });
  });

  it('has no lift when the control has no successes', () => {
    const { b } = byVariant(evaluateExperiments([row(0, 'control', 100, 0), row(0, 'b', 100, 20)], day(0)));
    expect(b).toMatchObject({ control_rate: 0, lift: null, lift_lower: null, p_value: null, decision: 'inconclusive' });
  });

  it('sorts by experiment, metric and variant, and ignores rows after the date', () => {
    const history = [
      row(0, 'control', 100, 10, { experiment_id: 'z-template' }),
      row(0, 'control', 100, 10, { metric: 'ctr' }),
      row(0, 'control', 100, 1, { metric: 'conversion_rate' }),
      row(1, 'control', 100, 10, { experiment_id: 'a-late' }),
    ];
    expect(evaluateExperiments(history, day(0)).map((r) => [r.experiment_id, r.metric])).toEqual([
      ['button-wording', 'conversion_rate'],
      ['button-wording', 'ctr'],
      ['z-template', 'ctr'],
    ]);
    expect(evaluateExperiments(history, day(-1))).toEqual([]);
  });

  it('gives the same rows whatever the input order, and a range gives what each date alone does', () => {
    const random = createRandom(7);
    const history = Array.from({ length: 6 }, (_, d) => [row(d, 'control', 2000, random.binomial(2000, 0.1)), row(d, 'b', 2000, random.binomial(2000, 0.12)), row(d, 'c', 1900, random.binomial(1900, 0.1))]).flat();
    const shuffled = [...history].reverse();
    const range = evaluateRange(shuffled, day(0), day(6));
    expect(range.map((r) => r.dt)).toEqual(Array.from({ length: 7 }, (_, d) => day(d)));
    for (const { dt, rows } of range) expect(rows).toEqual(evaluateExperiments(history, dt));
  });

  it('rejects bad rows and options', () => {
    expect(() => evaluateExperiments([row(0, 'control', 10, 11)], day(0))).toThrow(InputError);
    expect(() => evaluateExperiments([row(0, 'control', 10, 11)], day(0))).toThrow('experiment "button-wording", variant "control", metric "ctr" on "2025-03-03": "successes" must not exceed "exposures"');
    expect(() => evaluateExperiments([row(0, 'control', 10.5, 1)], day(0))).toThrow('"exposures" must be a non-negative integer');
    expect(() => evaluateExperiments([{ ...row(0, 'control', 10, 1), dt: '2025-02-30' }], day(0))).toThrow('"dt" must be a YYYY-MM-DD date');
    expect(() => evaluateExperiments([row(0, 'control', 10, 1, { declared_split: '{"control":' })], day(0))).toThrow('on "2025-03-03": declared_split is not valid JSON');
    expect(() => evaluateRange([], day(1), day(0))).toThrow(InputError);
    expect(() => evaluateExperiments([], day(0), { alpha: 1.5 })).toThrow(ConfigError);
    expect(() => evaluateExperiments([], day(0), { tuning: 0 })).toThrow(ConfigError);
    expect(() => evaluateExperiments([], day(0), { srmAlpha: 0 })).toThrow(ConfigError);
  });
});

describe('an A/A experiment read every day for 28 days', () => {
  it('is decided far less often than a daily-read fixed-horizon z-test (200 seeded simulations)', () => {
    const random = createRandom(2024);
    const sims = 200;
    const history: DailyExperimentCount[] = [];
    for (let e = 0; e < sims; e++) {
      for (let d = 0; d < 28; d++) {
        for (const variant of ['control', 'b']) history.push({ ...row(d, variant, 2000, random.binomial(2000, 0.1)), experiment_id: `aa-${e}` });
      }
    }
    const decided = new Set<string>();
    const naive = new Set<string>();
    for (const { rows } of evaluateRange(history, day(0), day(27))) {
      for (let i = 0; i < rows.length; i += 2) {
        const [c, t] = [rows[i]!, rows[i + 1]!];
        if (t.decision === 'winner' || t.decision === 'loser') decided.add(t.experiment_id);
        const pooled = (c.successes + t.successes) / (c.exposures + t.exposures);
        const z = (t.rate! - c.rate!) / Math.sqrt(pooled * (1 - pooled) * (1 / c.exposures + 1 / t.exposures));
        if (Math.abs(z) > 1.959964) naive.add(t.experiment_id);
      }
    }
    // α = 0.05 promises at most 10 of 200 on average (this seed: 0); the naive test finds 44 here,
    // about 28% as in the bench.
    expect(decided.size).toBeLessThanOrEqual(10);
    expect(naive.size).toBeGreaterThanOrEqual(30);
  });
});
