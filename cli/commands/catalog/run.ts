import { existsSync } from 'node:fs';
import { describeRepair, LocalCatalog, type CatalogRepair } from '../../../shared/adapters/local/catalog';
import { resolveDataDir, type Env } from '../../../shared/config/local';
import { InputError } from '../../../shared/errors';

export interface CatalogRepairOptions {
  readonly dataDir?: string;
}

/**
 * `catalog repair`: rebuilds the catalog from the lake (like Athena's MSCK REPAIR TABLE): every
 * `dt=` partition found under the tables' prefixes is registered, and a catalog file that cannot
 * be read or written is first moved aside. Safe while `start` runs (registering twice is a no-op).
 */
export async function runCatalogRepair(options: CatalogRepairOptions, out: (text: string) => void, env: Env = process.env): Promise<CatalogRepair> {
  const dataDir = resolveDataDir(env, { dataDir: options.dataDir });
  if (!existsSync(dataDir)) throw new InputError(`no local data at ${dataDir} (pass --data-dir)`);
  const report = await LocalCatalog.repairDataDir(dataDir);
  out(`catalog repair: ${describeRepair(report)}\n`);
  return report;
}
