import { readTimeZone, resolveDataDir, type Env } from '../../../shared/config/local';
import { generateReport, type GeneratedReport } from '../../../report/generate';

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
  const report = await generateReport({ dataDir, out: options.out, timeZone: readTimeZone(env) });
  out(`${report.path}\n`);
  return report;
}
