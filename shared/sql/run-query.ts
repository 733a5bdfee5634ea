import { QueryError } from '../errors';
import type { QueryEngine, QueryRow } from '../ports/query-engine';
import type { Dialect, DialectName } from './dialect';
import type { QueryName } from './query-files';
import { renderSql, type SqlParamValue } from './render';

/** One query file to run: its name, its parameters and the engine's dialect. */
export interface QueryCall {
  readonly name: QueryName;
  readonly params: Readonly<Record<string, SqlParamValue>>;
  readonly dialect: DialectName | Dialect;
}

/**
 * Renders a query file, runs it and decodes every row with `decode` (built from ./decode). A row
 * the decoder refuses is a QueryError naming the query and the row; the engine's own errors pass
 * through unchanged (the workflow's Retry lists match on their names).
 */
export async function runQuery<T>(engine: QueryEngine, call: QueryCall, decode: (row: QueryRow) => T): Promise<T[]> {
  const { rows } = await engine.query(renderSql(call.name, call.params, call.dialect));
  return rows.map((row, i) => {
    try {
      return decode(row);
    } catch (error) {
      if (error instanceof QueryError) throw new QueryError(`${call.name}.sql, row ${i + 1}: ${error.message}`, { cause: error });
      throw error;
    }
  });
}
