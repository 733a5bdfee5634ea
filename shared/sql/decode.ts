import { QueryError } from '../errors';
import type { QueryRow, QueryValue } from '../ports/query-engine';
import type { ColumnDef } from '../schema/columns';
import type { RowOf } from '../schema/types';

/**
 * Typed reads of query result rows: each query's rows are turned into its row type by a small
 * decoder built from these, so a column of the wrong type fails here, naming the column, instead
 * of travelling on as a mistyped value. Engines give integers that do not fit a double as decimal
 * strings (see QueryValue), so the numeric readers accept a numeric string too.
 */

// A decimal number as the engines print one (integers, fractions, exponents); nothing else.
const NUMERIC_TEXT_RE = /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/;

function describe(value: QueryValue | undefined): string {
  if (value === undefined) return 'no such column';
  return `${JSON.stringify(value)} (${value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value})`;
}

function wrongType(column: string, expected: string, value: QueryValue | undefined): QueryError {
  return new QueryError(`column "${column}": expected ${expected}, got ${describe(value)}`);
}

function cell(row: QueryRow, column: string): QueryValue | undefined {
  return Object.hasOwn(row, column) ? row[column] : undefined;
}

/** A text column that every row fills. */
export function str(row: QueryRow, column: string): string {
  const value = cell(row, column);
  if (typeof value !== 'string') throw wrongType(column, 'text', value);
  return value;
}

/** A text column that may be null. */
export function strOrNull(row: QueryRow, column: string): string | null {
  const value = cell(row, column);
  return value === null ? null : str(row, column);
}

/** A numeric column that every row fills (a finite number, or an integer the engine gave as text). */
export function num(row: QueryRow, column: string): number {
  const value = cell(row, column);
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && NUMERIC_TEXT_RE.test(value)) return Number(value);
  throw wrongType(column, 'a number', value);
}

/** A numeric column that may be null. */
export function numOrNull(row: QueryRow, column: string): number | null {
  const value = cell(row, column);
  return value === null ? null : num(row, column);
}

function readerOf(c: ColumnDef): (row: QueryRow, column: string) => string | number | null {
  if (c.type === 'string') return c.nullable ? strOrNull : str;
  return c.nullable ? numOrNull : num;
}

/** A row of a schema table (or any SELECT of all its columns by name), each column read by its schema type. */
export function schemaRow<const Cols extends readonly ColumnDef[]>(columns: Cols, row: QueryRow): RowOf<Cols> {
  const out: Record<string, string | number | null> = {};
  for (const c of columns) out[c.name] = readerOf(c)(row, c.name);
  return out as RowOf<Cols>;
}

/** Some columns of a schema table, named, each read by its schema type (a SELECT of a few of them). */
export function schemaColumns<const Cols extends readonly ColumnDef[], const K extends Cols[number]['name']>(columns: Cols, names: readonly K[], row: QueryRow): Pick<RowOf<Cols>, K> {
  const out: Record<string, string | number | null> = {};
  for (const name of names) out[name] = readerOf(columns.find((c) => c.name === name)!)(row, name);
  return out as Pick<RowOf<Cols>, K>;
}
