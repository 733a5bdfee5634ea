import { athenaWriteStatements } from '../../daily/statements';
import type { Catalog } from '../../ports/catalog';
import type { ObjectStore } from '../../ports/object-store';
import type { PartitionWriter } from '../../ports/partition-writer';
import type { QueryEngine } from '../../ports/query-engine';
import type { TableName } from '../../schema/tables';

/** The AWS ports a partition write is made of. */
export interface AthenaWriterPorts {
  readonly catalog: Catalog;
  readonly engine: QueryEngine;
  readonly store: ObjectStore;
  readonly bucket: string;
  /** The stage's Glue database (GLUE_DATABASE): the temporary CTAS tables live in it. */
  readonly database: string;
}

/**
 * The partition writer on AWS, one idempotent Athena write: drop a temporary table a crashed run
 * may have left, clear the partition's prefix, CTAS into the temporary table at that location,
 * drop it (the files stay), register the partition. A re-run gives the same partition.
 */
export class AthenaPartitionWriter implements PartitionWriter {
  constructor(private readonly ports: AthenaWriterPorts) {}

  async write(table: TableName, dt: string, select: string): Promise<void> {
    const { engine, store, catalog, bucket, database } = this.ports;
    const stmts = athenaWriteStatements(table, { bucket, dt, select, database });
    await engine.query(stmts.drop);
    await store.deletePrefix(stmts.keyPrefix);
    await engine.query(stmts.create);
    await engine.query(stmts.drop);
    await catalog.registerPartitions(table, [dt]);
  }
}
