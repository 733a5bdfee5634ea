import type { RegisterCommand } from '../../register';
import type { StartOptions } from './run';

/** `start`: the local stack until SIGTERM/SIGINT. */
export const registerStart: RegisterCommand = (program) => {
  program
    .command('start')
    .description('run the local stack: the ingestion API on 127.0.0.1 and the delivery stream into the local lake')
    .option('--port <port>', 'port on 127.0.0.1 (0 picks a free one)', '3000')
    .option('--data-dir <dir>', 'the local lake, write-ahead log and catalog (default: WA_DATA_DIR or ./.wa-analytics)')
    .option('--buffer-seconds <s>', 'deliver buffered records at least this often', '60')
    .option('--buffer-mb <mb>', 'deliver once this much is buffered', '5')
    .option('--daily-at <HH:MM>', 'run the daily workflow for yesterday at this local time in WA_TIMEZONE (default: WA_DAILY_TIME or 02:30)')
    .option('--no-daily', 'do not run the daily workflow on a schedule')
    .option('--public-url <url>', 'the base URL pasted in the Twilio console, e.g. a tunnel\'s https URL (default: WA_PUBLIC_URL, else this API\'s own http://127.0.0.1:<port>)')
    .option('--retention-days <days>', 'after each daily run, drop whole partitions older than this many days (default: keep everything)')
    .action(async (options: StartOptions) => {
      const { readLocalConfig } = require('../../../shared/config/local') as typeof import('../../../shared/config/local');
      const { checkStartFlags, start } = require('./run') as typeof import('./run');
      const flags = checkStartFlags(options);
      // The one read of the environment in this process: the stack and every scheduled daily run use it.
      await start(flags, readLocalConfig(process.env, { dataDir: options.dataDir, publicUrl: options.publicUrl }));
    });
};
