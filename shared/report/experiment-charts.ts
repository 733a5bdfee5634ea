import { continuousDates } from './charts';
import { uniqueChartId } from './ids';
import { formatCount, formatPercent, formatPValue, formatSignedPercent, percentValue, seriesStyle } from './format';
import type { ExperimentPointRow } from './queries';
import type { ChartSpec, DatasetSpec, TableColumn, TableSection, TableSpec } from './spec';

/**
 * The dashboard's experiments section (the `experiments` table): per experiment and metric, the
 * lift of each variant over the control on every evaluation date with its always-valid interval
 * as a band around it, and a table of the latest evaluation with the decision. Only the most
 * recently evaluated experiments are charted; the others are listed in one table.
 */

/** Experiments charted at most (two charts each, one per metric), the most recently evaluated first. */
export const maxExperimentCharts = 4;

/** The colour of the "no difference" line: the page's muted ink, never a series colour. */
export const referenceColor = '#57606a';

export interface ExperimentsSection {
  readonly charts: readonly ChartSpec[];
  /** The experiments beyond the charted ones, their latest evaluation; null when every one is charted. */
  readonly rest: TableSection | null;
}

interface MetricInfo {
  readonly name: string;
  readonly rule: string;
  readonly successes: string;
}

const metricInfo: Readonly<Record<string, MetricInfo>> = {
  ctr: { name: 'CTR', rule: 'tapped ÷ delivered messages', successes: 'Tapped (messages)' },
  conversion_rate: { name: 'Conversion rate', rule: 'messages with a credited conversion ÷ delivered messages', successes: 'Converted (messages)' },
};
const infoOf = (metric: string): MetricInfo => metricInfo[metric] ?? { name: metric, rule: metric, successes: 'Successes' };
// The known metrics in a fixed order, then any other alphabetically.
const metricRank = (metric: string) => (metric === 'ctr' ? 0 : metric === 'conversion_rate' ? 1 : 2);
const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

const col = (label: string, numeric = true): TableColumn => ({ label, numeric });

const decisionText = (decision: string) => (decision === 'srm' ? 'srm (sample-ratio mismatch)' : decision);

/** "+12.5 % [+3.1 %, +22.0 %]"; `–` when there is no lift (the control, or a control rate of 0). */
export function liftText(row: Pick<ExperimentPointRow, 'lift' | 'lift_lower' | 'lift_upper'>): string {
  if (row.lift === null) return '–';
  return `${formatSignedPercent(row.lift)} [${formatSignedPercent(row.lift_lower)}, ${formatSignedPercent(row.lift_upper)}]`;
}

const isControl = (r: ExperimentPointRow) => r.variant === r.control_variant;
/** Control first, then the variants by name. */
const variantOrder = (a: ExperimentPointRow, b: ExperimentPointRow) => Number(isControl(b)) - Number(isControl(a)) || byText(a.variant, b.variant);

/** The latest evaluation date among `rows` ('' for none); dates are ISO, so text order is time order. */
const lastDate = (rows: readonly ExperimentPointRow[]): string => rows.map((r) => r.dt).sort(byText).at(-1) ?? '';

/** The rows of the latest evaluation date among `rows`, control first. */
function latestOf(rows: readonly ExperimentPointRow[]): ExperimentPointRow[] {
  const last = lastDate(rows);
  return rows.filter((r) => r.dt === last).sort(variantOrder);
}

function groupBy<K>(rows: readonly ExperimentPointRow[], key: (r: ExperimentPointRow) => K): Map<K, ExperimentPointRow[]> {
  const out = new Map<K, ExperimentPointRow[]>();
  for (const r of rows) {
    const list = out.get(key(r)) ?? [];
    if (list.length === 0) out.set(key(r), list);
    list.push(r);
  }
  return out;
}

const latestColumns = (info: MetricInfo): TableColumn[] => [
  col('Variant', false),
  col('Delivered (messages)'),
  col(info.successes),
  col(`${info.name} (%)`),
  col('Lift [always-valid interval]'),
  col('p-value'),
  col('Decision', false),
  col('SRM p'),
  col('Days running'),
];

