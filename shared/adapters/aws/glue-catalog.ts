import { BatchCreatePartitionCommand, GetPartitionsCommand, type GlueClient, type PartitionError, type PartitionInput } from '@aws-sdk/client-glue';
import type { Catalog } from '../../ports/catalog';
import { glueStorageFormats } from '../../schema/glue';
import { databaseName, tables, type TableName } from '../../schema/tables';
import { assertPartitionDate } from '../local/lake';
import { classifyAwsError } from './errors';

/** Glue's BatchCreatePartition takes at most 100 partitions per call. */
export const batchCreateLimit = 100 as const;


/** The Glue catalog: partitions registered with BatchCreatePartition, at the table's standard location. */
export class GlueCatalog implements Catalog {
  constructor(
    private readonly glue: GlueClient,
    private readonly bucket: string,
    private readonly database: string = databaseName,
  ) {}

  /** The PartitionInput of one `dt` of a table. */
  partitionInput(table: TableName, dt: string): PartitionInput {
    const def = tables[table];
    return { Values: [assertPartitionDate(dt)], StorageDescriptor: { Location: `s3://${this.bucket}/${def.prefix}dt=${dt}/`, ...glueStorageFormats[def.format] } };
  }

  /**
   * Registers partitions in chunks of 100. Glue answers per-partition `Errors`: an existing
   * partition is what a re-run expects; any other error fails the call (throttling retryable).
   */
  async registerPartitions(table: TableName, dts: readonly string[]): Promise<void> {
    for (let i = 0; i < dts.length; i += batchCreateLimit) {
      const chunk = dts.slice(i, i + batchCreateLimit);
      let errors: PartitionError[];
      try {
        const out = await this.glue.send(
          new BatchCreatePartitionCommand({ DatabaseName: this.database, TableName: table, PartitionInputList: chunk.map((dt) => this.partitionInput(table, dt)) }),
        );
        errors = out.Errors ?? [];
      } catch (error) {
        throw classifyAwsError(`Glue BatchCreatePartition ${table}`, error);
      }
      const real = errors.filter((e) => e.ErrorDetail?.ErrorCode !== 'AlreadyExistsException');
      if (real.length > 0) {
        const first = real[0]!;
        const detail = Object.assign(new Error(first.ErrorDetail?.ErrorMessage ?? 'unknown error'), { name: first.ErrorDetail?.ErrorCode ?? 'GlueError' });
        throw classifyAwsError(`Glue BatchCreatePartition ${table} dt=${first.PartitionValues?.join(',')} (${real.length} failed)`, detail);
      }
    }
  }

  async listPartitions(table: TableName): Promise<string[]> {
    const out: string[] = [];
    let NextToken: string | undefined;
    try {
      do {
        const page = await this.glue.send(new GetPartitionsCommand({ DatabaseName: this.database, TableName: table, NextToken }));
        for (const p of page.Partitions ?? []) if (p.Values?.[0]) out.push(p.Values[0]);
        NextToken = page.NextToken;
      } while (NextToken);
    } catch (error) {
      throw classifyAwsError(`Glue GetPartitions ${table}`, error);
    }
    return out.sort();
  }
}
