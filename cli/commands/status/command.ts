import type { RegisterCommand } from '../../register';
import type { StatusFlags } from './run';

/** `status`: a deployed stage's health; exit 1 when something is unhealthy (for cron and CI). */
export const registerStatus: RegisterCommand = (program) => {
  program
    .command('status')
    .description("a deployed stage's health: last workflow runs, delivery freshness and failures, rows and quarantine per day, digest; exit 1 when unhealthy")
    .requiredOption('--stage <stage>', 'the deployed stage (stack wa-analytics-<stage>)')
    .option('--region <region>', 'AWS region of the stage (default: AWS_REGION or the profile)')
    .option('--days <n>', 'days of row counts, today included (default 3)')
    .option('--max-freshness <seconds>', 'oldest undelivered record allowed in Firehose (default 900)')
    .option('--time-zone <zone>', "the stage's reporting time zone (default: WA_TIMEZONE or UTC)")
    .action(async (options: StatusFlags) => {
      const { runStatus } = require('./run') as typeof import('./run');
      process.exitCode = (await runStatus(options)).code;
    });
};
