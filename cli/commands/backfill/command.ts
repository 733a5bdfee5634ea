import type { RegisterCommand } from '../../register';
import { defaultExecutionTimeout } from '../../ops/execution-timeout';
import type { BackfillOptions } from './run';

/** `backfill --from D1 --to D2`: the daily workflow for each date, locally or on a stage. */
export const registerBackfill: RegisterCommand = (program) => {
  program
    .command('backfill')
    .description('run the daily workflow for each date of a range, locally or on a deployed stage (Step Functions)')
    .requiredOption('--from <date>', 'first target date YYYY-MM-DD')
    .requiredOption('--to <date>', 'last target date YYYY-MM-DD')
    .option('--lookback <days>', 'days of late arrivals to wait for (default 3)')
    .option('--data-dir <dir>', 'the local data directory (local backfill)')
    .option('--stage <stage>', 'run on this deployed stage instead of locally')
    .option('--region <region>', 'AWS region of the stage')
    .option('--timeout <duration>', `with --stage: the longest to wait for one date's execution, e.g. 90m or 6h (default ${defaultExecutionTimeout}); one still running then is left running and the backfill stops, exit 1`)
    .action(async (options: BackfillOptions) => {
      // require, not import(): the CLI runs as CommonJS; loaded here so only backfill pays for it.
      const { runBackfill } = require('./run') as typeof import('./run');
      await runBackfill(options, (text) => process.stdout.write(text));
    });
};
