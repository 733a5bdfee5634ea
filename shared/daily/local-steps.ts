import { LocalPartitionWriter, type LocalWriterPorts } from '../adapters/local/partition-writer';
import { dailySelect, type DailyTable } from './statements';
import { eventDateWindow } from './window';

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

/** Rebuilds partition `dt` of `events` or `daily_ctr` from the registered partitions it reads. */
export async function rebuildPartitionLocal(ports: LocalWriterPorts, table: DailyTable, dt: string, lookbackDays: number): Promise<PartitionBuild> {
  const { file, rows } = await new LocalPartitionWriter(ports).writeFile(table, dt, dailySelect(table, 'duckdb', dt, lookbackDays));
  return { table, dt, file, rows };
}

/**
 * Steps 2 and 3 for a target date: curated events for every event date of the window (oldest
 * first), then daily_ctr for every cohort date of the window. Raw partitions must be registered
 * before (see rawPartitionsToRegister).
 */
export async function runDailyLocal(ports: LocalWriterPorts, target: string, lookbackDays: number): Promise<PartitionBuild[]> {
  const days = eventDateWindow(target, lookbackDays);
  const builds: PartitionBuild[] = [];
  for (const dt of days) builds.push(await rebuildPartitionLocal(ports, 'events', dt, lookbackDays));
  for (const dt of days) builds.push(await rebuildPartitionLocal(ports, 'daily_ctr', dt, lookbackDays));
  return builds;
}
