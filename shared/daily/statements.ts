import { databaseName, tables, type TableName } from '../schema/tables';
import { athenaCtas, type AthenaCtas, type Dialect, type DialectName } from '../sql/dialect';
import { renderSql } from '../sql/render';
import { attributionWindowMs, cohortSpans, curatedSourceSpan } from './window';

/**
 * The daily workflow's statements for one date, ready for an engine: the SELECTs rendered from
 * shared/sql/queries and, for Athena, the CTAS/DROP pair around them. `database` is the catalog
 * database the statements name: the stage's Glue database on AWS (GLUE_DATABASE, it differs per
 * stage), `databaseName` by default (the local engine's).
 */

/** Tables the daily workflow rebuilds one partition at a time. */
export const dailyTables = ['events', 'daily_ctr', 'daily_conversions', 'daily_experiments'] as const;
export type DailyTable = (typeof dailyTables)[number];

/** The two windows every rebuild depends on: late arrivals and attribution. */
export interface DailyWindows {
  readonly lookbackDays: number;
  readonly attributionDays: number;
}

/** SELECT of the curated `events` rows of one event date. */
export function curatedEventsSelect(dialect: DialectName | Dialect, eventDate: string, lookbackDays: number, database: string = databaseName): string {
  const span = curatedSourceSpan(eventDate, lookbackDays);
  return renderSql('curated-events', { database, event_date: eventDate, from_dt: span.from, to_dt: span.to }, dialect);
}

/** The cohort tables' queries, by table: one span, one set of parameters for all of them. */
const cohortQueries = { daily_ctr: 'daily-ctr', daily_conversions: 'daily-conversions', daily_experiments: 'daily-experiments' } as const;
type CohortQuery = (typeof cohortQueries)[keyof typeof cohortQueries];

/** SELECT of the `daily_ctr`, `daily_conversions` or `daily_experiments` rows of one cohort date. */
export function cohortSelect(query: CohortQuery, dialect: DialectName | Dialect, cohortDate: string, windows: DailyWindows, database: string = databaseName): string {
  const spans = cohortSpans(cohortDate, windows.lookbackDays, windows.attributionDays);
  return renderSql(
    query,
    {
      database,
      cohort_date: cohortDate,
      from_dt: spans.read.from,
      to_dt: spans.read.to,
      count_from_dt: spans.counted.from,
      count_to_dt: spans.counted.to,
      conv_from_dt: spans.conversions.from,
      lookback_days: windows.lookbackDays,
      window_ms: attributionWindowMs(windows.attributionDays),
    },
    dialect,
  );
}

/** SELECT of the `daily_ctr` rows of one cohort date. */
export function dailyCtrSelect(dialect: DialectName | Dialect, cohortDate: string, windows: DailyWindows, database: string = databaseName): string {
  return cohortSelect('daily-ctr', dialect, cohortDate, windows, database);
}

/** SELECT of the `daily_conversions` rows of one cohort date. */
export function dailyConversionsSelect(dialect: DialectName | Dialect, cohortDate: string, windows: DailyWindows, database: string = databaseName): string {
  return cohortSelect('daily-conversions', dialect, cohortDate, windows, database);
}

/** SELECT of one daily table's partition `dt`. */
export function dailySelect(table: DailyTable, dialect: DialectName | Dialect, dt: string, windows: DailyWindows, database: string = databaseName): string {
  if (table === 'events') return curatedEventsSelect(dialect, dt, windows.lookbackDays, database);
  return cohortSelect(cohortQueries[table], dialect, dt, windows, database);
}


/** Temporary CTAS table name of one partition, unique per table and date (`tmp_events_20240501`). */
export function tempTableName(table: TableName, dt: string): string {
  return `tmp_${table}_${dt.replace(/-/g, '')}`;
}

/**
 * Athena statements writing `select` as partition `dt` of a table. The caller clears
 * `s3://bucket/<keyPrefix>` first, runs `create` then `drop`, then registers partition `dt` in Glue.
 */
export function athenaWriteStatements(table: TableName, opts: { bucket: string; dt: string; select: string; database?: string }): AthenaCtas & { keyPrefix: string } {
  const database = opts.database ?? databaseName;
  const keyPrefix = `${tables[table].prefix}dt=${opts.dt}/`;
  return { ...athenaCtas({ database, tempTable: tempTableName(table, opts.dt), bucket: opts.bucket, keyPrefix, select: opts.select }), keyPrefix };
}

/** Athena statements of one partition rebuild of `events` / `daily_ctr` (see athenaWriteStatements). */
export function athenaPartitionStatements(
  table: DailyTable,
  opts: { bucket: string; dt: string; windows: DailyWindows; database?: string },
): AthenaCtas & { keyPrefix: string } {
  const select = dailySelect(table, 'athena', opts.dt, opts.windows, opts.database ?? databaseName);
  return athenaWriteStatements(table, { bucket: opts.bucket, dt: opts.dt, select, database: opts.database });
}
