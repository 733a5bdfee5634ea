import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalCatalog } from '../../../../shared/adapters/local/catalog';
import { withDuckDbFile } from '../../../../shared/adapters/local/duckdb-file';
import { InputError, StorageError } from '../../../../shared/errors';
import { duckColumnList, tables } from '../../../../shared/schema';

let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'wa-analytics-catalog-'));
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

/** Another process that opens the catalog read-write and holds it until told to stop. */
function holdLock(path: string): Promise<{ child: ChildProcess; release: () => Promise<void> }> {
  const script = `
    const { DuckDBInstance } = require(${JSON.stringify(require.resolve('@duckdb/node-api'))});
    DuckDBInstance.create(${JSON.stringify(path)}).then((db) => {
      process.stdout.write('locked\\n');
      process.stdin.once('data', () => { db.closeSync(); process.exit(0); });
    });`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve) => {
    child.stdout!.once('data', () =>
      resolve({
        child,
        release: async () => {
          child.stdin!.write('x');
          await exited;
        },
      }),
    );
  });
}

describe('LocalCatalog', () => {
  it('registers partitions idempotently and lists them in date order', async () => {
    const catalog = await LocalCatalog.open(dataDir);
    await catalog.registerPartitions('raw_events', ['2024-05-02', '2024-05-01']);
    await catalog.registerPartitions('raw_events', ['2024-05-01', '2024-05-01']);
    await catalog.registerPartitions('daily_ctr', ['2024-04-30']);
    expect(await catalog.listPartitions('raw_events')).toEqual(['2024-05-01', '2024-05-02']);
    expect(await catalog.listPartitions('daily_ctr')).toEqual(['2024-04-30']);
    expect(await catalog.listPartitions('events')).toEqual([]);
    expect(await catalog.snapshot()).toEqual([
      { table: 'daily_ctr', dt: '2024-04-30', location: 'curated/daily_ctr/dt=2024-04-30/' },
      { table: 'raw_events', dt: '2024-05-01', location: 'raw/events/dt=2024-05-01/' },
      { table: 'raw_events', dt: '2024-05-02', location: 'raw/events/dt=2024-05-02/' },
    ]);
  });

  it('keeps the partitions in catalog.duckdb across opens, with the schema table definitions', async () => {
    await (await LocalCatalog.open(dataDir)).registerPartitions('events', ['2024-05-01']);
    const reopened = await LocalCatalog.open(dataDir);
    expect(await reopened.listPartitions('events')).toEqual(['2024-05-01']);
    const defs = await withDuckDbFile(join(dataDir, 'catalog.duckdb'), 'read_only', async (c) => (await c.runAndReadAll('SELECT table_name, format, prefix, columns FROM table_defs ORDER BY table_name')).getRowsJS());
    expect(defs).toEqual(
      Object.values(tables)
        .map((t) => [t.name, t.format, t.prefix, duckColumnList(t)])
        .sort((a, b) => a[0]!.localeCompare(b[0]!)),
    );
  });

  it('sees partitions another catalog instance registered after it cached a snapshot', async () => {
    const reader = await LocalCatalog.open(dataDir);
    const writer = await LocalCatalog.open(dataDir);
    expect(await reader.listPartitions('raw_events')).toEqual([]);
    await writer.registerPartitions('raw_events', ['2024-03-01']);
    expect(await reader.listPartitions('raw_events')).toEqual(['2024-03-01']);
    await writer.registerPartitions('events', ['2024-03-02']);
    expect(await reader.listPartitions('events')).toEqual(['2024-03-02']);
  });

  it('rejects a malformed partition date and an unknown table with InputError', async () => {
    const catalog = await LocalCatalog.open(dataDir);
    await expect(catalog.registerPartitions('raw_events', ['2024-13-01'])).rejects.toBeInstanceOf(InputError);
    await expect(catalog.registerPartitions('raw_events', ['../../etc'])).rejects.toBeInstanceOf(InputError);
    // Deliberately outside the TableName type, as a caller holding a string could do.
    await expect(catalog.listPartitions('nope' as never)).rejects.toBeInstanceOf(InputError);
  });

  it('waits while another process holds the catalog file, then registers', async () => {
    const catalog = await LocalCatalog.open(dataDir);
    const holder = await holdLock(catalog.path);
    const registering = catalog.registerPartitions('raw_events', ['2024-05-01']);
    let settled = false;
    void registering.finally(() => (settled = true));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(settled).toBe(false);
    await holder.release();
    await registering;
    expect(await catalog.listPartitions('raw_events')).toEqual(['2024-05-01']);
  });

  it('registers a partition it already registered without touching the file (even while it is locked)', async () => {
    const catalog = await LocalCatalog.open(dataDir, { lockTimeoutMs: 50 });
    await catalog.registerPartitions('raw_events', ['2024-05-01']);
    const holder = await holdLock(catalog.path);
    try {
      await expect(catalog.registerPartitions('raw_events', ['2024-05-01'])).resolves.toBeUndefined();
      await expect(catalog.registerPartitions('raw_events', ['2024-05-02'])).rejects.toThrow(StorageError);
    } finally {
      await holder.release();
    }
  });

  it('fails with StorageError when the lock is held past the timeout', async () => {
    const catalog = await LocalCatalog.open(dataDir, { lockTimeoutMs: 50 });
    const holder = await holdLock(catalog.path);
    try {
      await expect(catalog.registerPartitions('raw_events', ['2024-05-01'])).rejects.toThrow(StorageError);
    } finally {
      await holder.release();
    }
  });
});
