import { readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { errorMessage, StorageError } from '../../errors';
import type { PartitionWriter } from '../../ports/partition-writer';
import type { QueryEngine } from '../../ports/query-engine';
import type { TableName } from '../../schema/tables';
import { duckdbCopy } from '../../sql/dialect';
import type { LocalCatalog } from './catalog';
import { lakePath, partitionKey } from './lake';
import { makePrivate, mkdirPrivate } from './private-fs';

/** The one data file of a partition the writer wrote. */
export const partitionFileName = 'part-00000.parquet';

/** What the local writer needs: the catalog (partitions, lake root) and an engine over it. */
export interface LocalWriterPorts {
  readonly catalog: LocalCatalog;
  readonly engine: QueryEngine;
}

/**
 * The partition writer on one machine: a DuckDB COPY of the SELECT into one Parquet file with
 * sorted rows (the same input gives the same bytes), written as a dot file (invisible to the
 * engine), renamed over the partition's file (readers see the old rows or the new ones, never
 * none), then every other entry of the folder removed, then the partition registered. A re-run
 * leaves the partition's file list as it was, so the local engine keeps its table definitions
 * instead of rebuilding them over every file of the lake (which costs more the more history there
 * is).
 */
export class LocalPartitionWriter implements PartitionWriter {
  constructor(private readonly ports: LocalWriterPorts) {}

  async write(table: TableName, dt: string, select: string): Promise<void> {
    await this.writeFile(table, dt, select);
  }

  /** Writes the partition (as `write`); resolves with its file and the number of rows written. */
  async writeFile(table: TableName, dt: string, select: string): Promise<{ file: string; rows: number }> {
    const { catalog, engine } = this.ports;
    const dir = lakePath(catalog.lakeDir, partitionKey(table, dt));
    const file = join(dir, partitionFileName);
    // Dot files are invisible to the engine, so readers never see a half-written file.
    const temp = join(dir, `.${partitionFileName}.tmp`);
    try {
      await mkdirPrivate(dir);
      await rm(temp, { force: true }); // left by a crashed run
    } catch (error) {
      throw new StorageError(`cannot prepare ${dir}: ${errorMessage(error)}`, { cause: error });
    }
    let result: Awaited<ReturnType<QueryEngine['query']>>;
    try {
      result = await engine.query(duckdbCopy({ select, file: temp }));
    } catch (error) {
      await rm(temp, { force: true }).catch(() => undefined);
      throw error;
    }
    try {
      // DuckDB writes the file with the process's default mode.
      await makePrivate(temp);
      await rename(temp, file);
      for (const name of await readdir(dir)) if (name !== partitionFileName) await rm(join(dir, name), { recursive: true, force: true });
    } catch (error) {
      throw new StorageError(`cannot move ${temp} into place: ${errorMessage(error)}`, { cause: error });
    }
    await catalog.registerPartitions(table, [dt]);
    return { file, rows: copiedRows(result.rows[0]) };
  }
}

// DuckDB answers a COPY with one row holding the number of rows written.
function copiedRows(row: Readonly<Record<string, unknown>> | undefined): number {
  const value = row === undefined ? undefined : Object.values(row)[0];
  return typeof value === 'number' ? value : Number(value ?? 0);
}
