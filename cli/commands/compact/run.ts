import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { LocalCatalog } from '../../../shared/adapters/local/catalog';
import { readTimeZone, resolveDataDir, type Env } from '../../../shared/config/local';
import { InputError } from '../../../shared/errors';
import { readCheckpoint } from '../../../local/checkpoint';
import { DataDirLock } from '../../../local/data-dir-lock';
import { maintainLake, type MaintenanceReport } from '../../../local/maintenance';
import { parseRetentionDays } from '../../../local/retention';

export interface CompactOptions {
  readonly dataDir?: string;
  readonly retentionDays?: string;
}

/**
 * `compact`: merges every closed arrival day's raw objects into few (atomically, same rows in the
 * same order) and, with --retention-days, first drops partitions older than that. It takes the
 * data dir's writer lock, so it refuses while `start` runs (which compacts after each daily run).
 */
export async function runCompact(options: CompactOptions, out: (text: string) => void, env: Env = process.env): Promise<MaintenanceReport> {
  const retentionDays = options.retentionDays === undefined ? null : parseRetentionDays(options.retentionDays);
  const timeZone = readTimeZone(env);
  const dataDir = resolveDataDir(env, { dataDir: options.dataDir });
  if (!existsSync(dataDir)) throw new InputError(`no local data at ${dataDir} (pass --data-dir)`);
  const lock = await DataDirLock.acquire(dataDir, 'compact', (stale) => out(`compact: took over the writer lock of PID ${stale.pid} (${stale.command}), which is no longer running\n`));
  try {
    const catalog = await LocalCatalog.open(dataDir);
    // Objects of a delivery not yet checkpointed are left alone: the next start may rewrite them.
    const { flushed } = await readCheckpoint(join(dataDir, 'wal'));
    const report = await maintainLake({ catalog, timeZone, flushed, retentionDays });
    for (const line of report.lines) out(`${line}\n`);
    return report;
  } finally {
    await lock.release();
  }
}
