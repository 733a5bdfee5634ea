import type { TableName } from '../schema/tables';

/**
 * Writes one partition of a table from a SELECT: an Athena CTAS into the partition's S3 prefix on
 * AWS, a DuckDB COPY into the partition's folder of the local lake. Either way the partition's old
 * files are replaced, then the partition is registered in the catalog, so a re-run with the same
 * SELECT leaves the same partition. The SELECT is in the dialect of the engine behind the writer.
 */
export interface PartitionWriter {
  /** Replaces partition `dt` of `table` with the rows of `select`, then registers it. */
  write(table: TableName, dt: string, select: string): Promise<void>;
}
