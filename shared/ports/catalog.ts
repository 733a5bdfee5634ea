import type { TableName } from '../schema/tables';

/**
 * The table catalog: which partitions of which table exist for queries. On AWS it is Glue; on one
 * machine a DuckDB database file. Queries see only registered partitions, as on Athena, so a
 * writer registers a partition after its files are complete.
 */
export interface Catalog {
  /** Registers partitions `dt=…` of a table at their standard location; registering twice is a no-op. */
  registerPartitions(table: TableName, dts: readonly string[]): Promise<void>;
  /** Registered partition dates of a table, ascending. */
  listPartitions(table: TableName): Promise<string[]>;
}
