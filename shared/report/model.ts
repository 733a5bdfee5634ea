import { continuousDates, ctrByPositionChart, funnelChart, quarantineChart, timeToTapChart, volumeChart } from './charts';
import { alertsTable, ctrOverTimeChart } from './ctr-chart';
import { formatCount, formatPercent, ratio } from './format';
import type { ReportData } from './queries';
import type { ChartSpec, TableSpec } from './spec';

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
  readonly summary: readonly SummaryItem[];
  readonly charts: readonly ChartSpec[];
  readonly alerts: TableSpec;
  readonly alertsEmptyMessage: string | null;
}

export interface ModelOptions {
  readonly generatedAt: string;
  readonly title?: string;
  /** Most CTR lines drawn (series with alerts first, then the most tapped); all are in the table. */
  readonly maxCtrSeries?: number;
}

function summaryOf(data: ReportData): SummaryItem[] {
  const dates = continuousDates([...data.ctrOverTime.map((r) => r.dt), ...data.dailyVolume.map((r) => r.day)]);
  const delivered = data.funnel.reduce((sum, r) => sum + r.messages_delivered, 0);
  const tapped = data.funnel.reduce((sum, r) => sum + r.messages_tapped, 0);
  const quarantined = data.quarantine.reduce((sum, r) => sum + r.quarantined_rows, 0);
  return [
    { label: dates.length === 0 ? 'Period' : `Period (${dates.length} ${dates.length === 1 ? 'day' : 'days'})`, value: dates.length === 0 ? 'no data' : `${dates[0]} → ${dates[dates.length - 1]}` },
    { label: 'Messages delivered', value: formatCount(delivered) },
    { label: 'Messages tapped', value: formatCount(tapped) },
    { label: 'Tapped / delivered', value: formatPercent(ratio(tapped, delivered)) },
    { label: 'Alerts', value: formatCount(data.alerts.length) },
    { label: 'Quarantined rows', value: formatCount(quarantined) },
  ];
}

/** The whole dashboard model from the report's query rows. */
export function buildReportModel(data: ReportData, options: ModelOptions): ReportModel {
  return {
    title: options.title ?? 'WhatsApp button analytics',
    generatedAt: options.generatedAt,
    summary: summaryOf(data),
    charts: [
      ctrOverTimeChart(data.ctrOverTime, data.alerts, options.maxCtrSeries ?? 8),
      ctrByPositionChart(data.ctrByPosition),
      funnelChart(data.funnel),
      timeToTapChart(data.timeToTap),
      volumeChart(data.dailyVolume),
      quarantineChart(data.quarantine),
    ],
    alerts: alertsTable(data.alerts),
    alertsEmptyMessage: data.alerts.length === 0 ? 'No alerts: no button broke from its own history.' : null,
  };
}
