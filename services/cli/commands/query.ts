import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { LocalCatalog } from '../../../shared/adapters/local/catalog';
import { LocalQueryEngine } from '../../../shared/adapters/local/query-engine';
import { resolveDataDir, type Env } from '../../../shared/config/local';
import { InputError } from '../../../shared/errors';
import type { QueryResult, QueryValue } from '../../../shared/ports/query-engine';
import { terminalSafe, terminalSafeJson } from '../../../shared/text/terminal';
import { rebuiltNote } from './catalog';
import type { RegisterCommand } from './index';

export interface QueryOptions {
  readonly json?: boolean;
  readonly dataDir?: string;
}

function cellText(value: QueryValue): string {
  if (value === null) return 'NULL';
  // One row per line whatever the data holds, and nothing the terminal would execute.
  return terminalSafe(typeof value === 'object' ? JSON.stringify(value) : String(value));
}

/**
 * An aligned text table: header, dashes, rows (numbers right-aligned), then a row count. Written
 * here rather than with a table library because it is this small and none is a dependency.
 */
export function formatTable(result: QueryResult): string {
  const { columns, rows } = result;
  const cells = rows.map((row) => columns.map((c) => cellText(row[c] ?? null)));
  const names = columns.map((c) => terminalSafe(c));
  const widths = columns.map((_, i) => Math.max(names[i]!.length, ...cells.map((r) => r[i]!.length)));
  const numeric = columns.map((c) => rows.length > 0 && rows.every((row) => typeof row[c] === 'number' || row[c] === null));
  const line = (values: string[], alignNumbers: boolean) =>
    values
      .map((v, i) => (alignNumbers && numeric[i] ? v.padStart(widths[i]!) : v.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const out = [line(names, false), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map((r) => line(r, true))];
  out.push(`(${rows.length} ${rows.length === 1 ? 'row' : 'rows'})`);
  return out.join('\n');
}

/**
 * `query`: runs one SQL text over the local tables and prints the result, as an aligned table or
 * (with --json) as JSON lines. A SQL error is a QueryError (one line, non-zero exit via main).
 * When the catalog was missing it is rebuilt from the lake first, and `note` says so (stderr).
 */
export async function runQuery(sql: string, options: QueryOptions, out: (text: string) => void, env: Env = process.env, note: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): Promise<void> {
  if (sql.trim() === '') throw new InputError('the SQL text is empty');
  const dataDir = resolveDataDir(env, { dataDir: options.dataDir });
  // Querying a mistyped directory should say so, not create an empty lake there.
  if (!existsSync(dataDir)) throw new InputError(`no local data at ${dataDir} (run wa-analytics start or demo first, or pass --data-dir)`);
  const catalog = await LocalCatalog.open(dataDir);
  const rebuilt = rebuiltNote(catalog);
  if (rebuilt !== null) note(rebuilt);
  const engine = await LocalQueryEngine.open(catalog);
  let result: QueryResult;
  try {
    result = await engine.query(sql);
  } finally {
    await engine.close();
  }
  if (options.json) {
    for (const row of result.rows) out(`${terminalSafeJson(JSON.stringify(row))}\n`);
  } else {
    out(`${formatTable(result)}\n`);
  }
}

export const registerQuery: RegisterCommand = (program: Command) => {
  program
    .command('query')
    .description('run SQL over the local tables (raw_events, events, daily_ctr, anomalies, quarantine)')
    .argument('<sql>', 'the SQL text')
    .option('--json', 'print JSON lines, one object per row')
    .option('--data-dir <dir>', 'the local data directory (default: $WA_DATA_DIR or ./.wa-analytics)')
    .action(async (sql: string, options: QueryOptions) => {
      await runQuery(sql, options, (text) => process.stdout.write(text));
    });
};
