import type { ColumnDef } from './columns';
import type { StorageFormat, TableDef } from './tables';

/** A Glue `Column` as CloudFormation expects it. */
export interface GlueColumn {
  Name: string;
  Type: string;
  Comment: string;
}

/** Glue/Hive type names of the schema's column types (they are spelled the same). */
const glueTypes = { string: 'string', int: 'int', bigint: 'bigint', double: 'double' } as const;

/** Glue columns of a column list, in schema order. */
export function glueColumns(columns: readonly ColumnDef[]): GlueColumn[] {
  return columns.map((c) => ({ Name: c.name, Type: glueTypes[c.type], Comment: c.comment }));
}

/** Glue columns and partition keys of one table. */
export function glueTableColumns(table: TableDef): { Columns: GlueColumn[]; PartitionKeys: GlueColumn[] } {
  return { Columns: glueColumns(table.columns), PartitionKeys: glueColumns([table.partition]) };
}

/**
 * How Glue/Athena read each storage format: a table's StorageDescriptor and every partition's
 * must agree, so the stack (resources/catalog.cjs) and the Glue adapter both take them from here.
 */
export const glueStorageFormats = {
  json: {
    InputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
    OutputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
    SerdeInfo: { SerializationLibrary: 'org.openx.data.jsonserde.JsonSerDe', Parameters: {} },
  },
  parquet: {
    InputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
    OutputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
    SerdeInfo: { SerializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe', Parameters: {} },
  },
} as const satisfies Record<StorageFormat, unknown>;

/** Table-level Glue parameters of each storage format (resources/catalog.cjs reads them through ts.cjs). @public */
export const glueTableParameters = {
  json: { classification: 'json', compressionType: 'gzip' },
  parquet: { classification: 'parquet', 'parquet.compression': 'SNAPPY' },
} as const satisfies Record<StorageFormat, Record<string, string>>;
