import { DuckDBTypeId, type DuckDBResultReader } from '@duckdb/node-api';
import type { QueryResult, QueryRow, QueryValue } from '../../ports/query-engine';

const integerTypes: ReadonlySet<DuckDBTypeId> = new Set([
  DuckDBTypeId.TINYINT,
  DuckDBTypeId.SMALLINT,
  DuckDBTypeId.INTEGER,
  DuckDBTypeId.BIGINT,
  DuckDBTypeId.UTINYINT,
  DuckDBTypeId.USMALLINT,
  DuckDBTypeId.UINTEGER,
  DuckDBTypeId.UBIGINT,
  DuckDBTypeId.HUGEINT,
  DuckDBTypeId.UHUGEINT,
  DuckDBTypeId.BIGNUM,
]);

/** An integer as a number when a double holds it exactly, else its decimal string. */
export function integerValue(value: QueryValue): QueryValue {
  if (typeof value !== 'string') return value;
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : value;
}

function decimalValue(value: QueryValue): QueryValue {
  if (typeof value !== 'string') return value;
  // DECIMAL comes from SQL literals and casts; users expect a number (beyond 15 significant
  // digits it is rounded, which the engine-neutral contract accepts).
  const n = Number(value);
  return Number.isFinite(n) ? n : value;
}

/**
 * A DuckDB result as engine-neutral rows. DuckDB's JSON conversion already renders dates, times,
 * intervals and blobs as text; top-level integer columns are then turned back into numbers when
 * safe (nested integers stay as its strings).
 */
export function toQueryResult(reader: DuckDBResultReader): QueryResult {
  const columns = reader.columnNames();
  const typeIds = reader.columnTypes().map((t) => t.typeId);
  const rows: QueryRow[] = reader.getRowsJson().map((values) => {
    const row: QueryRow = {};
    values.forEach((raw, i) => {
      const value = raw as QueryValue;
      const typeId = typeIds[i]!;
      row[columns[i]!] = integerTypes.has(typeId) ? integerValue(value) : typeId === DuckDBTypeId.DECIMAL ? decimalValue(value) : value;
    });
    return row;
  });
  return { columns, rows };
}
