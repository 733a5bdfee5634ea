import { readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { LocalCatalog } from '../shared/adapters/local/catalog';
import { errorOutputTypes, lakePath } from '../shared/adapters/local/lake';
import { detectorConfig } from '../shared/anomaly/config';
import { defaultAttributionDays, defaultLookbackDays, workflowReadSpan } from '../shared/daily/window';
import { errorMessage, InputError, StorageError } from '../shared/errors';
import { errorPrefix, tables, type TableName } from '../shared/schema/tables';
import { addDays, dateRange, isIsoDate } from '../shared/time';

/**
 * The fewest days retention may keep: everything one daily run reads for yesterday (raw arrivals,
 * curated history for the cohorts, the anomaly baseline), so a run never finds its input dropped.
 */
export function minRetentionDays(): number {
  const today = '2001-01-01'; // the span's length does not depend on the date
  const span = workflowReadSpan(addDays(today, -1), defaultLookbackDays, detectorConfig.windowDays, defaultAttributionDays);
  return dateRange(span.from, today).length - 1;
}

/** Parses `--retention-days`: a whole number of days from the minimum to 100 years. */
export function parseRetentionDays(value: string): number {
  const min = minRetentionDays();
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n < min || n > 36_500) {
    throw new InputError(`--retention-days must be a whole number of days from ${min} (what a daily run reads) to 36500 (got "${value}")`);
  }
  return n;
}

/** One partition folder that retention removed. */
export interface DroppedPartition {
  /** A table, or `errors` for Firehose's error output. */
  readonly table: TableName | 'errors';
  readonly dt: string;
}

async function listDir(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/**
 * Drops whole partitions older than `days` before `today` (dt < today − days), as an S3 lifecycle
 * expiration does: every table's partitions (raw arrivals, curated events, daily_ctr, anomalies)
 * and the error output's days. Each folder is first renamed to a dot name, which readers and the
 * catalog repair ignore, then unregistered, then deleted: a crash in between leaves a partition
 * that reads as empty, and the next run finishes the job.
 */
export async function applyRetention(catalog: LocalCatalog, today: string, days: number): Promise<DroppedPartition[]> {
  const cutoff = addDays(today, -days);
  const dropped: DroppedPartition[] = [];
  const prefixes: Array<[TableName | 'errors', string]> = [
    ...Object.values(tables).map((t): [TableName, string] => [t.name, t.prefix]),
    ...errorOutputTypes.map((type): ['errors', string] => ['errors', `${errorPrefix}${type}/`]),
  ];
  try {
    for (const [table, prefix] of prefixes) {
      const dir = lakePath(catalog.lakeDir, prefix);
      const names = await listDir(dir);
      const inLake = names.flatMap((n) => (n.startsWith('dt=') && isIsoDate(n.slice(3)) ? [n.slice(3)] : []));
      const registered = table === 'errors' ? [] : await catalog.listPartitions(table);
      const old = [...new Set([...inLake, ...registered])].filter((dt) => dt < cutoff).sort();
      const aside: string[] = names.filter((n) => n.startsWith('.dt=') && n.endsWith('.dropping')).map((n) => join(dir, n));
      for (const dt of old.filter((d) => inLake.includes(d))) {
        const target = join(dir, `.dt=${dt}.dropping`);
        await rm(target, { recursive: true, force: true });
        await rename(join(dir, `dt=${dt}`), target);
        aside.push(target);
      }
      if (table !== 'errors') await catalog.dropPartitions(table, old);
      for (const path of aside) await rm(path, { recursive: true, force: true });
      dropped.push(...old.map((dt) => ({ table, dt })));
    }
  } catch (error) {
    if (error instanceof StorageError) throw error;
    throw new StorageError(`retention: ${errorMessage(error)}`, { cause: error });
  }
  return dropped;
}

/** One line for the operator. */
export function describeRetention(days: number, dropped: readonly DroppedPartition[]): string {
  const oldest = dropped.map((d) => d.dt).sort()[0];
  return dropped.length === 0 ? `retention ${days} days: nothing older to drop` : `retention ${days} days: dropped ${dropped.length} partitions (oldest ${oldest})`;
}
