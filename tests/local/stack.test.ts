import { mkdir, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { LocalCatalog } from '../../shared/adapters/local/catalog';
import { StorageError } from '../../shared/errors';
import { openStack } from '../../local/stack';
import { readLocalConfig } from '../../shared/config/local';
import { removeTempDirs, tempDir } from './stack-helpers';

afterAll(removeTempDirs);

describe('openStack', () => {
  it('refuses to start on a half-written catalog, acknowledging nothing, and starts once it is repaired', async () => {
    const dataDir = tempDir();
    const catalog = await LocalCatalog.open(dataDir);
    await catalog.registerPartitions('raw_events', Array.from({ length: 300 }, (_, i) => new Date(Date.UTC(2023, 0, 1) + i * 86_400_000).toISOString().slice(0, 10)));
    await truncate(catalog.path, Math.floor((await stat(catalog.path)).size / 2));
    const opening = openStack({ config: readLocalConfig({ WA_PII: 'raw' }, { dataDir }), inlineTransform: true, log: () => undefined });
    await expect(opening).rejects.toBeInstanceOf(StorageError);
    await expect(opening).rejects.toThrow(/the catalog cannot be written, so nothing would be delivered; refusing to start: .*catalog repair rebuilds it from the lake/);
    // The refusal let go of the writer lock.
    await LocalCatalog.repairDataDir(dataDir);
    const stack = await openStack({ config: readLocalConfig({ WA_PII: 'raw' }, { dataDir }), inlineTransform: true, log: () => undefined });
    await stack.close();
  });

  it('says when it had to rebuild a missing catalog from the lake, and says nothing for a new data dir', async () => {
    const dataDir = tempDir();
    const lines: string[] = [];
    const first = await openStack({ config: readLocalConfig({ WA_PII: 'raw' }, { dataDir }), inlineTransform: true, log: (l) => lines.push(l) });
    await first.close();
    expect(lines.filter((l) => l.includes('was missing'))).toEqual([]);
    await mkdir(join(dataDir, 'lake', 'raw', 'events', 'dt=2024-05-01'), { recursive: true });
    await writeFile(join(dataDir, 'lake', 'raw', 'events', 'dt=2024-05-01', 'a.gz'), gzipSync('{"event_id":"a"}\n'));
    await rm(join(dataDir, 'catalog.duckdb'));
    const second = await openStack({ config: readLocalConfig({ WA_PII: 'raw' }, { dataDir }), inlineTransform: true, log: (l) => lines.push(l) });
    await second.close();
    expect(lines.filter((l) => l.includes('was missing'))).toEqual([
      `wa-analytics: ${join(dataDir, 'catalog.duckdb')} was missing: rebuilt it from the lake: 1 partitions in the lake (raw_events 1, events 0, daily_ctr 0, daily_conversions 0, daily_experiments 0, experiments 0, anomalies 0), 1 newly registered`,
    ]);
  });
});
