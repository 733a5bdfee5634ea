import type { Command } from 'commander';
import { resolveDataDir, type Env } from '../../../shared/config/local';
import { generateReport, type GeneratedReport } from '../../report/generate';
import type { RegisterCommand } from './index';

export interface ReportOptions {
  readonly out?: string;
  readonly dataDir?: string;
}

/**
 * `report`: writes the dashboard (one self-contained HTML file) for the local data and prints
 * its path, so `open "$(wa-analytics report)"` works. A bad data directory is an InputError:
 * one line and a non-zero exit via main.
 */
export async function runReport(options: ReportOptions, out: (text: string) => void, env: Env = process.env): Promise<GeneratedReport> {
  const dataDir = resolveDataDir(env, { dataDir: options.dataDir });
  const report = await generateReport({ dataDir, out: options.out });
  out(`${report.path}\n`);
  return report;
}

export const registerReport: RegisterCommand = (program: Command) => {
  program
    .command('report')
    .description('write the dashboard: a self-contained HTML page with CTR, funnel, time to tap, volume, quarantine and alerts')
    .option('--out <file>', 'the HTML file to write (default: <data dir>/report.html)')
    .option('--data-dir <dir>', 'the local data directory (default: $WA_DATA_DIR or ./.wa-analytics)')
    .action(async (options: ReportOptions) => {
      await runReport(options, (text) => process.stdout.write(text));
    });
};
