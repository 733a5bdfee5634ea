import type { QueryEngine } from '../ports/query-engine';
import { databaseName } from '../schema/tables';
import type { DialectName } from '../sql/dialect';
import { readTodayRows, type TodayClock, type TodayWindows } from '../today/read';
import type { ReportData } from './queries';
import { showsToday } from './today-chart';

/**
 * The report's data with today's running numbers added when the page shows them (see
 * showsToday): one more query, today/by-button.sql, on the same engine as the others.
 */
export async function withToday(data: ReportData, engine: QueryEngine, dialect: DialectName, clock: TodayClock, windows: TodayWindows = {}, database: string = databaseName): Promise<ReportData> {
  const today = { clock, rows: await readTodayRows(engine, dialect, clock.date, windows, database) };
  const dates = [...data.ctrOverTime.map((r) => r.dt), ...data.dailyVolume.map((r) => r.day)].sort();
  return showsToday(today, dates.at(-1) ?? null) ? { ...data, today } : data;
}
