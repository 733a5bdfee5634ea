import type { DuckDBConnection } from '@duckdb/node-api';
import { existsSync } from 'node:fs';
import { rename, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Catalog } from '../../ports/catalog';
import { duckColumnList } from '../../schema/duckdb';
import { tables, type TableName } from '../../schema/tables';
import { errorMessage, InputError, LockError, StorageError, WaError } from '../../errors';
import { duckMessage, withDuckDbFile, type DuckDbFileOptions } from './duckdb-file';
import { assertPartitionDate, lakeDir, partitionKey } from './lake';
import { partitionsInLake } from './lake-files';
import { ensurePrivateDataDir, makePrivate } from './private-fs';

/** File name of the catalog database inside the data directory. */
export const catalogFileName = 'catalog.duckdb';

/** One registered partition; `location` is a key prefix relative to the lake root. */
export interface RegisteredPartition {
  readonly table: TableName;
  readonly dt: string;
  readonly location: string;
}

/** What a repair found in the lake and registered. */
export interface CatalogRepair {
  /** Partitions found in the lake, by table. */
  readonly found: Readonly<Record<TableName, number>>;
  /** How many of them were not registered before. */
  readonly added: number;
  /** Where a damaged catalog file was moved before the rebuild (null when none was). */
  readonly damagedKeptAt: string | null;
}

/** One line saying what a rebuild of the catalog found. */
export function describeRepair(report: CatalogRepair): string {
  const total = Object.values(report.found).reduce((a, b) => a + b, 0);
  const tablesFound = Object.entries(report.found).map(([table, n]) => `${table} ${n}`).join(', ');
  const moved = report.damagedKeptAt === null ? '' : `; the damaged catalog was moved to ${report.damagedKeptAt}`;
  return `${total} partitions in the lake (${tablesFound}), ${report.added} newly registered${moved}`;
}

