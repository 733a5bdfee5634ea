import { continuousDates, ctrByPositionChart, funnelChart, quarantineChart, timeToTapChart, volumeChart } from './charts';
import { alertsTable, ctrOverTimeSection } from './ctr-chart';
import { conversionRateChart, revenueSection, timeToConvertChart } from './conversion-charts';
import { experimentsSection } from './experiment-charts';
import { formatCount, formatMoney, formatPercent, ratio } from './format';
import type { ReportData } from './queries';
import type { ReportSpan } from './span';
import type { ChartSpec, TableSection, TableSpec } from './spec';
import { todayChart } from './today-chart';

/**
 * The dashboard as plain data: what each chart draws (labels, datasets, colours, axis titles with
 * units) and the table under it, already formatted (the specs in spec.ts). Pure, so it is tested
 * without a browser; html.ts turns it into the page and the page's script turns each ChartSpec
 * into a Chart.js chart.
 */

export interface SummaryItem {
  readonly label: string;
  readonly value: string;
}

export interface ReportModel {
  readonly title: string;
  /** ISO-8601 time the report was made (given, so the model stays pure). */
  readonly generatedAt: string;
  /** The dates the queries read, when bounded (a stage's report); absent for a whole local lake. */
  readonly span?: ReportSpan;
  readonly summary: readonly SummaryItem[];
  readonly charts: readonly ChartSpec[];
  readonly tables: readonly TableSection[];
  readonly alerts: TableSpec;
  readonly alertsEmptyMessage: string | null;
}

export interface ModelOptions {
  readonly generatedAt: string;
  readonly span?: ReportSpan;
  readonly title?: string;
  /** Most CTR lines drawn per campaign panel (series with alerts first, then the most tapped); all are in the table. */
  readonly maxCtrSeries?: number;
  /** Most campaigns given a CTR panel (alerted first, then the most tapped); the others are in a table. */
  readonly maxCtrPanels?: number;
  /** Most experiments charted (the most recently evaluated); the others are in a table. */
  readonly maxExperiments?: number;
}

function summaryOf(data: ReportData): SummaryItem[] {
  const dates = continuousDates([...data.ctrOverTime.map((r) => r.dt), ...data.dailyVolume.map((r) => r.day)]);
  const delivered = data.funnel.reduce((sum, r) => sum + r.messages_delivered, 0);
  const tapped = data.funnel.reduce((sum, r) => sum + r.messages_tapped, 0);
  const quarantined = data.quarantine.reduce((sum, r) => sum + r.quarantined_rows, 0);
  const conversions = data.revenueByButton.reduce((sum, r) => sum + r.conversions, 0);
  const revenue = new Map<string, number>();
  for (const r of data.revenueByButton) if (r.currency !== null && r.revenue !== null) revenue.set(r.currency, (revenue.get(r.currency) ?? 0) + r.revenue);
  // Largest first; each currency on its own, never added to another.
  const revenueText = [...revenue.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([c, v]) => formatMoney(v, c)).join(' · ');
  return [
    { label: dates.length === 0 ? 'Period' : `Period (${dates.length} ${dates.length === 1 ? 'day' : 'days'})`, value: dates.length === 0 ? 'no data' : `${dates[0]} → ${dates[dates.length - 1]}` },
    { label: 'Messages delivered', value: formatCount(delivered) },
    { label: 'Messages tapped', value: formatCount(tapped) },
    { label: 'Tapped / delivered', value: formatPercent(ratio(tapped, delivered)) },
    { label: 'Conversions', value: formatCount(conversions) },
    { label: 'Revenue', value: revenueText === '' ? '–' : revenueText },
    { label: 'Alerts', value: formatCount(data.alerts.length) },
    { label: 'Quarantined rows', value: formatCount(quarantined) },
  ];
}

/** The whole dashboard model from the report's query rows. */
export function buildReportModel(data: ReportData, options: ModelOptions): ReportModel {
  const revenue = revenueSection(data.revenueByButton);
  const ctr = ctrOverTimeSection(data.ctrOverTime, data.alerts, { maxSeries: options.maxCtrSeries ?? 8, maxPanels: options.maxCtrPanels ?? 8 });
  const experiments = experimentsSection(data.experiments, options.maxExperiments);
  const revenueRest: TableSection[] =
    revenue.rest === null
      ? []
      : [{ id: 'revenue-other', title: 'Revenue per button, other currencies', description: 'Currencies beyond the charted ones, each on its own row: amounts in different currencies are never added.', table: revenue.rest }];
  return {
    title: options.title ?? 'WhatsApp button analytics',
    generatedAt: options.generatedAt,
    ...(options.span === undefined ? {} : { span: options.span }),
    summary: summaryOf(data),
    charts: [
      ...(data.today === undefined ? [] : [todayChart(data.today)]),
      ...ctr.charts,
      ctrByPositionChart(data.ctrByPosition),
      funnelChart(data.funnel),
      conversionRateChart(data.conversionByButton),
      ...revenue.charts,
      timeToConvertChart(data.timeToConvert),
      ...experiments.charts,
      timeToTapChart(data.timeToTap),
      volumeChart(data.dailyVolume),
      quarantineChart(data.quarantine),
    ],
    tables: [...(ctr.rest === null ? [] : [ctr.rest]), ...revenueRest, ...(experiments.rest === null ? [] : [experiments.rest])],
    alerts: alertsTable(data.alerts),
    alertsEmptyMessage: data.alerts.length === 0 ? 'No alerts: no button broke from its own history.' : null,
  };
}
