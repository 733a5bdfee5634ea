import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, truncate, writeFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalCatalog } from '../../../../shared/adapters/local/catalog';
import { withDuckDbFile } from '../../../../shared/adapters/local/duckdb-file';
import { InputError, LockError, StorageError } from '../../../../shared/errors';
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
      await expect(catalog.registerPartitions('raw_events', ['2024-05-02'])).rejects.toThrow(LockError);
    } finally {
      await holder.release();
    }
  });

  it('fails with LockError when the lock is held past the timeout', async () => {
    const catalog = await LocalCatalog.open(dataDir, { lockTimeoutMs: 50 });
    const holder = await holdLock(catalog.path);
    try {
      await expect(catalog.registerPartitions('raw_events', ['2024-05-01'])).rejects.toThrow(LockError);
    } finally {
      await holder.release();
    }
  });
});

/** A lake with data files in some partitions of every table, and one empty partition folder. */
async function plantLake(): Promise<void> {
  const files: Array<[string, string]> = [
    ['raw/events/dt=2024-05-01', 'a.gz'],
    ['raw/events/dt=2024-05-02', 'b.gz'],
    ['curated/events/dt=2024-05-01', 'part-00000.parquet'],
    ['curated/daily_ctr/dt=2024-05-01', 'part-00000.parquet'],
    ['curated/anomalies/dt=2024-05-02', 'part-00000.parquet'],
  ];
  for (const [dir, name] of files) {
    await mkdir(join(dataDir, 'lake', dir), { recursive: true });
    await writeFile(join(dataDir, 'lake', dir, name), 'x');
  }
  // Not partitions: an empty folder, an in-progress file only, a folder that is not a date.
  await mkdir(join(dataDir, 'lake', 'raw/events/dt=2024-05-03'), { recursive: true });
  await mkdir(join(dataDir, 'lake', 'raw/events/dt=2024-05-04'), { recursive: true });
  await writeFile(join(dataDir, 'lake', 'raw/events/dt=2024-05-04', '.c.gz.tmp'), 'x');
  await mkdir(join(dataDir, 'lake', 'raw/events/dt=someday'), { recursive: true });
}

const allPartitions = async (catalog: LocalCatalog) => (await catalog.snapshot()).map((p) => `${p.table}/${p.dt}`);
const expectedPartitions = ['anomalies/2024-05-02', 'daily_ctr/2024-05-01', 'events/2024-05-01', 'raw_events/2024-05-01', 'raw_events/2024-05-02'];

describe('LocalCatalog repair', () => {
  it('rebuilds a missing catalog from the lake on open, registering every partition with data, and says so', async () => {
    await plantLake();
    const catalog = await LocalCatalog.open(dataDir);
    expect(catalog.rebuilt).toEqual({ found: { raw_events: 2, events: 1, daily_ctr: 1, daily_conversions: 0, daily_experiments: 0, experiments: 0, anomalies: 1 }, added: 5, damagedKeptAt: null });
    expect(await allPartitions(catalog)).toEqual(expectedPartitions);
    const again = await LocalCatalog.open(dataDir);
    expect(again.rebuilt).toBeNull();
  });

  it('does not call a new data dir rebuilt', async () => {
    expect((await LocalCatalog.open(dataDir)).rebuilt).toBeNull();
  });

  it('repairs an existing catalog by adding the partitions it lacks, keeping the ones it has', async () => {
    const catalog = await LocalCatalog.open(dataDir);
    await catalog.registerPartitions('raw_events', ['2024-04-30', '2024-05-01']);
    await plantLake();
    const report = await LocalCatalog.repairDataDir(dataDir);
    expect(report).toEqual({ found: { raw_events: 2, events: 1, daily_ctr: 1, daily_conversions: 0, daily_experiments: 0, experiments: 0, anomalies: 1 }, added: 4, damagedKeptAt: null });
    expect(await allPartitions(await LocalCatalog.open(dataDir))).toEqual([...expectedPartitions.slice(0, 3), 'raw_events/2024-04-30', ...expectedPartitions.slice(3)]);
  });

  it('moves a half-written catalog aside and rebuilds it, where reading it failed', async () => {
    const catalog = await LocalCatalog.open(dataDir);
    const many = Array.from({ length: 300 }, (_, i) => new Date(Date.UTC(2023, 0, 1) + i * 86_400_000).toISOString().slice(0, 10));
    await catalog.registerPartitions('raw_events', many);
    await truncate(catalog.path, Math.floor((await stat(catalog.path)).size / 2));
    await expect(LocalCatalog.open(dataDir).then((c) => c.snapshot())).rejects.toThrow(/catalog repair rebuilds it from the lake/);
    await plantLake();
    const report = await LocalCatalog.repairDataDir(dataDir);
    expect(report.damagedKeptAt).toMatch(/catalog\.duckdb\.damaged-/);
    expect(report.added).toBe(5);
    expect(await allPartitions(await LocalCatalog.open(dataDir))).toEqual(expectedPartitions);
    expect((await readdir(dataDir)).filter((n) => n.startsWith('catalog.duckdb.damaged-'))).toHaveLength(1);
  });

  it('check() fails on a half-written catalog that still opens', async () => {
    const catalog = await LocalCatalog.open(dataDir);
    await catalog.registerPartitions('raw_events', Array.from({ length: 300 }, (_, i) => new Date(Date.UTC(2023, 0, 1) + i * 86_400_000).toISOString().slice(0, 10)));
    await truncate(catalog.path, Math.floor((await stat(catalog.path)).size / 2));
    const reopened = await LocalCatalog.open(dataDir);
    await expect(reopened.check()).rejects.toBeInstanceOf(StorageError);
  });

  it('sets aside a DuckDB log left without its database before rebuilding', async () => {
    const catalog = await LocalCatalog.open(dataDir);
    await catalog.registerPartitions('raw_events', ['2024-05-01']);
    await writeFile(`${catalog.path}.wal`, 'a log of a database that is gone');
    await rm(catalog.path);
    await plantLake();
    const rebuilt = await LocalCatalog.open(dataDir);
    expect(await allPartitions(rebuilt)).toEqual(expectedPartitions);
  });
});
