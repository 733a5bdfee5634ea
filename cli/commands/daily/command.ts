import type { RegisterCommand } from '../../register';
import type { DailyOptions } from './run';

/** `daily [--date D]`: the daily workflow locally for one date. */
export const registerDaily: RegisterCommand = (program) => {
  program
    .command('daily')
    .description('run the daily workflow locally for a date (default yesterday): partitions, curated events, daily_ctr, anomalies, Slack digest')
    .option('--date <date>', 'the target date YYYY-MM-DD (default: yesterday in WA_TIMEZONE)')
    .option('--lookback <days>', 'days of late arrivals to wait for (default 3)')
    .option('--data-dir <dir>', 'the local data directory (default: $WA_DATA_DIR or ./.wa-analytics)')
    .action(async (options: DailyOptions) => {
      const { runDaily } = require('./run') as typeof import('./run');
      await runDaily(options, (text) => process.stdout.write(text));
    });
};
