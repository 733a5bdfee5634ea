import { QueryError } from '../errors';
import type { QueryEngine, QueryRow } from '../ports/query-engine';
import { anomalyColumns, dailyCtrColumns, experimentColumns } from '../schema/columns';
import { databaseName } from '../schema/tables';
import type { ExperimentRow } from '../schema/types';
import { num, numOrNull, schemaColumns, schemaRow, str, strOrNull } from '../sql/decode';
import type { DialectName } from '../sql/dialect';
import type { QueryName } from '../sql/query-files';
import { renderSql } from '../sql/render';
import { runQuery } from '../sql/run-query';
import { wholeLake, type ReportSpan } from './span';
import type { TodaySoFar } from './today-chart';

/**
 * The dashboard's data: one query per `shared/sql/queries/report/<name>.sql` file, rendered for
 * the engine behind the QueryEngine port (DuckDB locally, Athena on a stage) by the project's one
 * renderer, over the partitions of one span of dates, and the typed rows each returns.
 */

export const reportQueryNames = [
  'ctr-over-time',
  'ctr-by-position',
  'funnel',
  'conversion-by-button',
  'revenue-by-button',
  'time-to-convert',
  'time-to-tap',
  'daily-volume',
  'quarantine',
  'alerts',
  'experiments',
] as const;
export type ReportQueryName = (typeof reportQueryNames)[number];

export interface CtrPointRow {
  readonly dt: string;
  readonly campaign_id: string;
  readonly template_name: string | null;
  readonly button_id: string | null;
  readonly button_title: string | null;
  readonly messages_delivered: number;
  readonly clicked_messages: number;
  readonly clicks: number;
  readonly ctr: number | null;
}
export interface PositionRow {
  readonly button_position: number;
  readonly messages_delivered: number;
  readonly clicked_messages: number;
  readonly clicks: number;
  readonly ctr: number | null;
}
export interface FunnelRow {
  readonly campaign_id: string;
  readonly messages_sent: number;
  readonly messages_delivered: number;
  readonly messages_read: number;
  readonly messages_tapped: number;
  /** Null when no cohort of the campaign was counted with conversions (partitions written before them). */
  readonly messages_converted: number | null;
  readonly conversions: number | null;
}
/** A button of a campaign, as the conversion charts name it. */
export interface ButtonKey {
  readonly campaign_id: string;
  readonly template_name: string | null;
  /** Null for unattributed conversions (no tap to credit). */
  readonly button_id: string | null;
  readonly button_title: string | null;
}
export interface ConversionRateRow extends ButtonKey {
  readonly clicked_messages: number;
  readonly converted_messages: number;
  readonly conversions: number;
  readonly conversion_rate: number | null;
}
export interface RevenueRow extends ButtonKey {
  /** Null for conversions without a value (sign-ups). */
  readonly currency: string | null;
  readonly conversions: number;
  readonly revenue: number | null;
}
export interface TimeToConvertRow extends ButtonKey {
  readonly conversions: number;
  readonly typical_seconds: number | null;
}
export interface TimeToTapRow {
  readonly lower_seconds: number;
  readonly taps: number;
}
export interface VolumeRow {
  readonly day: string;
  readonly messages_sent: number;
  readonly messages_delivered: number;
  readonly taps: number;
}
export interface QuarantineRow {
  readonly arrival_date: string;
  readonly reason: string;
  readonly quarantined_rows: number;
}
export interface AlertRow {
  readonly dt: string;
  readonly campaign_id: string;
  readonly template_name: string | null;
  readonly button_id: string | null;
  readonly metric: string;
  readonly kind: string;
  readonly observed: number | null;
  readonly expected: number | null;
  readonly lower: number | null;
  readonly upper: number | null;
  readonly score: number | null;
  readonly baseline_days: number | null;
}

/** One evaluation of the experiments table: its date (`dt`) and the row the workflow wrote. */
export interface ExperimentPointRow extends ExperimentRow {
  readonly dt: string;
}

/** Everything the report shows, as typed rows. */
export interface ReportData {
  readonly ctrOverTime: readonly CtrPointRow[];
  readonly ctrByPosition: readonly PositionRow[];
  readonly funnel: readonly FunnelRow[];
  readonly conversionByButton: readonly ConversionRateRow[];
  readonly revenueByButton: readonly RevenueRow[];
  readonly timeToConvert: readonly TimeToConvertRow[];
  readonly timeToTap: readonly TimeToTapRow[];
  readonly dailyVolume: readonly VolumeRow[];
  readonly quarantine: readonly QuarantineRow[];
  readonly alerts: readonly AlertRow[];
  readonly experiments: readonly ExperimentPointRow[];
  /** Today's running numbers (shared/report/today-chart.ts), when the report is built during the day it shows. */
  readonly today?: TodaySoFar;
}

const queryOf = (name: ReportQueryName): QueryName => `report/${name}`;

/** Where the report's queries run: the engine's dialect, the catalog database and the span of dates. */
export interface ReportSource {
  /** Default `duckdb` (the local engine). */
  readonly dialect?: DialectName;
  /** The catalog database the queries name; default the local one (`whatsapp_analytics`). */
  readonly database?: string;
  /** Default: the whole lake. */
  readonly span?: ReportSpan;
}

function callOf(name: ReportQueryName, source: ReportSource) {
  const span = source.span ?? wholeLake;
  return { name: queryOf(name), params: { database: source.database ?? databaseName, from_dt: span.from, to_dt: span.to }, dialect: source.dialect ?? 'duckdb' } as const;
}