/** The hint every catalog failure carries: the catalog is derived from the lake. */
export const repairHint = 'wa-analytics catalog repair rebuilds it from the lake';

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
  /** The catalog file `known` was learnt from: a replaced file (a rebuild) knows nothing yet. */
  private knownInode: bigint | null = null;
  /** Set by `open` when the catalog file was missing and was rebuilt from the lake. */
  rebuilt: CatalogRepair | null = null;
  /** The last snapshot and the file signature it was read under (see `snapshot`). */
  private cached: { signature: string; partitions: RegisteredPartition[] } | undefined;

  private constructor(
    readonly dataDir: string,
    private readonly options: DuckDbFileOptions,
  ) {
    this.path = join(dataDir, catalogFileName);
    this.lakeDir = lakeDir(dataDir);
  }

  /**
   * Opens the catalog of a data directory and refreshes the table definitions. The catalog is
   * derived from the lake, so a missing one is rebuilt (every partition found under the lake's
   * prefixes registered, like Athena's MSCK REPAIR TABLE) and `rebuilt` says so.
   */
  static async open(dataDir: string, options: DuckDbFileOptions = {}): Promise<LocalCatalog> {
    const catalog = new LocalCatalog(dataDir, options);
    try {
      await ensurePrivateDataDir(dataDir);
    } catch (cause) {
      throw new StorageError(`cannot create the data directory ${dataDir}: ${errorMessage(cause)}`, { cause });
    }
    const expected = Object.values(tables).map((t) => [t.name, t.format, t.prefix, duckColumnList(t), t.description]);
    const missing = !existsSync(catalog.path);
    // DuckDB's log of a database that is gone cannot be replayed into a new one.
    if (missing && existsSync(`${catalog.path}.wal`)) await catalog.moveAside(`${catalog.path}.wal`, 'orphan');
    // Readers such as `query` should not need the write lock: write only when the file is new
    // or its table definitions differ from the schema.
    if (!missing && (await catalog.tableDefsMatch(expected))) return catalog;
    await catalog.write(async (connection) => {
      for (const statement of ddl) await connection.run(statement);
      await connection.run('DELETE FROM table_defs');
      for (const values of expected) await connection.run('INSERT INTO table_defs VALUES ($1, $2, $3, $4, $5)', values);
    });
    // DuckDB creates the file with the process's default mode.
    await makePrivate(catalog.path);
    if (missing && existsSync(catalog.lakeDir)) catalog.rebuilt = await catalog.repair();
    return catalog;
  }

  /**
   * `wa-analytics catalog repair`: makes the catalog of a data directory whole again. A catalog
   * file that cannot be read or written is moved aside (`catalog.duckdb.damaged-<time>`) and a new
   * one created; then every partition found in the lake is registered.
   */
  static async repairDataDir(dataDir: string, options: DuckDbFileOptions = {}): Promise<CatalogRepair> {
    let damagedKeptAt: string | null = null;
    let catalog: LocalCatalog;
    try {
      catalog = await LocalCatalog.open(dataDir, options);
      await catalog.check();
    } catch (error) {
      if (error instanceof LockError || !(error instanceof StorageError) || !existsSync(join(dataDir, catalogFileName))) throw error;
      const damaged = new LocalCatalog(dataDir, options);
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      damagedKeptAt = await damaged.moveAside(damaged.path, `damaged-${stamp}`);
      if (existsSync(`${damaged.path}.wal`)) await damaged.moveAside(`${damaged.path}.wal`, `damaged-${stamp}`);
      catalog = await LocalCatalog.open(dataDir, options);
    }
    const report = catalog.rebuilt ?? (await catalog.repair());
    return { ...report, damagedKeptAt };
  }

  /** Registers every partition found under the lake's prefixes (add only, as MSCK REPAIR TABLE). */
  async repair(): Promise<CatalogRepair> {
    const before = new Set((await this.snapshot()).map((p) => `${p.table}/${p.dt}`));
    const found = {} as Record<TableName, number>;
    let added = 0;
    // Straight to the file: what this instance believes registered is what is being repaired.
    this.known.clear();
    for (const table of Object.keys(tables) as TableName[]) {
      const dts = await partitionsInLake(this.lakeDir, table);
      found[table] = dts.length;
      added += dts.filter((dt) => !before.has(`${table}/${dt}`)).length;
      if (dts.length > 0) await this.registerPartitions(table, dts);
    }
    return { found, added, damagedKeptAt: null };
  }

  /**
   * Proves the catalog usable for writing: every table readable to the end and a registration
   * accepted (then rolled back). `start` checks this before acknowledging anything, since a
   * record it acknowledged must be deliverable, partition registration included.
   */
  async check(): Promise<void> {
    await this.write(async (connection) => {
      await connection.runAndReadAll('SELECT * FROM table_defs');
      await connection.runAndReadAll('SELECT * FROM partitions');
      await connection.run('BEGIN TRANSACTION');
      try {
        await connection.run("INSERT INTO partitions (table_name, dt, location) VALUES ('_check', '0000-00-00', '_check/')");
      } finally {
        await connection.run('ROLLBACK');
      }
    });
  }

  private async moveAside(file: string, tag: string): Promise<string> {
    const target = `${file.endsWith('.wal') ? file.slice(0, -4) : file}.${tag}${file.endsWith('.wal') ? '.wal' : ''}`;
    try {
      await rename(file, target);
    } catch (error) {
      throw new StorageError(`cannot move ${file} aside: ${errorMessage(error)}`, { cause: error });
    }
    return target;
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
    // A partition this instance registered is still there (only retention removes partitions, and
    // it forgets what it drops): the stream registers today's partition on every flush, and this
    // keeps those flushes off the file lock. A replaced file (a rebuild) starts from nothing.
    const inode = await this.fileInode();
    if (inode !== this.knownInode) this.known.clear();
    this.knownInode = inode;
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

  /** Unregisters partitions (retention); they are forgotten here too. Dropping one not registered is a no-op. */
  async dropPartitions(table: TableName, dts: readonly string[]): Promise<void> {
    assertTable(table);
    const unique = [...new Set(dts.map(assertPartitionDate))];
    if (unique.length === 0) return;
    await this.write(async (connection) => {
      await connection.run('BEGIN TRANSACTION');
      try {
        for (const dt of unique) await connection.run('DELETE FROM partitions WHERE table_name = $1 AND dt = $2', [table, dt]);
        await connection.run('COMMIT');
      } catch (error) {
        await connection.run('ROLLBACK');
        throw error;
      }
    });
    for (const dt of unique) this.known.delete(`${table}/${dt}`);
    this.cached = undefined;
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

  private async fileInode(): Promise<bigint | null> {
    try {
      return (await stat(this.path, { bigint: true })).ino;
    } catch {
      return null;
    }
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
      if (error instanceof LockError) throw error;
      const message = error instanceof WaError ? error.message : `catalog ${this.path}: ${duckMessage(error)}`;
      throw new StorageError(`${message} (if the catalog is damaged, ${repairHint})`, { cause: error });
    }
  }
}
