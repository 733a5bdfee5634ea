import type { RegisterCommand } from '../../register';
import type { CompactOptions } from './run';

/** `compact`: each closed day's raw objects merged into few; optionally old partitions dropped. */
export const registerCompact: RegisterCommand = (program) => {
  program
    .command('compact')
    .description("merge each closed day's small raw files into few (atomically); with --retention-days, drop older partitions first")
    .option('--data-dir <dir>', 'the local data directory (default: $WA_DATA_DIR or ./.wa-analytics)')
    .option('--retention-days <days>', 'drop whole partitions older than this many days (default: keep everything)')
    .action(async (options: CompactOptions) => {
      const { runCompact } = require('./run') as typeof import('./run');
      await runCompact(options, (text) => process.stdout.write(text));
    });
};
