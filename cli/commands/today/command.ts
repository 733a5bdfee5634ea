import type { RegisterCommand } from '../../register';
import type { TodayFlags } from './run';

/**
 * `wa-analytics today [--data-dir D | --stage S]`: today's running numbers per campaign and
 * button, from the raw rows of the local lake or of a stage's Athena.
 */
export const registerToday: RegisterCommand = (program) => {
  program
    .command('today')
    .description("today's running numbers per campaign and button (sent, delivered, taps, CTR and conversions so far) from the raw rows, local lake or --stage")
    .option('--data-dir <dir>', 'the local data directory (default: $WA_DATA_DIR or ./.wa-analytics)')
    .option('--stage <stage>', "read a deployed stage's raw rows through Athena")
    .option('--region <region>', 'the AWS region of the stage')
    .action(async (opts: TodayFlags) => {
      const { printToday } = require('./run') as typeof import('./run');
      await printToday(opts, (text) => process.stdout.write(text));
    });
};
