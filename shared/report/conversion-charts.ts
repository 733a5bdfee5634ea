import { formatCount, formatDuration, formatMoney, formatPercent, percentValue, seriesStyle } from './format';
import type { ChartSpec, DatasetSpec, TableColumn, TableSpec } from './spec';
import type { ButtonKey, ConversionRateRow, RevenueRow, TimeToConvertRow } from './queries';

/**
 * The dashboard's conversion charts (daily_ctr's conversion columns and daily_conversions): the
 * conversion rate per button, revenue per button in one currency per chart (the other currencies
 * in a table, never added together), and the typical time from tap to conversion.
 */

const col = (label: string, numeric = true): TableColumn => ({ label, numeric });
const series = (label: string, data: readonly (number | null)[], index: number): DatasetSpec => ({ label, data, color: seriesStyle(index).color, dash: [], role: 'series' });

/**
 * Axis labels of button rows: "campaign · title" (unattributed conversions "(no tap)"), with the
 * template added only where two rows would otherwise read the same (long labels squeeze the plot).
 */
export function buttonLabels(rows: readonly ButtonKey[]): string[] {
  const short = (k: ButtonKey) => `${k.campaign_id} · ${k.button_id === null ? '(no tap)' : (k.button_title ?? k.button_id)}`;
  const counts = new Map<string, number>();
  for (const r of rows) counts.set(short(r), (counts.get(short(r)) ?? 0) + 1);
  return rows.map((r) => ((counts.get(short(r)) ?? 0) > 1 ? `${r.campaign_id} · ${r.template_name ?? '(no template)'} · ${r.button_id === null ? '(no tap)' : (r.button_title ?? r.button_id)}` : short(r)));
}

/** Converted ÷ tapped messages per button, over the cohorts counted with conversions. */
export function conversionRateChart(rows: readonly ConversionRateRow[]): ChartSpec {
  return {
    id: 'conversion-rate',
    title: 'Conversion rate per button',
    description:
      'Tapped messages with a conversion credited to the tap (last touch, same user, within the attribution window) ÷ tapped messages, over every cohort counted with conversions.',
    type: 'bar',
    stacked: false,
    xTitle: 'Campaign · button',
    yTitle: 'Conversion rate (%)',
    yUnit: 'percent',
    labels: buttonLabels(rows),
    datasets: [series('Conversion rate', rows.map((r) => percentValue(r.conversion_rate)), 2)],
    table: {
      columns: [col('Campaign', false), col('Template', false), col('Button', false), col('Tapped (messages)'), col('Converted (messages)'), col('Conversions'), col('Conversion rate (%)')],
      rows: rows.map((r) => [
        r.campaign_id,
        r.template_name ?? '–',
        r.button_title ?? r.button_id ?? '–',
        formatCount(r.clicked_messages),
        formatCount(r.converted_messages),
        formatCount(r.conversions),
        formatPercent(r.conversion_rate),
      ]),
    },
    emptyMessage: rows.length === 0 ? 'No conversions counted yet: post them to POST /conversions, or let users send WhatsApp orders.' : null,
  };
}

/** Revenue charts drawn at most; currencies beyond these are listed in the table. */
export const maxRevenueCharts = 2;

export interface RevenueSection {
  /** One chart per currency, the currencies with the most conversions first. */
  readonly charts: readonly ChartSpec[];
  /** The other currencies' rows; null when every currency has its chart. */
  readonly rest: TableSpec | null;
}

const revenueColumns = (currency: string | null): TableColumn[] => [
  col('Campaign', false),
  col('Template', false),
  col('Button', false),
  ...(currency === null ? [col('Currency', false)] : []),
  col('Conversions'),
  col(currency === null ? 'Revenue' : `Revenue (${currency})`),
];

