import { duckJsonColumns, duckType } from '../../schema/duckdb';
import type { TableDef } from '../../schema/tables';

/** SQL string literal. */
export function sqlString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** SQL identifier, quoted. */
export function sqlIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function allColumns(table: TableDef) {
  return [...table.columns, table.partition];
}

/** A relation with the table's columns and types and no rows (a table with no registered data). */
function emptyRelation(table: TableDef): string {
  const cols = allColumns(table).map((c) => `CAST(NULL AS ${duckType(c)}) AS ${sqlIdent(c.name)}`);
  return `SELECT ${cols.join(', ')} WHERE false`;
}

/**
 * The SELECT behind a table's view: exactly the given data files, with the schema's column types
 * and the partition column taken from the `dt=…` directory (hive partitioning, so a filter on
 * `dt` skips other partitions' files, as partition projection does on Athena).
 */
export function tableSelectSql(table: TableDef, files: readonly string[]): string {
  if (files.length === 0) return emptyRelation(table);
  const list = `[${files.map(sqlString).join(', ')}]`;
  const hive = `hive_partitioning = true, hive_types = {${sqlString(table.partition.name)}: 'VARCHAR'}`;
  if (table.format === 'json') {
    const cols = allColumns(table).map((c) => sqlIdent(c.name));
    const source = `read_json(${list}, format = 'newline_delimited', compression = 'gzip', columns = ${duckJsonColumns(table.columns)}, ${hive})`;
    return `SELECT ${cols.join(', ')} FROM ${source}`;
  }
  // Parquet files carry their own types; cast to the schema's so every engine agrees. Every file
  // is written by one COPY of the schema's columns, so the first file's footer describes them all
  // (union_by_name would read every footer at bind time: a cost that grows with history) — unless
  // a column was added later, when older files lack it and only reading by name sees them all.
  const cols = table.columns.map((c) => `CAST(${sqlIdent(c.name)} AS ${duckType(c)}) AS ${sqlIdent(c.name)}`);
  const addedLater = table.columns.some((c) => c.addedLater);
  let source = `read_parquet(${list}, ${addedLater ? 'union_by_name = true, ' : ''}${hive})`;
  // union_by_name only knows the columns some file has: when every file predates a column, the
  // typed empty relation supplies it (UNION ALL BY NAME fills what a side lacks with NULL).
  if (addedLater) source = `(${emptyRelation(table)} UNION ALL BY NAME SELECT * FROM ${source})`;
  return `SELECT ${cols.join(', ')}, ${sqlIdent(table.partition.name)} FROM ${source}`;
}

/** Views derived from the tables (no data of their own). */
export const derivedViews = {
  quarantine: `SELECT * FROM raw_events WHERE kind = 'quarantine'`,
} as const;
