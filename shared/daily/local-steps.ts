import { LocalPartitionWriter, type LocalWriterPorts } from '../adapters/local/partition-writer';
import { dailySelect, type DailyTable, type DailyWindows } from './statements';
import { cohortDateWindow, eventDateWindow } from './window';

/**
 * Steps 2 and 3 of the daily workflow on one machine, outside the state machine (the tests'
 * scenario lakes and the daily benchmark build their tables this way): the same SELECTs as on
 * Athena, written by the local partition writer.
 */

/** Outcome of one partition rebuild. */
export interface PartitionBuild {
  readonly table: DailyTable;
  readonly dt: string;
  readonly file: string;
  readonly rows: number;
}

/** Rebuilds partition `dt` of `events` or a cohort table from the registered partitions it reads. */
export async function rebuildPartitionLocal(ports: LocalWriterPorts, table: DailyTable, dt: string, windows: DailyWindows): Promise<PartitionBuild> {
  const { file, rows } = await new LocalPartitionWriter(ports).writeFile(table, dt, dailySelect(table, 'duckdb', dt, windows));
  return { table, dt, file, rows };
}

/**
 * Steps 2 and 3 for a target date: curated events for every event date of the window (oldest
 * first), then daily_ctr, daily_conversions and daily_experiments for every cohort date of the attribution window.
 * Raw partitions must be registered before (see rawPartitionsToRegister).
 */
export async function runDailyLocal(ports: LocalWriterPorts, target: string, windows: DailyWindows): Promise<PartitionBuild[]> {
  const builds: PartitionBuild[] = [];
  for (const dt of eventDateWindow(target, windows.lookbackDays)) builds.push(await rebuildPartitionLocal(ports, 'events', dt, windows));
  const cohorts = cohortDateWindow(target, windows.lookbackDays, windows.attributionDays);
  for (const dt of cohorts) builds.push(await rebuildPartitionLocal(ports, 'daily_ctr', dt, windows));
  for (const dt of cohorts) builds.push(await rebuildPartitionLocal(ports, 'daily_conversions', dt, windows));
  for (const dt of cohorts) builds.push(await rebuildPartitionLocal(ports, 'daily_experiments', dt, windows));
  return builds;
}
