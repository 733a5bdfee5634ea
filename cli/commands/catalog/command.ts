import type { RegisterCommand } from '../../register';
import type { CatalogRepairOptions } from './run';

/** `catalog repair`: the local catalog rebuilt from the lake. */
export const registerCatalog: RegisterCommand = (program) => {
  const catalog = program.command('catalog').description('the local catalog (catalog.duckdb): tables and registered partitions');
  catalog
    .command('repair')
    .description('rebuild the catalog from the lake: register every partition found, replacing a damaged catalog file')
    .option('--data-dir <dir>', 'the local data directory (default: $WA_DATA_DIR or ./.wa-analytics)')
    .action(async (options: CatalogRepairOptions) => {
      const { runCatalogRepair } = require('./run') as typeof import('./run');
      await runCatalogRepair(options, (text) => process.stdout.write(text));
    });
};
