import { existsSync, statSync } from 'node:fs';
import { rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { catalogFileName, LocalCatalog } from '../shared/adapters/local/catalog';
import { mkdirPrivate, privateFileMode } from '../shared/adapters/local/private-fs';
import { LocalQueryEngine } from '../shared/adapters/local/query-engine';
import { errorMessage, InputError, StorageError } from '../shared/errors';
import type { QueryEngine } from '../shared/ports/query-engine';
import { buildReport } from '../shared/report/build';
import type { ReportSpan } from '../shared/report/span';
import { todayIn } from '../shared/today/read';

/** Default file name of the dashboard inside the data directory. */
export const defaultReportFileName = 'report.html';

export interface GenerateReportOptions {
  /** The local data directory (lake and catalog). */
  readonly dataDir: string;
  /** Output file; default `<dataDir>/report.html`. */
  readonly out?: string;
  /** Clock for the "generated" line (tests pin it). */
  readonly now?: () => Date;
  /** The dates read; default the whole lake. */
  readonly span?: ReportSpan;
  /** Reporting time zone (IANA) "today" is taken in, for the "today so far" panel; default UTC. */
  readonly timeZone?: string;
}

export interface GeneratedReport {
  readonly path: string;
  readonly bytes: number;
  /** The dates the page covers; absent for a whole local lake. */
  readonly span?: ReportSpan;
  /** Bytes the engine scanned (Athena), else null. */
  readonly scannedBytes: number | null;
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

/** Throws InputError when `path` names a directory: the page needs a file name. */
function assertOutFile(path: string): string {
  if (existsSync(path) && statSync(path).isDirectory()) throw new InputError(`--out ${path} is a directory; give a file name`);
  return path;
}

/**
 * Builds the dashboard of a local data directory: runs the report queries on the local engine,
 * renders the page and writes it atomically (a reader never sees half a page; on failure the
 * previous report stays).
 */
export async function generateReport(options: GenerateReportOptions): Promise<GeneratedReport> {
  const dataDir = resolve(options.dataDir);
  assertDataDir(dataDir);
  const path = assertOutFile(resolve(options.out ?? join(dataDir, defaultReportFileName)));
  const engine = await LocalQueryEngine.open(await LocalCatalog.open(dataDir));
  try {
    return await generateReportFrom(engine, { out: path, dialect: 'duckdb', timeZone: options.timeZone ?? 'UTC', ...(options.span === undefined ? {} : { span: options.span }), ...(options.now === undefined ? {} : { now: options.now }) });
  } finally {
    await engine.close();
  }
}

export interface EngineReportOptions {
  /** The file to write. */
  readonly out: string;
  readonly dialect: 'athena' | 'duckdb';
  /** The catalog database (a stage's Glue database); default the local one. */
  readonly database?: string;
  readonly span?: ReportSpan;
  readonly now?: () => Date;
  /** Reporting time zone of the "today so far" panel; absent: no panel. */
  readonly timeZone?: string;
}

/** Builds the dashboard through any engine (a stage's Athena) and writes it atomically to `out`; the engine stays open. */
export async function generateReportFrom(engine: QueryEngine, options: EngineReportOptions): Promise<GeneratedReport> {
  const path = assertOutFile(resolve(options.out));
  const now = (options.now ?? (() => new Date()))();
  const generatedAt = now.toISOString();
  const today = options.timeZone === undefined ? {} : { today: todayIn(options.timeZone, now.getTime()) };
  const built = await buildReport(engine, { dialect: options.dialect, generatedAt, ...today, ...(options.database === undefined ? {} : { database: options.database }), ...(options.span === undefined ? {} : { span: options.span }) });
  const bytes = await writeAtomically(path, built.html);
  return { path, bytes, ...(built.span === undefined ? {} : { span: built.span }), scannedBytes: built.scannedBytes };
}
