import { existsSync, statSync } from 'node:fs';
import { rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { catalogFileName, LocalCatalog } from '../shared/adapters/local/catalog';
import { mkdirPrivate, privateFileMode } from '../shared/adapters/local/private-fs';
import { LocalQueryEngine } from '../shared/adapters/local/query-engine';
import { errorMessage, InputError, StorageError } from '../shared/errors';
import { renderReportHtml } from '../shared/report/html';
import { buildReportModel } from '../shared/report/model';
import { loadReportData } from '../shared/report/queries';
import { withToday } from '../shared/report/today-data';
import { todayIn } from '../shared/today/read';

/** Default file name of the dashboard inside the data directory. */
export const defaultReportFileName = 'report.html';

export interface GenerateReportOptions {
  /** The local data directory (lake and catalog). */
  readonly dataDir: string;
  /** Output file; default `<dataDir>/report.html`. */
  readonly out?: string;
  /** Clock for the "generated" line and for what "today" is (tests pin it). */
  readonly now?: () => Date;
  /** Reporting time zone (IANA) "today" is taken in; default UTC. */
  readonly timeZone?: string;
}

export interface GeneratedReport {
  readonly path: string;
  readonly bytes: number;
}

/** Throws InputError unless `dataDir` holds a local catalog: a typo must not become an empty report. */
export function assertDataDir(dataDir: string): void {
  if (!existsSync(dataDir)) throw new InputError(`no local data at ${dataDir} (run wa-analytics start or demo first, or pass --data-dir)`);
  if (!statSync(dataDir).isDirectory()) throw new InputError(`${dataDir} is not a directory (pass the data directory with --data-dir)`);
  if (!existsSync(join(dataDir, catalogFileName))) throw new InputError(`${dataDir} is not a wa-analytics data directory: it has no ${catalogFileName}`);
}

/** Writes `text` to `path` through a temporary file in the same folder and a rename. */
async function writeAtomically(path: string, text: string): Promise<number> {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    await mkdirPrivate(dirname(path));
    // Owner only, as everything in the data directory: the page holds campaign and button names.
    await writeFile(temp, text, { encoding: 'utf8', mode: privateFileMode });
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true }).catch(() => undefined);
    throw new StorageError(`cannot write ${path}: ${errorMessage(error)}`, { cause: error });
  }
  return Buffer.byteLength(text, 'utf8');
}

/**
 * Builds the dashboard of a local data directory: runs the report queries on the local engine,
 * renders the page and writes it atomically (a reader never sees half a page; on failure the
 * previous report stays).
 */
export async function generateReport(options: GenerateReportOptions): Promise<GeneratedReport> {
  const dataDir = resolve(options.dataDir);
  assertDataDir(dataDir);
  const path = resolve(options.out ?? join(dataDir, defaultReportFileName));
  if (existsSync(path) && statSync(path).isDirectory()) throw new InputError(`--out ${path} is a directory; give a file name`);
  const engine = await LocalQueryEngine.open(await LocalCatalog.open(dataDir));
  const now = (options.now ?? (() => new Date()))();
  let data: Awaited<ReturnType<typeof loadReportData>>;
  try {
    data = await withToday(await loadReportData(engine), engine, 'duckdb', todayIn(options.timeZone ?? 'UTC', now.getTime()));
  } finally {
    await engine.close();
  }
  const generatedAt = now.toISOString();
  const html = renderReportHtml(buildReportModel(data, { generatedAt }));
  return { path, bytes: await writeAtomically(path, html) };
}
