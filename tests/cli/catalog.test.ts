import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { LocalCatalog } from '../../shared/adapters/local/catalog';

const run = promisify(execFile);
const bin = resolve(__dirname, '../../bin/wa-analytics.cjs');

let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'wa-analytics-catalog-cli-'));
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

async function rawFile(dt: string, ids: string[]): Promise<void> {
  const dir = join(dataDir, 'lake', 'raw', 'events', `dt=${dt}`);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'a.gz'), gzipSync(ids.map((id) => `${JSON.stringify({ event_id: id, kind: 'click', source: 'meta' })}\n`).join('')));
}

const query = async (sql: string) => (await run(process.execPath, [bin, 'query', sql, '--json', '--data-dir', dataDir])).stdout;

describe('wa-analytics catalog repair', () => {
  it('registers partitions that are in the lake but not in the catalog, so queries see them again', async () => {
    await rawFile('2024-05-01', ['a', 'b']);
    await (await LocalCatalog.open(dataDir)).registerPartitions('raw_events', ['2024-05-01']);
    // A partition written while the catalog was lost, say: in the lake, not registered.
    await rawFile('2024-05-02', ['c']);
    expect(await query('SELECT count(*) AS n FROM raw_events')).toBe('{"n":2}\n');
    const { stdout } = await run(process.execPath, [bin, 'catalog', 'repair', '--data-dir', dataDir]);
    expect(stdout).toBe('catalog repair: 2 partitions in the lake (raw_events 2, events 0, daily_ctr 0, daily_conversions 0, daily_experiments 0, experiments 0, anomalies 0), 1 newly registered\n');
    expect(await query('SELECT dt, count(*) AS n FROM raw_events GROUP BY dt ORDER BY dt')).toBe('{"dt":"2024-05-01","n":2}\n{"dt":"2024-05-02","n":1}\n');
  });

  it('replaces a damaged catalog file, keeping it aside, and says where', async () => {
    await rawFile('2024-05-01', ['a']);
    const catalog = await LocalCatalog.open(dataDir);
    await catalog.registerPartitions('raw_events', Array.from({ length: 300 }, (_, i) => new Date(Date.UTC(2023, 0, 1) + i * 86_400_000).toISOString().slice(0, 10)));
    await truncate(catalog.path, Math.floor((await stat(catalog.path)).size / 2));
    const broken = await run(process.execPath, [bin, 'query', 'SELECT 1', '--data-dir', dataDir]).then(() => null, (e: { code: number; stderr: string }) => e);
    // A damaged catalog is a failure of the data dir, not of the invocation: exit 1.
    expect(broken?.code).toBe(1);
    expect(broken?.stderr).toMatch(/wa-analytics catalog repair rebuilds it from the lake/);
    const { stdout } = await run(process.execPath, [bin, 'catalog', 'repair', '--data-dir', dataDir]);
    expect(stdout).toMatch(/^catalog repair: 1 partitions in the lake \(raw_events 1, events 0, daily_ctr 0, daily_conversions 0, daily_experiments 0, experiments 0, anomalies 0\), 1 newly registered; the damaged catalog was moved to \S+catalog\.duckdb\.damaged-\S+\n$/);
    expect(await query('SELECT count(*) AS n FROM raw_events')).toBe('{"n":1}\n');
  });
});
