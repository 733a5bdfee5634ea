import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LocalCatalog } from '../../../../shared/adapters/local/catalog';
import { lakePath, partitionKey } from '../../../../shared/adapters/local/lake';
import { LocalPartitionWriter, partitionFileName } from '../../../../shared/adapters/local/partition-writer';
import type { LocalQueryEngine } from '../../../../shared/adapters/local/query-engine';
import { anomaliesSelect } from '../../../../shared/daily/rows-select';
import { rebuildPartitionLocal } from '../../../../shared/daily/local-steps';
import { rawPartitionsToRegister } from '../../../../shared/daily/window';
import { writeRawLake } from '../../daily/scenario';
import { closeTempLake, openTempLake } from '../../../support/temp-lake';

let dataDir: string;
let catalog: LocalCatalog;
let engine: LocalQueryEngine;

beforeEach(async () => {
  const prepare = async (c: LocalCatalog) => {
    await writeRawLake(c.lakeDir);
    await c.registerPartitions('raw_events', rawPartitionsToRegister('2024-05-01', 2));
  };
  ({ dataDir, catalog, engine } = await openTempLake('wa-partition-writer-', prepare));
}, 60_000);
afterEach(() => closeTempLake({ dataDir, catalog, engine }));

const eventsDir = () => lakePath(catalog.lakeDir, partitionKey('events', '2024-05-01'));
const count = async () => Number((await engine.query(`SELECT COUNT(*) AS n FROM events WHERE dt = '2024-05-01'`)).rows[0]!.n);

describe('local partition writes', () => {
  it('a re-run replaces the file in place, leaves only that file and writes the same bytes', async () => {
    const first = await rebuildPartitionLocal({ catalog, engine }, 'events', '2024-05-01', { lookbackDays: 2, attributionDays: 7 });
    expect(first.rows).toBeGreaterThan(0);
    const bytes = await readFile(first.file);
    // Leftovers a crash or an older layout could leave in the folder.
    await writeFile(join(eventsDir(), 'stale-00001.parquet'), bytes);
    await writeFile(join(eventsDir(), `.${partitionFileName}.tmp`), 'half written');
    expect(await count()).toBe(first.rows * 2);
    const again = await rebuildPartitionLocal({ catalog, engine }, 'events', '2024-05-01', { lookbackDays: 2, attributionDays: 7 });
    expect(again).toEqual(first);
    expect(await readdir(eventsDir())).toEqual([partitionFileName]);
    expect((await readFile(again.file)).equals(bytes)).toBe(true);
    expect(await count()).toBe(first.rows);
    expect(await catalog.listPartitions('events')).toEqual(['2024-05-01']);
  });

  it('a failed write keeps the rows already there and leaves no temporary file', async () => {
    const first = await rebuildPartitionLocal({ catalog, engine }, 'events', '2024-05-01', { lookbackDays: 2, attributionDays: 7 });
    await expect(new LocalPartitionWriter({ catalog, engine }).write('events', '2024-05-01', 'SELECT * FROM no_such_table')).rejects.toThrow(/no_such_table/);
    expect(await readdir(eventsDir())).toEqual([partitionFileName]);
    expect(await count()).toBe(first.rows);
  });

  it('writes a partition of literal rows (the anomalies step) and registers it', async () => {
    const out = await new LocalPartitionWriter({ catalog, engine }).writeFile('anomalies', '2024-05-01', anomaliesSelect([]));
    expect(out.rows).toBe(0);
    expect(await catalog.listPartitions('anomalies')).toEqual(['2024-05-01']);
    expect(Number((await engine.query(`SELECT COUNT(*) AS n FROM anomalies WHERE dt = '2024-05-01'`)).rows[0]!.n)).toBe(0);
  });
});
