import { anomalyColor, formatCount, formatDecimal, formatPercent, percentValue, seriesStyle } from './format';
import { continuousDates } from './charts';
import { uniqueChartId } from './ids';
import type { ChartPoint, ChartSpec, DatasetSpec, TableSection, TableSpec } from './spec';
import type { AlertRow, CtrPointRow } from './queries';

/**
 * The CTR-over-time panels with their anomaly markers, and the alert list. Together because a
 * marker is an alert placed on its series: both need the same series key.
 */

/** Series identity: campaign, template and button (the daily_ctr and anomaly grain). */
function seriesKey(campaign: string, template: string | null, button: string | null): string {
  return JSON.stringify([campaign, template, button]);
}

/** Whether an alert is about a series; an alert with no button concerns every button of its template. */
function alertMatches(alert: AlertRow, campaign: string, template: string | null, button: string | null): boolean {
  return alert.campaign_id === campaign && alert.template_name === template && (alert.button_id === null || alert.button_id === button);
}

/** How an alert reads in a tooltip or a cell: "drop in ctr". */
export function alertHeadline(alert: AlertRow): string {
  return `${alert.kind} in ${alert.metric}`;
}

/** An alert metric's value in its own unit: CTRs as percentages, everything else as counts. */
export function formatMetricValue(metric: string, value: number | null): string {
  return metric === 'ctr' || metric.endsWith('_ctr') ? formatPercent(value) : formatDecimal(value);
}

interface Series {
  readonly key: string;
  /** Template and button title: the campaign is the panel's. */
  readonly label: string;
  readonly campaign: string;
  readonly template: string | null;
  readonly button: string | null;
  readonly rows: CtrPointRow[];
  clicked: number;
}

function seriesOf(rows: readonly CtrPointRow[]): Series[] {
  const byKey = new Map<string, Series>();
  for (const row of rows) {
    const key = seriesKey(row.campaign_id, row.template_name, row.button_id);
    let s = byKey.get(key);
    if (s === undefined) {
      s = { key, label: '', campaign: row.campaign_id, template: row.template_name, button: row.button_id, rows: [], clicked: 0 };
      byKey.set(key, s);
    }
    s.rows.push(row);
    s.clicked += row.clicked_messages;
  }
  return [...byKey.values()].map((s) => {
    // Titles can change between sends; the latest one is what people see now.
    const title = [...s.rows].sort((a, b) => (a.dt < b.dt ? 1 : -1)).find((r) => r.button_title !== null)?.button_title ?? s.button ?? '(no button)';
    return { ...s, label: `${s.template ?? '(no template)'} · ${title}` };
  });
}

/** How many campaigns get a panel and how many buttons each panel draws (the tables have all). */
export interface CtrPanelLimits {
  readonly maxSeries: number;
  readonly maxPanels: number;
}

/** The CTR panels, and the points of the campaigns beyond `maxPanels` in one table (null when none). */
export interface CtrSection {
  readonly charts: readonly ChartSpec[];
  readonly rest: TableSection | null;
}

/** A y axis top that clears the highest point (a marker drawn on the edge is half cut), on a round step. */
export function sharedCtrTop(maxPercent: number): number {
  if (!(maxPercent > 0)) return 10;
  const step = maxPercent <= 10 ? 2 : maxPercent <= 50 ? 5 : 10;
  return Math.min(100, (Math.floor(maxPercent / step) + 1) * step);
}

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

interface Panel {
  readonly campaign: string;
  readonly all: Series[];
  readonly drawn: Series[];
  readonly datasets: DatasetSpec[];
}

const pointColumns = [
  { label: 'Cohort date', numeric: false },
  { label: 'Template', numeric: false },
  { label: 'Button', numeric: false },
  { label: 'Delivered (messages)', numeric: true },
  { label: 'Tapped (messages)', numeric: true },
  { label: 'Taps', numeric: true },
  { label: 'CTR (%)', numeric: true },
  { label: 'Alert', numeric: false },
];

