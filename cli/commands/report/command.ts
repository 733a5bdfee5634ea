import type { RegisterCommand } from '../../register';
import type { ReportOptions } from './run';

/** `report`: the dashboard, one self-contained HTML file. */
export const registerReport: RegisterCommand = (program) => {
  program
    .command('report')
    .description('write the dashboard: a self-contained HTML page with CTR, funnel, time to tap, volume, quarantine and alerts')
    .option('--out <file>', 'the HTML file to write (default: <data dir>/report.html)')
    .option('--data-dir <dir>', 'the local data directory (default: $WA_DATA_DIR or ./.wa-analytics)')
    .action(async (options: ReportOptions) => {
      const { runReport } = require('./run') as typeof import('./run');
      await runReport(options, (text) => process.stdout.write(text));
    });
};
