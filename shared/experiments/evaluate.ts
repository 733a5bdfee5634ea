import { ConfigError, InputError, errorMessage } from '../errors';
import type { ExperimentRow } from '../schema/types';
import { dateRange, daysBetween, isIsoDate } from '../time';
import { type ArmCounts, inferLift, mixtureRho, relativeLift } from './sequential';
import { type DeclaredSplit, parseDeclaredSplit, sampleRatioPValue } from './srm';
import { controlVariantName, type DailyExperimentCount, type DatedExperimentRows, defaultExperimentOptions, type ExperimentDecision, type ExperimentOptions } from './types';

interface Arm {
  exposures: number;
  successes: number;
}

interface MetricState {
  readonly arms: Map<string, Arm>;
  /** The latest declared split: the greatest dt, then (same dt) the smallest variant name. */
  split: { readonly dt: string; readonly variant: string; readonly shares: DeclaredSplit } | null;
}

interface ExperimentState {
  readonly firstDt: string;
  readonly variants: Set<string>;
  readonly metrics: Map<string, MetricState>;
}

/** What is wrong with a daily count's numbers, or null: integers, 0 ≤ successes ≤ exposures. */
export function dailyCountProblem(exposures: number, successes: number): string | null {
  if (!Number.isSafeInteger(exposures) || exposures < 0) return '"exposures" must be a non-negative integer';
  if (!Number.isSafeInteger(successes) || successes < 0) return '"successes" must be a non-negative integer';
  if (successes > exposures) return '"successes" must not exceed "exposures"';
  return null;
}

function checkOptions(partial: Partial<ExperimentOptions> | undefined): ExperimentOptions {
  const options = { ...defaultExperimentOptions, ...partial };
  if (!(options.alpha > 0 && options.alpha < 1)) throw new ConfigError(`experiments: alpha must be in (0, 1), got ${options.alpha}`);
  if (!(options.srmAlpha > 0 && options.srmAlpha < 1)) throw new ConfigError(`experiments: srmAlpha must be in (0, 1), got ${options.srmAlpha}`);
  if (!(options.tuning > 0 && Number.isFinite(options.tuning))) throw new ConfigError(`experiments: tuning must be a positive number, got ${options.tuning}`);
  return options;
}

/** The control: the variant named `control`, else the first in plain string (code unit) order. */
export function controlOf(variants: Iterable<string>): string {
  let first: string | null = null;
  for (const v of variants) {
    if (v === controlVariantName) return v;
    if (first === null || v < first) first = v;
  }
  if (first === null) throw new RangeError('an experiment without variants has no control');
  return first;
}

const byCode = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function describe(row: DailyExperimentCount): string {
  // JSON quoting keeps control characters of the data out of the one-line error.
  return `experiment ${JSON.stringify(row.experiment_id)}, variant ${JSON.stringify(row.variant)}, metric ${JSON.stringify(row.metric)} on ${JSON.stringify(row.dt)}`;
}

function addRow(state: Map<string, ExperimentState>, row: DailyExperimentCount, splits: Map<string, DeclaredSplit>): void {
  let experiment = state.get(row.experiment_id);
  if (experiment === undefined) {
    // Rows arrive in dt order, so the first one seen is the experiment's first day.
    experiment = { firstDt: row.dt, variants: new Set(), metrics: new Map() };
    state.set(row.experiment_id, experiment);
  }
  experiment.variants.add(row.variant);
  let metric = experiment.metrics.get(row.metric);
  if (metric === undefined) {
    metric = { arms: new Map(), split: null };
    experiment.metrics.set(row.metric, metric);
  }
  const arm = metric.arms.get(row.variant);
  if (arm === undefined) metric.arms.set(row.variant, { exposures: row.exposures, successes: row.successes });
  else {
    arm.exposures += row.exposures;
    arm.successes += row.successes;
  }
  const declared = row.declared_split;
  if (declared === null || declared === undefined) return;
  const current = metric.split;
  if (current !== null && current.dt === row.dt && current.variant <= row.variant) return;
  const key = typeof declared === 'string' ? declared : JSON.stringify(declared);
  let shares = splits.get(key);
  if (shares === undefined) {
    try {
      shares = parseDeclaredSplit(declared);
    } catch (cause) {
      throw new InputError(`${describe(row)}: ${errorMessage(cause)}`, { cause });
    }
    splits.set(key, shares);
  }
  metric.split = { dt: row.dt, variant: row.variant, shares };
}

