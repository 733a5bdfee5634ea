import { anomalyColor, formatCount, formatDecimal, formatPercent, percentValue, seriesStyle } from './format';
import { continuousDates } from './charts';
import type { ChartPoint, ChartSpec, DatasetSpec, TableSpec } from './spec';
import type { AlertRow, CtrPointRow } from './queries';

/**
 * The CTR-over-time chart with its anomaly markers, and the alert list. Together because a
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
    return { ...s, label: `${s.campaign} · ${s.template ?? '(no template)'} · ${title}` };
  });
}

/** CTR per button per cohort date, anomaly days marked; the table lists every series. */
export function ctrOverTimeChart(rows: readonly CtrPointRow[], alerts: readonly AlertRow[], maxSeries: number): ChartSpec {
  const labels = continuousDates(rows.map((r) => r.dt));
  const all = seriesOf(rows).sort((a, b) => a.label.localeCompare(b.label));
  const alerted = (s: Series) => alerts.some((a) => alertMatches(a, s.campaign, s.template, s.button));
  // Series with alerts are always drawn (a marker needs its line), then the most tapped.
  const shown = [...all].sort((a, b) => Number(alerted(b)) - Number(alerted(a)) || b.clicked - a.clicked || a.label.localeCompare(b.label)).slice(0, Math.max(0, maxSeries));
  const drawn = all.filter((s) => shown.includes(s));
  const datasets: DatasetSpec[] = drawn.map((s, i) => {
    const byDate = new Map(s.rows.map((r) => [r.dt, r]));
    const style = seriesStyle(i);
    return { label: s.label, data: labels.map((d) => percentValue(byDate.get(d)?.ctr ?? null)), color: style.color, dash: style.dash, role: 'series' };
  });
  const markers: ChartPoint[] = [];
  const notes: string[] = [];
  for (const s of drawn) {
    for (const r of s.rows) {
      const hits = alerts.filter((a) => a.dt === r.dt && alertMatches(a, s.campaign, s.template, s.button));
      const y = percentValue(r.ctr);
      if (hits.length === 0 || y === null) continue;
      markers.push({ x: r.dt, y });
      notes.push(hits.map((a) => `${alertHeadline(a)}: observed ${formatMetricValue(a.metric, a.observed)}, expected ${formatMetricValue(a.metric, a.expected)}`).join('; '));
    }
  }
  if (markers.length > 0) datasets.push({ label: 'Anomaly day (alert raised)', data: markers, color: anomalyColor, dash: [], role: 'marker', notes });
  const alertCell = (s: Series, dt: string) => alerts.filter((a) => a.dt === dt && alertMatches(a, s.campaign, s.template, s.button)).map(alertHeadline).join(', ');
  const tableRows = all
    .flatMap((s) => s.rows.map((r) => ({ s, r })))
    .sort((a, b) => (a.r.dt < b.r.dt ? -1 : a.r.dt > b.r.dt ? 1 : a.s.label.localeCompare(b.s.label)))
    .map(({ s, r }) => [r.dt, s.campaign, s.template ?? '–', r.button_title ?? r.button_id ?? '–', formatCount(r.messages_delivered), formatCount(r.clicked_messages), formatCount(r.clicks), formatPercent(r.ctr), alertCell(s, r.dt)]);
  const hidden = all.length - drawn.length;
  return {
    id: 'ctr-over-time',
    title: 'CTR per button over time',
    description:
      'Tapped messages ÷ delivered messages per cohort date (the day the message was sent). Triangles mark days with an alert.' +
      (hidden > 0 ? ` Showing ${drawn.length} of ${all.length} buttons (alerted first, then the most tapped); the table has all.` : ''),
    type: 'line',
    stacked: false,
    xTitle: 'Cohort date (day sent)',
    yTitle: 'CTR (%)',
    yUnit: 'percent',
    labels,
    datasets,
    table: {
      columns: [
        { label: 'Cohort date', numeric: false },
        { label: 'Campaign', numeric: false },
        { label: 'Template', numeric: false },
        { label: 'Button', numeric: false },
        { label: 'Delivered (messages)', numeric: true },
        { label: 'Tapped (messages)', numeric: true },
        { label: 'Taps', numeric: true },
        { label: 'CTR (%)', numeric: true },
        { label: 'Alert', numeric: false },
      ],
      rows: tableRows,
    },
    emptyMessage: rows.length === 0 ? 'No daily CTR rows yet: run the daily workflow (wa-analytics daily).' : null,
  };
}

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
