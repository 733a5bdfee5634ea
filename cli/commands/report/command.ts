import type { RegisterCommand } from '../../register';
import type { ReportOptions } from './run';

/** `report`: the dashboard, one self-contained HTML file, from the local lake or a stage's Athena. */
export const registerReport: RegisterCommand = (program) => {
  program
    .command('report')
    .description('write the dashboard: a self-contained HTML page with CTR, funnel, time to tap, volume, quarantine and alerts (local lake or --stage)')
    .option('--out <file>', 'the HTML file to write (default: <data dir>/report.html, with --stage ./report-<stage>.html)')
    .option('--data-dir <dir>', 'the local data directory (default: $WA_DATA_DIR or ./.wa-analytics)')
    .option('--stage <stage>', "build it from a deployed stage's Athena (the same queries)")
    .option('--region <region>', 'the AWS region of the stage')
    .option('--from <date>', 'first date read (YYYY-MM-DD; default: the whole local lake, with --stage 27 days before --to)')
    .option('--to <date>', 'last date read (YYYY-MM-DD, inclusive; default: today, UTC)')
    .action(async (options: ReportOptions) => {
      const { runReport } = require('./run') as typeof import('./run');
      await runReport(options, (text) => process.stdout.write(text));
    });
};
