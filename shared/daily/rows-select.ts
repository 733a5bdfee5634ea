import type { AnomalyRow } from '../schema/types';
import { anomalyColumns, type ColumnDef } from '../schema/columns';

/**
 * A SELECT of literal rows of any table (the `anomalies` and `experiments` steps write theirs
 * this way), valid on Athena (Trino) and DuckDB alike, so those steps write their partitions
 * with the same CTAS / COPY wrapper as the other daily tables. Zero
 * rows is a typed SELECT with `WHERE false`, so the partition still exists (the step ran).
 */

const sqlTypes = { string: 'VARCHAR', int: 'INTEGER', bigint: 'BIGINT', double: 'DOUBLE' } as const;

function literal(value: unknown, type: keyof typeof sqlTypes): string {
  if (value === null || value === undefined || (typeof value === 'number' && !Number.isFinite(value))) return `CAST(NULL AS ${sqlTypes[type]})`;
  if (type === 'string') return `CAST('${String(value).replace(/'/g, "''")}' AS VARCHAR)`;
  const n = Number(value);
  // Doubles in exponent form are valid in both engines; integers are written without a fraction.
  return `CAST(${type === 'double' ? n.toExponential() : Math.trunc(n).toString()} AS ${sqlTypes[type]})`;
}

/**
 * SELECT of literal rows in the order of `columns` (any table of the schema); zero rows is a
 * typed SELECT with `WHERE 1 = 0`.
 */
export function rowsSelect(columns: readonly ColumnDef[], rows: readonly object[]): string {
  // Rows are read by column name; any object type with those keys fits (interfaces have no index signature).
  const selectOf = (row: object | null) => `SELECT ${columns.map((c) => `${literal(row === null ? null : (row as Readonly<Record<string, unknown>>)[c.name], c.type)} AS ${c.name}`).join(', ')}`;
  if (rows.length === 0) return `${selectOf(null)} WHERE 1 = 0`;
  return rows.map(selectOf).join('\nUNION ALL\n');
}

/** SELECT of the given anomaly rows in schema column order. */
export function anomaliesSelect(rows: readonly AnomalyRow[]): string {
  return rowsSelect(anomalyColumns, rows);
}
