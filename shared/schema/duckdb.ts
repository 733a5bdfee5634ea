import type { ColumnDef } from './columns';
import type { TableDef } from './tables';

/** DuckDB type names of the schema's column types. */
const duckTypes = { string: 'VARCHAR', int: 'INTEGER', bigint: 'BIGINT', double: 'DOUBLE' } as const;

/** DuckDB type of one column. */
export function duckType(column: ColumnDef): string {
  return duckTypes[column.type];
}

/** `name TYPE, …` column list for DDL, data columns then the partition column. */
export function duckColumnList(table: TableDef): string {
  return [...table.columns, table.partition].map((c) => `"${c.name}" ${duckType(c)}`).join(', ');
}

/** DuckDB `columns={…}` struct literal for read_json, so JSON files are read with the schema's types. */
export function duckJsonColumns(columns: readonly ColumnDef[]): string {
  return `{${columns.map((c) => `'${c.name}': '${duckType(c)}'`).join(', ')}}`;
}
