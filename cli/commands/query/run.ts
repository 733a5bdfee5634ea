import { resolveDataDir, type Env } from '../../../shared/config/local';
import { InputError } from '../../../shared/errors';
import type { QueryResult, QueryValue } from '../../../shared/ports/query-engine';
import { textTable, type TableCell } from '../../../shared/text/table';
import { terminalSafeJson } from '../../../shared/text/terminal';
import { openLocalLake } from '../../../local/open-lake';

export interface QueryOptions {
  readonly json?: boolean;
  readonly dataDir?: string;
}

/** A value as a table cell: numbers and NULL as they are, nested values as JSON, one line each. */
function cell(value: QueryValue): TableCell {
  if (value === null || typeof value === 'number') return value;
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** The result as an aligned table (shared/text/table.ts), NULL shown as such, then a row count. */
export function formatTable(result: QueryResult): string {
  const { columns, rows } = result;
  const table = textTable(columns, rows.map((row) => columns.map((c) => cell(row[c] ?? null))), { nullText: 'NULL' });
  return `${table}\n(${rows.length} ${rows.length === 1 ? 'row' : 'rows'})`;
}

/**
 * `query`: runs one SQL text over the local tables and prints the result, as an aligned table or
 * (with --json) as JSON lines. A SQL error is a QueryError (one line, non-zero exit via main).
 * When the catalog was missing it is rebuilt from the lake first, and `note` says so (stderr).
 */
export async function runQuery(sql: string, options: QueryOptions, out: (text: string) => void, env: Env = process.env, note: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): Promise<void> {
  if (sql.trim() === '') throw new InputError('the SQL text is empty');
  const { engine } = await openLocalLake(resolveDataDir(env, { dataDir: options.dataDir }), note);
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
