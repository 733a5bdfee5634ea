import { attributionWindowMs, defaultAttributionDays, defaultLookbackDays, sameDayPartitions, type DateSpan } from '../daily/window';
import type { QueryEngine } from '../ports/query-engine';
import { dailyCtrColumns } from '../schema/columns';
import { databaseName } from '../schema/tables';
import type { DailyCtrRow } from '../schema/types';
import { schemaRow } from '../sql/decode';
import type { DialectName } from '../sql/dialect';
import { runQuery } from '../sql/run-query';
import { addDays, dateInZone } from '../time';

/**
 * Today's running numbers (`wa-analytics today`, the dashboard's "today so far"): the daily_ctr
 * rows of today's cohort, computed by today/by-button.sql from the raw arrival partitions the
 * workflow registers ahead (shared/daily/window.ts sameDayPartitions), on either engine.
 */

/** What "today" is: a date in the reporting time zone, and the clock reading it was taken at. */
export interface TodayClock {
  /** Today in the reporting time zone, YYYY-MM-DD. */
  readonly date: string;
  readonly timeZone: string;
  /** The instant "so far" means, epoch ms. */
  readonly asOf: number;
}

/** Today in `timeZone` at `now` (epoch ms). */
export function todayIn(timeZone: string, now: number): TodayClock {
  return { date: dateInZone(now, timeZone), timeZone, asOf: now };
}

/** The windows the running numbers use (the stage's, or the defaults). */
export interface TodayWindows {
  readonly lookbackDays?: number;
  readonly attributionDays?: number;
}

/**
 * Raw arrival partitions today's numbers read: from today − lookback − 1 (a status or tap of today
 * on an older message finds that message's send, so it stays in its own cohort, as daily_ctr
 * counts it) to tomorrow (the last same-day partition registered ahead).
 */
export function todayReadSpan(today: string, lookbackDays: number = defaultLookbackDays): DateSpan {
  const sameDay = sameDayPartitions(today);
  return { from: addDays(today, -lookbackDays - 1), to: sameDay[sameDay.length - 1]! };
}

/** The query call of today's rows, for an engine's dialect and a catalog database. */
export function todayQueryParams(today: string, windows: TodayWindows = {}, database: string = databaseName) {
  const lookbackDays = windows.lookbackDays ?? defaultLookbackDays;
  const span = todayReadSpan(today, lookbackDays);
  return {
    database,
    cohort_date: today,
    from_dt: span.from,
    to_dt: span.to,
    conv_from_dt: today,
    lookback_days: lookbackDays,
    window_ms: attributionWindowMs(windows.attributionDays ?? defaultAttributionDays),
  };
}

/** Today's rows per campaign, template and button (daily_ctr columns), ordered as the query orders them. */
export async function readTodayRows(engine: QueryEngine, dialect: DialectName, today: string, windows: TodayWindows = {}, database: string = databaseName): Promise<DailyCtrRow[]> {
  return runQuery(engine, { name: 'today/by-button', params: todayQueryParams(today, windows, database), dialect }, (r) => schemaRow(dailyCtrColumns, r));
}

/** The time of day of `asOf` in the clock's time zone, 24-hour "HH:MM". */
export function timeOfDay(clock: TodayClock): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone: clock.timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(clock.asOf);
}
