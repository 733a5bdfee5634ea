import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { describeRepair, LocalCatalog, type CatalogRepair } from '../../../shared/adapters/local/catalog';
import { resolveDataDir, type Env } from '../../../shared/config/local';
import { InputError } from '../../../shared/errors';
import type { RegisterCommand } from './index';

export interface CatalogRepairOptions {
  readonly dataDir?: string;
}

/** The note `query` and the others print when the catalog was missing and had to be rebuilt. */
export function rebuiltNote(catalog: LocalCatalog): string | null {
  return catalog.rebuilt === null ? null : `wa-analytics: ${catalog.path} was missing: rebuilt it from the lake: ${describeRepair(catalog.rebuilt)}`;
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

export const registerCatalog: RegisterCommand = (program: Command) => {
  const catalog = program.command('catalog').description('the local catalog (catalog.duckdb): tables and registered partitions');
  catalog
    .command('repair')
    .description('rebuild the catalog from the lake: register every partition found, replacing a damaged catalog file')
    .option('--data-dir <dir>', 'the local data directory (default: $WA_DATA_DIR or ./.wa-analytics)')
    .action(async (options: CatalogRepairOptions) => {
      await runCatalogRepair(options, (text) => process.stdout.write(text));
    });
};
