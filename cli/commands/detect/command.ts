import type { RegisterCommand } from '../../register';
import type { DetectOptions } from './run';

/**
 * `wa-analytics detect --history FILE (--date D | --from D1 --to D2)`: prints the anomalies as
 * JSON lines (nothing when there are none).
 */
export const registerDetect: RegisterCommand = (program) => {
  program
    .command('detect')
    .description('run the anomaly detector on a JSON-lines history of daily_ctr rows and print anomalies as JSON lines')
    .requiredOption('--history <file>', 'daily_ctr rows as JSON lines, each with its dt')
    .option('--date <date>', 'the target date (YYYY-MM-DD)')
    .option('--from <date>', 'first target date of a range')
    .option('--to <date>', 'last target date of a range (inclusive)')
    .action((opts: DetectOptions) => {
      const { detect } = require('./run') as typeof import('./run');
      const lines = detect(opts);
      if (lines.length > 0) process.stdout.write(`${lines.join('\n')}\n`);
    });
};