/**
 * CTR per button per cohort date as one small panel per campaign: its buttons, its anomaly days
 * marked, every panel on the same date axis and the same y scale so panels compare at a glance.
 * Campaigns with alerts come first, then the most tapped; each panel's table lists every point
 * of its campaign, and campaigns beyond `maxPanels` are listed in the section's table.
 */
export function ctrOverTimeSection(rows: readonly CtrPointRow[], alerts: readonly AlertRow[], limits: CtrPanelLimits): CtrSection {
  if (rows.length === 0) return { charts: [emptyCtrChart], rest: null };
  const labels = continuousDates(rows.map((r) => r.dt));
  const all = seriesOf(rows);
  const alerted = (s: Series) => alerts.some((a) => alertMatches(a, s.campaign, s.template, s.button));
  const alertsOn = (s: Series, dt: string) => alerts.filter((a) => a.dt === dt && alertMatches(a, s.campaign, s.template, s.button));
  const campaigns = [...new Set(all.map((s) => s.campaign))].map((campaign) => {
    const series = all.filter((s) => s.campaign === campaign).sort((a, b) => a.label.localeCompare(b.label));
    return { campaign, series, alerted: series.some(alerted), clicked: series.reduce((n, s) => n + s.clicked, 0) };
  });
  campaigns.sort((a, b) => Number(b.alerted) - Number(a.alerted) || b.clicked - a.clicked || byText(a.campaign, b.campaign));
  const charted = campaigns.slice(0, Math.max(1, limits.maxPanels));
  const others = campaigns.slice(charted.length);

  const panels: Panel[] = charted.map(({ campaign, series }) => {
    // Series with alerts are always drawn (a marker needs its line), then the most tapped.
    const shown = [...series].sort((a, b) => Number(alerted(b)) - Number(alerted(a)) || b.clicked - a.clicked || a.label.localeCompare(b.label)).slice(0, Math.max(1, limits.maxSeries));
    const drawn = series.filter((s) => shown.includes(s));
    const datasets: DatasetSpec[] = drawn.map((s, i) => {
      const byDate = new Map(s.rows.map((r) => [r.dt, r]));
      const style = seriesStyle(i);
      return { label: s.label, data: labels.map((d) => percentValue(byDate.get(d)?.ctr ?? null)), color: style.color, dash: style.dash, role: 'series' };
    });
    const markers: ChartPoint[] = [];
    const notes: string[] = [];
    for (const s of drawn) {
      for (const r of s.rows) {
        const hits = alertsOn(s, r.dt);
        const y = percentValue(r.ctr);
        if (hits.length === 0 || y === null) continue;
        markers.push({ x: r.dt, y });
        notes.push(hits.map((a) => `${alertHeadline(a)}: observed ${formatMetricValue(a.metric, a.observed)}, expected ${formatMetricValue(a.metric, a.expected)}`).join('; '));
      }
    }
    if (markers.length > 0) datasets.push({ label: 'Anomaly day (alert raised)', data: markers, color: anomalyColor, dash: [], role: 'marker', notes });
    return { campaign, all: series, drawn, datasets };
  });

  // One scale for every panel: the highest CTR any of them draws.
  const drawnValues = panels.flatMap((p) => p.datasets.flatMap((d) => d.data.map((v) => (typeof v === 'number' ? v : v === null ? 0 : v.y))));
  const yRange = { min: 0, max: sharedCtrTop(Math.max(0, ...drawnValues)) };
  const pointRows = (series: readonly Series[], withCampaign: boolean) =>
    series
      .flatMap((s) => s.rows.map((r) => ({ s, r })))
      .sort((a, b) => byText(a.r.dt, b.r.dt) || byText(a.s.campaign, b.s.campaign) || a.s.label.localeCompare(b.s.label))
      .map(({ s, r }) => [
        r.dt,
        ...(withCampaign ? [s.campaign] : []),
        s.template ?? '–',
        r.button_title ?? r.button_id ?? '–',
        formatCount(r.messages_delivered),
        formatCount(r.clicked_messages),
        formatCount(r.clicks),
        formatPercent(r.ctr),
        alertsOn(s, r.dt).map(alertHeadline).join(', '),
      ]);
  const taken = new Set<string>();
  const intro = `Tapped messages ÷ delivered messages per cohort date (the day the message was sent), one panel per campaign, all on the same scale (0–${yRange.max} %). Triangles mark days with an alert.`;
  const charts = panels.map((p, i): ChartSpec => {
    const hidden = p.all.length - p.drawn.length;
    const notes = [
      i === 0 ? intro : 'Same dates and scale as the other campaigns.',
      ...(i === 0 && others.length > 0 ? [`Charted: ${panels.length} of ${campaigns.length} campaigns (alerted first, then the most tapped); the others are in the table "CTR per button, other campaigns".`] : []),
      ...(hidden > 0 ? [`Showing ${p.drawn.length} of ${p.all.length} buttons (alerted first, then the most tapped); the table has all.`] : []),
    ];
    return {
      id: uniqueChartId('ctr-over-time', [p.campaign], taken),
      title: `CTR per button over time: ${p.campaign}`,
      description: notes.join(' '),
      type: 'line',
      stacked: false,
      xTitle: 'Cohort date (day sent)',
      yTitle: 'CTR (%)',
      yUnit: 'percent',
      yRange,
      labels,
      datasets: p.datasets,
      table: { columns: pointColumns, rows: pointRows(p.all, false) },
      emptyMessage: null,
    };
  });
  if (others.length === 0) return { charts, rest: null };
  const [first, ...restColumns] = pointColumns;
  return {
    charts,
    rest: {
      id: 'ctr-over-time-other',
      title: 'CTR per button, other campaigns',
      description: `The ${others.length} ${others.length === 1 ? 'campaign' : 'campaigns'} beyond the ${panels.length} charted, every point.`,
      table: { columns: [first!, { label: 'Campaign', numeric: false }, ...restColumns], rows: pointRows(others.flatMap((c) => c.series), true) },
    },
  };
}