const latestCells = (r: ExperimentPointRow): string[] => [
  isControl(r) ? `${r.variant} (control)` : r.variant,
  formatCount(r.exposures),
  formatCount(r.successes),
  formatPercent(r.rate),
  liftText(r),
  formatPValue(r.p_value),
  decisionText(r.decision),
  formatPValue(r.srm_p_value),
  formatCount(r.days_running),
];

/** A step of 1, 2 or 5 times a power of ten giving about six ticks over `span`. */
function niceStep(span: number): number {
  const raw = span / 6;
  const power = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw * (1 - 1e-9)) ?? 10 * power;
}

/**
 * The y axis of a lift chart, or undefined when every value fits. Always-valid intervals are very
 * wide on the first days; an axis fitted to them would flatten the later lines, so the axis fits
 * the lifts, the latest intervals and 0, and earlier interval ends beyond it are clipped.
 */
export function liftAxis(lifts: readonly number[], latestBounds: readonly number[], allBounds: readonly number[]): { min: number; max: number } | undefined {
  const fitted = [0, ...lifts, ...latestBounds];
  const lo = Math.min(...fitted);
  const hi = Math.max(...fitted);
  const span = Math.max(hi - lo, 1);
  const step = niceStep(span * 1.2);
  // A relative lift is never below -100 %.
  const min = Math.max(-100, Math.floor((lo - span * 0.1) / step) * step);
  const max = Math.ceil((hi + span * 0.1) / step) * step;
  return allBounds.some((v) => v < min || v > max) ? { min, max } : undefined;
}

function liftChart(id: string, experiment: string, metric: string, rows: readonly ExperimentPointRow[], note: string): ChartSpec {
  const info = infoOf(metric);
  const labels = continuousDates(rows.map((r) => r.dt));
  const latest = latestOf(rows);
  const control = latest[0]?.control_variant ?? '';
  const variants = [...new Set(rows.filter((r) => !isControl(r)).map((r) => r.variant))].sort(byText);
  const lifts: number[] = [];
  const bounds: number[] = [];
  const datasets: DatasetSpec[] = variants.flatMap((variant, i): DatasetSpec[] => {
    const byDate = new Map(rows.filter((r) => r.variant === variant).map((r) => [r.dt, r]));
    const { color } = seriesStyle(i);
    const values = (pick: (r: ExperimentPointRow) => number | null) => labels.map((d) => percentValue(byDate.has(d) ? pick(byDate.get(d)!) : null));
    const lift = values((r) => r.lift);
    const lower = values((r) => r.lift_lower);
    const upper = values((r) => r.lift_upper);
    lifts.push(...lift.filter((v) => v !== null));
    bounds.push(...[...lower, ...upper].filter((v) => v !== null));
    const notes = labels.map((d) => {
      const r = byDate.get(d);
      return r === undefined ? null : `interval ${formatSignedPercent(r.lift_lower)} to ${formatSignedPercent(r.lift_upper)} · p ${formatPValue(r.p_value)} · ${decisionText(r.decision)}`;
    });
    return [
      { label: `${variant}: lift`, data: lift, color, dash: [], role: 'series', notes },
      { label: `${variant}: always-valid interval`, data: lower, color, dash: [4, 3], role: 'interval' },
      { label: `${variant}: interval upper end`, data: upper, color, dash: [4, 3], role: 'interval', fillToPrevious: true, hideInLegend: true },
    ];
  });
  const latestBounds = latest.flatMap((r) => [r.lift_lower, r.lift_upper]).map(percentValue).filter((v) => v !== null);
  const yRange = variants.length === 0 ? undefined : liftAxis(lifts, latestBounds, bounds);
  const head = latest[0];
  const summary =
    head === undefined
      ? ''
      : ` Latest evaluation ${head.dt} (day ${formatCount(head.days_running)}): ${latest
          .filter((r) => !isControl(r))
          .map((r) => `${r.variant} ${decisionText(r.decision)}, lift ${liftText(r)}, p ${formatPValue(r.p_value)}`)
          .join('; ')}.`;
  const srm = latest.filter((r) => r.decision === 'srm');
  const srmNote =
    srm.length === 0
      ? ''
      : ` Sample-ratio mismatch (split check p ${formatPValue(srm[0]!.srm_p_value)}): the variants' exposures do not follow the declared split, so no variant is called a winner until the assignment is fixed.`;
  return {
    id,
    title: `Experiment ${experiment}: lift in ${info.name === 'CTR' ? 'CTR' : info.name.toLowerCase()} over time`,
    description:
      `${info.name} = ${info.rule}, cumulative from the experiment's first send. Each line is a variant's lift over the control variant "${control}" (rate ÷ control rate − 1) on each evaluation date; the shaded band is its always-valid interval, valid however often it is read; the grey line is no difference.` +
      summary +
      srmNote +
      (yRange === undefined ? '' : ' The axis fits the lifts and the latest intervals: the wider intervals of earlier days run off it.') +
      note,
    type: 'line',
    stacked: false,
    xTitle: 'Evaluation date',
    yTitle: `Lift vs ${control} (%)`,
    yUnit: 'percent',
    ...(yRange === undefined ? {} : { yRange }),
    labels,
    datasets: variants.length === 0 ? [] : [...datasets, { label: `No difference from ${control}`, data: labels.map(() => 0), color: referenceColor, dash: [2, 2], role: 'reference' }],
    table: { columns: latestColumns(info), rows: latest.map(latestCells) },
    emptyMessage: variants.length === 0 ? `No variant besides the control ${control} evaluated yet.` : null,
  };
}