const revenueCells = (r: RevenueRow, withCurrency: boolean): string[] => [
  r.campaign_id,
  r.template_name ?? '–',
  r.button_id === null ? '(no tap)' : (r.button_title ?? r.button_id),
  ...(withCurrency ? [r.currency ?? '–'] : []),
  formatCount(r.conversions),
  r.currency === null ? '–' : formatMoney(r.revenue, r.currency),
];

function revenueChart(currency: string, rows: readonly RevenueRow[], index: number): ChartSpec {
  return {
    id: `revenue-${currency.toLowerCase()}`,
    title: `Revenue per button (${currency})`,
    description: `Value of the conversions credited to each button's taps, in ${currency} only; conversions no tap earned are under "(no tap)".`,
    type: 'bar',
    stacked: false,
    xTitle: 'Campaign · button',
    yTitle: `Revenue (${currency})`,
    yUnit: 'count',
    labels: buttonLabels(rows),
    datasets: [series(`Revenue (${currency})`, rows.map((r) => r.revenue), index)],
    table: { columns: revenueColumns(currency), rows: rows.map((r) => revenueCells(r, false)) },
    emptyMessage: null,
  };
}

/** Revenue per button, one currency per chart; rows without a currency (no value) are left out. */
export function revenueSection(rows: readonly RevenueRow[], maxCharts: number = maxRevenueCharts): RevenueSection {
  const byCurrency = new Map<string, RevenueRow[]>();
  for (const r of rows) {
    if (r.currency === null) continue;
    const list = byCurrency.get(r.currency) ?? [];
    if (list.length === 0) byCurrency.set(r.currency, list);
    list.push(r);
  }
  const conversions = (list: readonly RevenueRow[]) => list.reduce((n, r) => n + r.conversions, 0);
  const ranked = [...byCurrency.entries()].sort(([a, x], [b, y]) => conversions(y) - conversions(x) || (a < b ? -1 : 1));
  if (ranked.length === 0) {
    const empty: ChartSpec = {
      ...revenueChart('value', [], 0),
      id: 'revenue',
      title: 'Revenue per button',
      description: "Value of the conversions credited to each button's taps, one currency per chart.",
      yTitle: 'Revenue',
      table: { columns: revenueColumns(null), rows: [] },
      emptyMessage: 'No conversion with a value yet (value and currency in POST /conversions, or WhatsApp orders).',
    };
    return { charts: [empty], rest: null };
  }
  const charts = ranked.slice(0, maxCharts).map(([currency, list], i) => revenueChart(currency, list, i));
  const others = ranked.slice(maxCharts).flatMap(([, list]) => list);
  return { charts, rest: others.length === 0 ? null : { columns: revenueColumns(null), rows: others.map((r) => revenueCells(r, true)) } };
}

/** Typical time from tap to conversion per button, in hours. */
export function timeToConvertChart(rows: readonly TimeToConvertRow[]): ChartSpec {
  const timed = rows.filter((r) => r.typical_seconds !== null);
  return {
    id: 'time-to-convert',
    title: 'Time from tap to conversion',
    description:
      "Per button: the daily medians of the time from the credited tap to the conversion, averaged weighting each by its conversions (daily_conversions keeps one median per day, so this summarises medians).",
    type: 'bar',
    stacked: false,
    xTitle: 'Campaign · button',
    yTitle: 'Hours from tap to conversion',
    yUnit: 'count',
    labels: buttonLabels(timed),
    datasets: [series('Typical hours to convert', timed.map((r) => Math.round((r.typical_seconds! / 3600) * 100) / 100), 3)],
    table: {
      columns: [col('Campaign', false), col('Template', false), col('Button', false), col('Conversions'), col('Typical time to convert', false), col('Seconds')],
      rows: timed.map((r) => [r.campaign_id, r.template_name ?? '–', r.button_title ?? r.button_id ?? '–', formatCount(r.conversions), formatDuration(r.typical_seconds!), formatCount(Math.round(r.typical_seconds!))]),
    },
    emptyMessage: timed.length === 0 ? 'No conversion credited to a tap yet.' : null,
  };
}