function metricRows(experimentId: string, metricName: string, metric: MetricState, control: string, daysRunning: number, options: ExperimentOptions, rho: number): ExperimentRow[] {
  const others = [...metric.arms.keys()].filter((v) => v !== control).sort(byCode);
  const order = metric.arms.has(control) ? [control, ...others] : others;
  const exposures = new Map(order.map((v) => [v, metric.arms.get(v)!.exposures]));
  const srmPValue = sampleRatioPValue(exposures, metric.split?.shares ?? null);
  const srm = srmPValue !== null && srmPValue < options.srmAlpha;
  const controlArm: ArmCounts | undefined = metric.arms.get(control);
  const rateOf = (arm: ArmCounts): number | null => (arm.exposures === 0 ? null : arm.successes / arm.exposures);
  const controlRate = controlArm === undefined ? null : rateOf(controlArm);
  const level = { alpha: options.alpha, rho, comparisons: Math.max(1, others.length) };
  return order.map((variant): ExperimentRow => {
    const arm = metric.arms.get(variant)!;
    const rate = rateOf(arm);
    const isControl = variant === control;
    const inference = isControl || controlArm === undefined ? null : inferLift(controlArm, arm, level);
    // The lift itself is shown whenever it is defined, even before the interval is.
    const lift = isControl || controlArm === undefined ? null : (relativeLift(controlArm, arm)?.lift ?? null);
    let decision: ExperimentDecision = 'inconclusive';
    if (srm) decision = 'srm';
    else if (inference !== null && inference.lower > 0) decision = 'winner';
    else if (inference !== null && inference.upper < 0) decision = 'loser';
    return {
      experiment_id: experimentId,
      variant,
      metric: metricName,
      exposures: arm.exposures,
      successes: arm.successes,
      rate,
      control_variant: control,
      control_rate: controlRate,
      lift,
      lift_lower: inference?.lower ?? null,
      lift_upper: inference?.upper ?? null,
      p_value: inference?.pValue ?? null,
      decision,
      srm_p_value: srmPValue,
      days_running: daysRunning,
    };
  });
}

function evaluateState(state: Map<string, ExperimentState>, date: string, options: ExperimentOptions, rho: number): ExperimentRow[] {
  const rows: ExperimentRow[] = [];
  for (const experimentId of [...state.keys()].sort(byCode)) {
    const experiment = state.get(experimentId)!;
    const control = controlOf(experiment.variants);
    const daysRunning = daysBetween(experiment.firstDt, date) + 1;
    for (const metricName of [...experiment.metrics.keys()].sort(byCode)) {
      rows.push(...metricRows(experimentId, metricName, experiment.metrics.get(metricName)!, control, daysRunning, options, rho));
    }
  }
  return rows;
}

/**
 * Evaluates every date from `from` to `to` (inclusive), each on the history rows with dt ≤ that
 * date, in one pass over the rows sorted by date: what `evaluateExperiments` gives for each date,
 * without summing the history again per date. Pure and deterministic (input order does not matter).
 * Throws InputError for a row with a bad date, bad counts or a bad declared split, or `from` after
 * `to`; ConfigError for bad options.
 */
export function evaluateRange(history: readonly DailyExperimentCount[], from: string, to: string, options?: Partial<ExperimentOptions>): DatedExperimentRows[] {
  const checked = checkOptions(options);
  if (from > to) throw new InputError(`experiments: the first date ${from} is after the last ${to}`);
  const rho = mixtureRho(checked.alpha, checked.tuning);
  for (const row of history) {
    if (!isIsoDate(row.dt)) throw new InputError(`${describe(row)}: "dt" must be a YYYY-MM-DD date`);
    const problem = dailyCountProblem(row.exposures, row.successes);
    if (problem !== null) throw new InputError(`${describe(row)}: ${problem}`);
  }
  const sorted = [...history].sort((a, b) => byCode(a.dt, b.dt));
  const state = new Map<string, ExperimentState>();
  const splits = new Map<string, DeclaredSplit>();
  const out: DatedExperimentRows[] = [];
  let next = 0;
  for (const date of dateRange(from, to)) {
    while (next < sorted.length && sorted[next]!.dt <= date) addRow(state, sorted[next++]!, splits);
    out.push({ dt: date, rows: evaluateState(state, date, checked, rho) });
  }
  return out;
}

/**
 * Evaluates every experiment (and each of its metrics) that has a row with dt ≤ `date`,
 * cumulative over all its rows with dt ≤ `date`: one ExperimentRow per experiment, metric and
 * variant, sorted by experiment_id, metric, then the control first and the other variants in
 * plain string order. Pure, deterministic. The method: docs/experiments.md.
 */
export function evaluateExperiments(history: readonly DailyExperimentCount[], date: string, options?: Partial<ExperimentOptions>): ExperimentRow[] {
  return evaluateRange(history, date, date, options)[0]!.rows;
}