/** The SQL of one report query (by default for the local engine over the whole lake). Throws TemplateError on a bad file. */
export function renderReportSql(name: ReportQueryName, source: ReportSource = {}): string {
  const call = callOf(name, source);
  return renderSql(call.name, call.params, call.dialect);
}

const buttonKey = (r: QueryRow): ButtonKey => ({
  campaign_id: str(r, 'campaign_id'),
  template_name: strOrNull(r, 'template_name'),
  button_id: strOrNull(r, 'button_id'),
  button_title: strOrNull(r, 'button_title'),
});

const converters = {
  'ctr-over-time': (r): CtrPointRow => ({
    dt: str(r, 'dt'),
    ...schemaColumns(dailyCtrColumns, ['campaign_id', 'template_name', 'button_id', 'button_title', 'messages_delivered', 'clicked_messages', 'clicks', 'ctr'], r),
  }),
  'ctr-by-position': (r): PositionRow => ({
    button_position: num(r, 'button_position'),
    messages_delivered: num(r, 'messages_delivered'),
    clicked_messages: num(r, 'clicked_messages'),
    clicks: num(r, 'clicks'),
    ctr: numOrNull(r, 'ctr'),
  }),
  funnel: (r): FunnelRow => ({
    campaign_id: str(r, 'campaign_id'),
    messages_sent: num(r, 'messages_sent'),
    messages_delivered: num(r, 'messages_delivered'),
    messages_read: num(r, 'messages_read'),
    messages_tapped: num(r, 'messages_tapped'),
    messages_converted: numOrNull(r, 'messages_converted'),
    conversions: numOrNull(r, 'conversions'),
  }),
  'conversion-by-button': (r): ConversionRateRow => ({
    ...buttonKey(r),
    clicked_messages: num(r, 'clicked_messages'),
    converted_messages: num(r, 'converted_messages'),
    conversions: num(r, 'conversions'),
    conversion_rate: numOrNull(r, 'conversion_rate'),
  }),
  'revenue-by-button': (r): RevenueRow => ({ ...buttonKey(r), currency: strOrNull(r, 'currency'), conversions: num(r, 'conversions'), revenue: numOrNull(r, 'revenue') }),
  'time-to-convert': (r): TimeToConvertRow => ({ ...buttonKey(r), conversions: num(r, 'conversions'), typical_seconds: numOrNull(r, 'typical_seconds') }),
  'time-to-tap': (r): TimeToTapRow => ({ lower_seconds: num(r, 'lower_seconds'), taps: num(r, 'taps') }),
  'daily-volume': (r): VolumeRow => ({
    day: str(r, 'day'),
    messages_sent: num(r, 'messages_sent'),
    messages_delivered: num(r, 'messages_delivered'),
    taps: num(r, 'taps'),
  }),
  quarantine: (r): QuarantineRow => ({ arrival_date: str(r, 'arrival_date'), reason: str(r, 'reason'), quarantined_rows: num(r, 'quarantined_rows') }),
  alerts: (r): AlertRow => ({
    dt: str(r, 'dt'),
    ...schemaColumns(anomalyColumns, ['campaign_id', 'template_name', 'button_id', 'metric', 'kind', 'observed', 'expected', 'lower', 'upper', 'score', 'baseline_days'], r),
  }),
  experiments: (r): ExperimentPointRow => ({ dt: str(r, 'dt'), ...schemaRow(experimentColumns, r) }),
} satisfies Record<ReportQueryName, (row: QueryRow) => unknown>;

type RowOfQuery<K extends ReportQueryName> = ReturnType<(typeof converters)[K]>;

// Athena's words when the workgroup's BytesScannedCutoffPerQuery cancels a query.
const SCAN_CUTOFF_RE = /bytes scanned limit/i;

/**
 * Runs every report query on the engine, one after the other: the local engine is serial anyway,
 * and on Athena eleven small queries in turn stay clear of the account's concurrent-query quota
 * the workflow's Map states share. A query the workgroup's scan cutoff cancelled says to narrow
 * the span. Engine errors other than QueryError pass through (the workflow's Retry matches them).
 */
export async function loadReportData(engine: QueryEngine, source: ReportSource = {}): Promise<ReportData> {
  const run = async <K extends ReportQueryName>(name: K): Promise<RowOfQuery<K>[]> => {
    const decode = converters[name] as (row: QueryRow) => RowOfQuery<K>;
    try {
      return await runQuery(engine, callOf(name, source), decode);
    } catch (error) {
      if (!(error instanceof QueryError)) throw error;
      const hint = SCAN_CUTOFF_RE.test(error.message) ? ' (the workgroup scan cutoff stopped it: give a shorter span with --from/--to)' : '';
      throw new QueryError(`report query ${name}: ${error.message}${hint}`, { cause: error });
    }
  };
  return {
    ctrOverTime: await run('ctr-over-time'),
    ctrByPosition: await run('ctr-by-position'),
    funnel: await run('funnel'),
    conversionByButton: await run('conversion-by-button'),
    revenueByButton: await run('revenue-by-button'),
    timeToConvert: await run('time-to-convert'),
    timeToTap: await run('time-to-tap'),
    dailyVolume: await run('daily-volume'),
    quarantine: await run('quarantine'),
    alerts: await run('alerts'),
    experiments: await run('experiments'),
  };
}
