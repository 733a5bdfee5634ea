import type { DuckDBConnection } from '@duckdb/node-api';
import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Catalog } from '../../ports/catalog';
import { duckColumnList } from '../../schema/duckdb';
import { tables, type TableName } from '../../schema/tables';
import { errorMessage, InputError, StorageError } from '../../errors';
import { duckMessage, withDuckDbFile, type DuckDbFileOptions } from './duckdb-file';
import { assertPartitionDate, lakeDir, partitionKey } from './lake';
import { ensurePrivateDataDir, makePrivate } from './private-fs';

/** File name of the catalog database inside the data directory. */
export const catalogFileName = 'catalog.duckdb';

/** One registered partition; `location` is a key prefix relative to the lake root. */
export interface RegisteredPartition {
  readonly table: TableName;
  readonly dt: string;
  readonly location: string;
}

const ddl = [
  `CREATE TABLE IF NOT EXISTS table_defs (
     table_name VARCHAR PRIMARY KEY, format VARCHAR NOT NULL, prefix VARCHAR NOT NULL,
     columns VARCHAR NOT NULL, description VARCHAR NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS partitions (
     table_name VARCHAR NOT NULL, dt VARCHAR NOT NULL, location VARCHAR NOT NULL,
     registered_at TIMESTAMP NOT NULL DEFAULT current_timestamp, PRIMARY KEY (table_name, dt))`,
];

function assertTable(table: string): TableName {
  if (!Object.hasOwn(tables, table)) throw new InputError(`unknown table "${table}" (known: ${Object.keys(tables).join(', ')})`);
  return table as TableName;
}

/**
 * The local catalog: `<dataDir>/catalog.duckdb` holds the table definitions (generated from
 * shared/schema) and the registered partitions. Concurrency rule: no process keeps the file
 * open; every call opens it, runs one short transaction and closes it, retrying while another
 * process holds the lock, so `start`, `query` and `daily` can run side by side.
 */
export class LocalCatalog implements Catalog {
  readonly path: string;
  readonly lakeDir: string;
  private readonly known = new Set<string>();
  /** The last snapshot and the file signature it was read under (see `snapshot`). */
  private cached: { signature: string; partitions: RegisteredPartition[] } | undefined;

  private constructor(
    readonly dataDir: string,
    private readonly options: DuckDbFileOptions,
  ) {
    this.path = join(dataDir, catalogFileName);
    this.lakeDir = lakeDir(dataDir);
  }

  /** Opens (creating when missing) the catalog of a data directory and refreshes the table definitions. */
  static async open(dataDir: string, options: DuckDbFileOptions = {}): Promise<LocalCatalog> {
    const catalog = new LocalCatalog(dataDir, options);
    try {
      await ensurePrivateDataDir(dataDir);
    } catch (cause) {
      throw new StorageError(`cannot create the data directory ${dataDir}: ${errorMessage(cause)}`, { cause });
    }
    const expected = Object.values(tables).map((t) => [t.name, t.format, t.prefix, duckColumnList(t), t.description]);
    // Readers such as `query` should not need the write lock: write only when the file is new
    // or its table definitions differ from the schema.
    if (existsSync(catalog.path) && (await catalog.tableDefsMatch(expected))) return catalog;
    await catalog.write(async (connection) => {
      for (const statement of ddl) await connection.run(statement);
      await connection.run('DELETE FROM table_defs');
      for (const values of expected) await connection.run('INSERT INTO table_defs VALUES ($1, $2, $3, $4, $5)', values);
    });
    // DuckDB creates the file with the process's default mode.
    await makePrivate(catalog.path);
    return catalog;
  }

  private async tableDefsMatch(expected: string[][]): Promise<boolean> {
    try {
      const actual = await this.read(async (connection) => (await connection.runAndReadAll('SELECT table_name, format, prefix, columns, description FROM table_defs ORDER BY table_name')).getRowsJS());
      const sorted = [...expected].sort((a, b) => (a[0]! < b[0]! ? -1 : 1));
      return JSON.stringify(actual) === JSON.stringify(sorted);
    } catch {
      return false; // an older or damaged layout: rewrite it
    }
  }

  async registerPartitions(table: TableName, dts: readonly string[]): Promise<void> {
    assertTable(table);
    // Partitions are never removed, so one this instance registered is still there: the stream
    // registers today's partition on every flush, and this keeps those flushes off the file lock.
    const unique = [...new Set(dts.map(assertPartitionDate))].filter((dt) => !this.known.has(`${table}/${dt}`));
    if (unique.length === 0) return;
    await this.write(async (connection) => {
      await connection.run('BEGIN TRANSACTION');
      try {
        for (const dt of unique) {
          await connection.run('INSERT INTO partitions (table_name, dt, location) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [table, dt, partitionKey(table, dt)]);
        }
        await connection.run('COMMIT');
        for (const dt of unique) this.known.add(`${table}/${dt}`);
        this.cached = undefined;
      } catch (error) {
        await connection.run('ROLLBACK');
        throw error;
      }
    });
  }

  async listPartitions(table: TableName): Promise<string[]> {
    assertTable(table);
    return (await this.snapshot()).filter((p) => p.table === table).map((p) => p.dt);
  }

  /**
   * Every registered partition of every table, ordered by table then date. The query engine asks
   * before every query and opening the file costs tens of milliseconds, so the answer is reused
   * while the catalog file and its WAL are unchanged (any writer, in any process, changes their
   * modification time). The signature is taken before the read: a write during the read only
   * causes one more read next time.
   */
  async snapshot(): Promise<RegisteredPartition[]> {
    const signature = await this.fileSignature();
    if (this.cached !== undefined && this.cached.signature === signature) return this.cached.partitions;
    const partitions = await this.read(async (connection) => {
      const reader = await connection.runAndReadAll('SELECT table_name, dt, location FROM partitions ORDER BY table_name, dt');
      return reader.getRowsJS().map(([table, dt, location]) => ({ table: table as TableName, dt: String(dt), location: String(location) }));
    });
    this.cached = { signature, partitions };
    return partitions;
  }

  private async fileSignature(): Promise<string> {
    const parts = await Promise.all(
      [this.path, `${this.path}.wal`].map(async (file) => {
        try {
          const s = await stat(file, { bigint: true });
          return `${s.ino}:${s.size}:${s.mtimeNs}`;
        } catch {
          return '-';
        }
      }),
    );
    return parts.join('|');
  }

  private write<T>(fn: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
    return this.guard(() => withDuckDbFile(this.path, 'read_write', fn, this.options));
  }

  private read<T>(fn: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
    return this.guard(() => withDuckDbFile(this.path, 'read_only', fn, this.options));
  }

  private async guard<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      if (error instanceof StorageError) throw error;
      throw new StorageError(`catalog ${this.path}: ${duckMessage(error)}`, { cause: error });
    }
  }
}
