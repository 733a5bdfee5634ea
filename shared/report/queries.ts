import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { errorMessage, QueryError, TemplateError } from '../errors';
import type { QueryEngine, QueryRow, QueryValue } from '../ports/query-engine';
import { databaseName } from '../schema/tables';
import { renderTemplate } from '../sql/render';

/**
 * The dashboard's data: one query per `queries/<name>.sql` file (DuckDB dialect, rendered by the
 * project's template renderer, so the `-- params:` header is checked the same way), and the typed
 * rows each returns. Kept apart from shared/sql because these run on the local engine only.
 */

export const reportQueryNames = ['ctr-over-time', 'ctr-by-position', 'funnel', 'time-to-tap', 'daily-volume', 'quarantine', 'alerts'] as const;
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

/** Everything the report shows, as typed rows. */
export interface ReportData {
  readonly ctrOverTime: readonly CtrPointRow[];
  readonly ctrByPosition: readonly PositionRow[];
  readonly funnel: readonly FunnelRow[];
  readonly timeToTap: readonly TimeToTapRow[];
  readonly dailyVolume: readonly VolumeRow[];
  readonly quarantine: readonly QuarantineRow[];
  readonly alerts: readonly AlertRow[];
}

/** The directory holding the report's `.sql` files (next to this module). */
export const reportQueriesDir = join(__dirname, 'queries');

/** The SQL of one report query for the local engine. Throws TemplateError on a bad file. */
export function renderReportSql(name: ReportQueryName): string {
  const path = join(reportQueriesDir, `${name}.sql`);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new TemplateError(`cannot read ${path}: ${errorMessage(cause)}`, { cause });
  }
  try {
    return renderTemplate(text, { database: databaseName }, 'duckdb');
  } catch (error) {
    throw new TemplateError(`${name}.sql: ${errorMessage(error)}`, { cause: error });
  }
}

// Engine values are JSON-safe: big integers arrive as decimal strings, so numbers accept both.
function num(value: QueryValue | undefined): number | null {
  if (value === null || value === undefined) return null;
  const n = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(n) ? n : null;
}
function count(value: QueryValue | undefined): number {
  return num(value) ?? 0;
}
function text(value: QueryValue | undefined): string | null {
  return value === null || value === undefined ? null : String(value);
}
function req(value: QueryValue | undefined, fallback: string): string {
  return text(value) ?? fallback;
}

const converters = {
  'ctr-over-time': (r): CtrPointRow => ({
    dt: req(r.dt, ''),
    campaign_id: req(r.campaign_id, 'unattributed'),
    template_name: text(r.template_name),
    button_id: text(r.button_id),
    button_title: text(r.button_title),
    messages_delivered: count(r.messages_delivered),
    clicked_messages: count(r.clicked_messages),
    clicks: count(r.clicks),
    ctr: num(r.ctr),
  }),
  'ctr-by-position': (r): PositionRow => ({
    button_position: count(r.button_position),
    messages_delivered: count(r.messages_delivered),
    clicked_messages: count(r.clicked_messages),
    clicks: count(r.clicks),
    ctr: num(r.ctr),
  }),
  funnel: (r): FunnelRow => ({
    campaign_id: req(r.campaign_id, 'unattributed'),
    messages_sent: count(r.messages_sent),
    messages_delivered: count(r.messages_delivered),
    messages_read: count(r.messages_read),
    messages_tapped: count(r.messages_tapped),
  }),
  'time-to-tap': (r): TimeToTapRow => ({ lower_seconds: count(r.lower_seconds), taps: count(r.taps) }),
  'daily-volume': (r): VolumeRow => ({
    day: req(r.day, ''),
    messages_sent: count(r.messages_sent),
    messages_delivered: count(r.messages_delivered),
    taps: count(r.taps),
  }),
  quarantine: (r): QuarantineRow => ({ arrival_date: req(r.arrival_date, ''), reason: req(r.reason, 'unknown'), quarantined_rows: count(r.quarantined_rows) }),
  alerts: (r): AlertRow => ({
    dt: req(r.dt, ''),
    campaign_id: req(r.campaign_id, 'unattributed'),
    template_name: text(r.template_name),
    button_id: text(r.button_id),
    metric: req(r.metric, ''),
    kind: req(r.kind, ''),
    observed: num(r.observed),
    expected: num(r.expected),
    lower: num(r.lower),
    upper: num(r.upper),
    score: num(r.score),
    baseline_days: num(r.baseline_days),
  }),
} satisfies Record<ReportQueryName, (row: QueryRow) => unknown>;

type RowOfQuery<K extends ReportQueryName> = ReturnType<(typeof converters)[K]>;

/** Typed rows of one query's result rows. */
export function reportRows<K extends ReportQueryName>(name: K, rows: readonly QueryRow[]): RowOfQuery<K>[] {
  const convert = converters[name] as (row: QueryRow) => RowOfQuery<K>;
  return rows.map(convert);
}

/** Runs every report query on the engine, one after the other (the local engine is serial anyway). */
export async function loadReportData(engine: QueryEngine): Promise<ReportData> {
  const run = async <K extends ReportQueryName>(name: K): Promise<RowOfQuery<K>[]> => {
    try {
      return reportRows(name, (await engine.query(renderReportSql(name))).rows);
    } catch (error) {
      if (error instanceof QueryError) throw new QueryError(`report query ${name}: ${error.message}`, { cause: error });
      throw error;
    }
  };
  return {
    ctrOverTime: await run('ctr-over-time'),
    ctrByPosition: await run('ctr-by-position'),
    funnel: await run('funnel'),
    timeToTap: await run('time-to-tap'),
    dailyVolume: await run('daily-volume'),
    quarantine: await run('quarantine'),
    alerts: await run('alerts'),
  };
}