const emptyChart: ChartSpec = {
  id: 'experiments',
  title: 'Experiments: lift over time',
  description: "Each experiment's variants against its control, with always-valid intervals and the decision of the latest evaluation.",
  type: 'line',
  stacked: false,
  xTitle: 'Evaluation date',
  yTitle: 'Lift vs control (%)',
  yUnit: 'percent',
  labels: [],
  datasets: [],
  table: { columns: latestColumns(infoOf('ctr')), rows: [] },
  emptyMessage: 'No experiment evaluated yet: give sends an experiment_id and a variant (POST /sends or the callback data) and the daily workflow evaluates them.',
};

const restColumns: TableColumn[] = [
  col('Experiment', false),
  col('Metric', false),
  col('Evaluated', false),
  col('Variant', false),
  col('Delivered (messages)'),
  col('Rate (%)'),
  col('Lift [always-valid interval]'),
  col('p-value'),
  col('Decision', false),
];

/**
 * The experiments section: two lift charts (CTR, conversion rate) for each of the `maxCharted`
 * most recently evaluated experiments, and the others' latest evaluation in one table.
 */
export function experimentsSection(rows: readonly ExperimentPointRow[], maxCharted: number = maxExperimentCharts): ExperimentsSection {
  if (rows.length === 0) return { charts: [emptyChart], rest: null };
  const byExperiment = groupBy(rows, (r) => r.experiment_id);
  const ranked = [...byExperiment.entries()].sort(([a, x], [b, y]) => byText(lastDate(y), lastDate(x)) || byText(a, b));
  const charted = ranked.slice(0, Math.max(1, maxCharted));
  const others = ranked.slice(charted.length);
  const metricsOf = (list: readonly ExperimentPointRow[]) => [...groupBy(list, (r) => r.metric).entries()].sort(([a], [b]) => metricRank(a) - metricRank(b) || byText(a, b));
  const note = others.length === 0 ? '' : ` Charted: the ${charted.length} most recently evaluated of ${ranked.length} experiments; the others are in the table "Other experiments".`;
  const taken = new Set<string>();
  const charts = charted.flatMap(([experiment, list], i) => metricsOf(list).map(([metric, metricRows], j) => liftChart(uniqueChartId('experiment', [experiment, metric], taken), experiment, metric, metricRows, i === 0 && j === 0 ? note : '')));
  if (others.length === 0) return { charts, rest: null };
  const restRows = others.flatMap(([experiment, list]) =>
    metricsOf(list).flatMap(([metric, metricRows]) =>
      latestOf(metricRows).map((r) => [experiment, infoOf(metric).name, r.dt, isControl(r) ? `${r.variant} (control)` : r.variant, formatCount(r.exposures), formatPercent(r.rate), liftText(r), formatPValue(r.p_value), decisionText(r.decision)]),
    ),
  );
  const table: TableSpec = { columns: restColumns, rows: restRows };
  return {
    charts,
    rest: {
      id: 'experiments-other',
      title: 'Other experiments',
      description: `The ${others.length} ${others.length === 1 ? 'experiment' : 'experiments'} evaluated less recently than the ${charted.length} charted, by their latest evaluation.`,
      table,
    },
  };
}