const emptyCtrChart: ChartSpec = {
  id: 'ctr-over-time',
  title: 'CTR per button over time',
  description: 'Tapped messages ÷ delivered messages per cohort date (the day the message was sent), one panel per campaign once there are rows.',
  type: 'line',
  stacked: false,
  xTitle: 'Cohort date (day sent)',
  yTitle: 'CTR (%)',
  yUnit: 'percent',
  labels: [],
  datasets: [],
  table: { columns: pointColumns, rows: [] },
  emptyMessage: 'No daily CTR rows yet: run the daily workflow (wa-analytics daily).',
};

/** The alert list: newest first as the query orders it, values in their metric's unit. */
export function alertsTable(alerts: readonly AlertRow[]): TableSpec {
  return {
    columns: [
      { label: 'Date', numeric: false },
      { label: 'Campaign', numeric: false },
      { label: 'Template', numeric: false },
      { label: 'Button', numeric: false },
      { label: 'Metric', numeric: false },
      { label: 'Change', numeric: false },
      { label: 'Observed', numeric: true },
      { label: 'Expected', numeric: true },
      { label: 'Expected range', numeric: true },
      { label: 'Score', numeric: true },
      { label: 'Baseline (days)', numeric: true },
    ],
    rows: alerts.map((a) => [
      a.dt,
      a.campaign_id,
      a.template_name ?? '–',
      a.button_id ?? '(all buttons)',
      a.metric,
      a.kind,
      formatMetricValue(a.metric, a.observed),
      formatMetricValue(a.metric, a.expected),
      `${formatMetricValue(a.metric, a.lower)} – ${formatMetricValue(a.metric, a.upper)}`,
      formatDecimal(a.score),
      formatCount(a.baseline_days),
    ]),
  };
}
