import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { LocalCatalog } from '../../../../shared/adapters/local/catalog';
import { LocalQueryEngine, oneLine } from '../../../../shared/adapters/local/query-engine';
import { QueryError } from '../../../../shared/errors';
import { flatRowColumns, tables } from '../../../../shared/schema';
import { closeTempLake, openTempLake } from '../../../support/temp-lake';

let dataDir: string;
let catalog: LocalCatalog;
let engine: LocalQueryEngine;

beforeEach(async () => {
  ({ dataDir, catalog, engine } = await openTempLake('wa-analytics-engine-'));
}, 60_000);
afterEach(() => closeTempLake({ dataDir, catalog, engine }));

async function writeRaw(dt: string, name: string, rows: object[]): Promise<void> {
  const dir = join(dataDir, 'lake', 'raw', 'events', `dt=${dt}`);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, name), gzipSync(rows.map((r) => `${JSON.stringify(r)}\n`).join('')));
}

const row = (event_id: string, kind: string, extra: object = {}) => ({ event_id, kind, source: 'meta', received_ts: 1_714_557_600_000, ...extra });

describe('LocalQueryEngine', () => {
  it('sees only registered partitions, as Athena does, and picks up new registrations', async () => {
    await writeRaw('2024-05-01', 'a.gz', [row('e1', 'click'), row('e2', 'status')]);
    await writeRaw('2024-05-02', 'b.gz', [row('e3', 'click')]);
    await catalog.registerPartitions('raw_events', ['2024-05-01']);
    expect((await engine.query('SELECT event_id, dt FROM raw_events ORDER BY event_id')).rows).toEqual([
      { event_id: 'e1', dt: '2024-05-01' },
      { event_id: 'e2', dt: '2024-05-01' },
    ]);
    await catalog.registerPartitions('raw_events', ['2024-05-02']);
    expect((await engine.query('SELECT count(*) AS n FROM raw_events')).rows).toEqual([{ n: 3 }]);
  });

  it('exposes only the partitions inside its window when opened with one', async () => {
    for (const dt of ['2024-04-30', '2024-05-01', '2024-05-02', '2024-05-03']) await writeRaw(dt, 'x.gz', [row(`e-${dt}`, 'click')]);
    await catalog.registerPartitions('raw_events', ['2024-04-30', '2024-05-01', '2024-05-02', '2024-05-03']);
    const windowed = await LocalQueryEngine.open(catalog, { window: { from: '2024-05-01', to: '2024-05-02' } });
    try {
      expect((await windowed.query('SELECT dt FROM raw_events ORDER BY dt')).rows).toEqual([{ dt: '2024-05-01' }, { dt: '2024-05-02' }]);
    } finally {
      await windowed.close();
    }
    expect((await engine.query('SELECT count(*)::INTEGER AS n FROM raw_events')).rows).toEqual([{ n: 4 }]);
  });

  it('reaches tables qualified by the database name', async () => {
    await writeRaw('2024-05-01', 'a.gz', [row('e1', 'click')]);
    await catalog.registerPartitions('raw_events', ['2024-05-01']);
    const result = await engine.query('SELECT event_id FROM whatsapp_analytics.raw_events');
    expect(result.rows).toEqual([{ event_id: 'e1' }]);
  });

  it('reads JSON with the schema types: bigints as numbers when safe, strings beyond', async () => {
    await writeRaw('2024-05-01', 'a.gz', [row('e1', 'click', { error_code: 131026, event_ts: 1_714_557_500_000 })]);
    await catalog.registerPartitions('raw_events', ['2024-05-01']);
    const result = await engine.query("SELECT event_ts, received_ts, error_code, event_ts * 100000 AS huge, typeof(event_ts) AS t, wa_id FROM raw_events");
    expect(result.rows).toEqual([{ event_ts: 1_714_557_500_000, received_ts: 1_714_557_600_000, error_code: 131026, huge: '171455750000000000', t: 'BIGINT', wa_id: null }]);
  });

  it('gives every table its schema columns plus dt, with no rows when nothing is registered', async () => {
    for (const table of Object.values(tables)) {
      const result = await engine.query(`SELECT * FROM ${table.name}`);
      expect(result.columns).toEqual([...table.columns.map((c) => c.name), 'dt']);
      expect(result.rows).toEqual([]);
    }
    expect((await engine.query('SELECT * FROM quarantine')).columns).toEqual([...flatRowColumns.map((c) => c.name), 'dt']);
  });

  it('exposes quarantine rows as the quarantine view', async () => {
    await writeRaw('2024-05-01', 'a.gz', [row('e1', 'click'), row('q1', 'quarantine', { reason: 'bad_signature' })]);
    await catalog.registerPartitions('raw_events', ['2024-05-01']);
    expect((await engine.query('SELECT event_id, reason FROM quarantine')).rows).toEqual([{ event_id: 'q1', reason: 'bad_signature' }]);
  });

  it('ignores in-progress dot files inside a registered partition', async () => {
    await writeRaw('2024-05-01', 'a.gz', [row('e1', 'click')]);
    await writeRaw('2024-05-01', '.b.gz.tmp', [row('e2', 'click')]);
    await writeRaw('2024-05-01', '.c.gz', [row('e3', 'click')]);
    await catalog.registerPartitions('raw_events', ['2024-05-01']);
    expect((await engine.query('SELECT event_id FROM raw_events')).rows).toEqual([{ event_id: 'e1' }]);
  });

  it('reads registered Parquet partitions with the schema types', async () => {
    const dir = join(dataDir, 'lake', 'curated', 'daily_ctr', 'dt=2024-05-01');
    await mkdir(dir, { recursive: true });
    const file = join(dir, 'part-0.parquet').replace(/'/g, "''");
    await engine.query(
      `COPY (SELECT 'spring' AS campaign_id, NULL AS template_name, 'yes' AS button_id, 'Yes' AS button_title, 1 AS button_position,
        10 AS messages_sent, 9 AS messages_delivered, 5 AS messages_read, 3 AS clicks, 3 AS clicked_messages, 2 AS unique_users,
        3 / 9 AS ctr, 0.6 AS read_ctr, 42.5 AS median_seconds_to_click) TO '${file}' (FORMAT parquet)`,
    );
    expect((await engine.query('SELECT count(*) AS n FROM daily_ctr')).rows).toEqual([{ n: 0 }]);
    await catalog.registerPartitions('daily_ctr', ['2024-05-01']);
    const result = await engine.query('SELECT campaign_id, template_name, messages_sent, clicks, round(ctr, 4) AS ctr, typeof(button_position) AS pos_type, dt FROM whatsapp_analytics.daily_ctr');
    expect(result.rows).toEqual([{ campaign_id: 'spring', template_name: null, messages_sent: 10, clicks: 3, ctr: 0.3333, pos_type: 'INTEGER', dt: '2024-05-01' }]);
  });

  it('reads anomalies partitions written before incident_start existed, with the column null', async () => {
    const copy = async (dt: string, select: string): Promise<void> => {
      const dir = join(dataDir, 'lake', 'curated', 'anomalies', `dt=${dt}`);
      await mkdir(dir, { recursive: true });
      await engine.query(`COPY (${select}) TO '${join(dir, 'part-0.parquet').replace(/'/g, "''")}' (FORMAT parquet)`);
    };
    const columns = "'spring' AS campaign_id, 'v1' AS template_name, 'yes' AS button_id, 'ctr' AS metric, 'drop' AS kind, 0.05 AS observed, 0.1 AS expected, 0.07 AS lower, 0.13 AS upper, 4.2 AS score, 28 AS baseline_days";
    await copy('2024-05-01', `SELECT ${columns}`);
    await copy('2024-05-02', `SELECT ${columns}, '2024-05-01' AS incident_start`);
    await catalog.registerPartitions('anomalies', ['2024-05-01', '2024-05-02']);
    const result = await engine.query('SELECT dt, kind, baseline_days, incident_start FROM anomalies ORDER BY dt');
    expect(result.rows).toEqual([
      { dt: '2024-05-01', kind: 'drop', baseline_days: 28, incident_start: null },
      { dt: '2024-05-02', kind: 'drop', baseline_days: 28, incident_start: '2024-05-01' },
    ]);
  });

  it('defines button_clicks over the curated events, with an ISO-8601 UTC timestamp', async () => {
    await writeRaw('2024-05-01', 'a.gz', [
      row('meta:wamid.IN1', 'click', { event_ts: Date.UTC(2024, 4, 1, 9, 30, 5), wa_id: 'u1', button_id: 'yes', button_title: 'Yes', context_wamid: 'wamid.OUT1' }),
      row('meta:wamid.OUT1:read', 'status', { event_ts: Date.UTC(2024, 4, 1, 9, 30, 0) }),
    ]);
    await catalog.registerPartitions('raw_events', ['2024-05-01']);
    const dir = join(dataDir, 'lake', 'curated', 'events', 'dt=2024-05-01');
    await mkdir(dir, { recursive: true });
    await engine.query(`COPY (SELECT * EXCLUDE (dt) FROM raw_events) TO '${join(dir, 'part-0.parquet').replace(/'/g, "''")}' (FORMAT parquet)`);
    await catalog.registerPartitions('events', ['2024-05-01']);
    expect((await engine.query("SELECT * FROM button_clicks WHERE timestamp > '2024-05-01'")).rows).toEqual([
      { timestamp: '2024-05-01T09:30:05Z', wa_id: 'u1', button_id: 'yes', button_text: 'Yes', context_id: 'wamid.OUT1', event_id: 'meta:wamid.IN1', dt: '2024-05-01' },
    ]);
  });

  it('defines conversions over the curated events: the posted id or the order wamid, value and currency', async () => {
    await writeRaw('2024-05-01', 'a.gz', [
      row('conversions:ord-1', 'conversion', { source: 'conversions', event_ts: Date.UTC(2024, 4, 1, 10, 0, 0), wa_id: 'u1', conversion_name: 'purchase', value: 59.9, currency: 'BRL', campaign_id: 'spring' }),
      row('meta:wamid.ORDER1', 'conversion', { wamid: 'wamid.ORDER1', event_ts: Date.UTC(2024, 4, 1, 11, 0, 0), wa_id: 'u2', conversion_name: 'order', value: 249, currency: 'MXN' }),
      row('meta:wamid.IN1', 'click', { event_ts: Date.UTC(2024, 4, 1, 9, 30, 5), wa_id: 'u1', button_id: 'yes' }),
    ]);
    await catalog.registerPartitions('raw_events', ['2024-05-01']);
    const dir = join(dataDir, 'lake', 'curated', 'events', 'dt=2024-05-01');
    await mkdir(dir, { recursive: true });
    await engine.query(`COPY (SELECT * EXCLUDE (dt) FROM raw_events) TO '${join(dir, 'part-0.parquet').replace(/'/g, "''")}' (FORMAT parquet)`);
    await catalog.registerPartitions('events', ['2024-05-01']);
    expect((await engine.query("SELECT * FROM conversions WHERE timestamp > '2024-05-01' ORDER BY timestamp")).rows).toEqual([
      { timestamp: '2024-05-01T10:00:00Z', wa_id: 'u1', conversion_id: 'ord-1', conversion_name: 'purchase', value: 59.9, currency: 'BRL', campaign_id: 'spring', source: 'conversions', event_id: 'conversions:ord-1', dt: '2024-05-01' },
      { timestamp: '2024-05-01T11:00:00Z', wa_id: 'u2', conversion_id: 'wamid.ORDER1', conversion_name: 'order', value: 249, currency: 'MXN', campaign_id: null, source: 'meta', event_id: 'meta:wamid.ORDER1', dt: '2024-05-01' },
    ]);
    expect((await engine.query('SELECT conversion_name, currency, sum(value) AS revenue FROM whatsapp_analytics.conversions GROUP BY ALL ORDER BY currency')).rows).toEqual([
      { conversion_name: 'purchase', currency: 'BRL', revenue: 59.9 },
      { conversion_name: 'order', currency: 'MXN', revenue: 249 },
    ]);
  });

  it('reaches daily_conversions, a table of the schema, once its partitions are registered', async () => {
    const dir = join(dataDir, 'lake', tables.daily_conversions.prefix, 'dt=2024-05-01');
    await mkdir(dir, { recursive: true });
    await engine.query(
      `COPY (SELECT 'spring' AS campaign_id, 'v1' AS template_name, 'yes' AS button_id, 'Yes' AS button_title, 'purchase' AS conversion_name, 'BRL' AS currency,
        3 AS conversions, 2 AS converted_users, 150.5 AS value, 3600 AS median_seconds_to_convert) TO '${join(dir, 'part-0.parquet').replace(/'/g, "''")}' (FORMAT parquet)`,
    );
    expect((await engine.query('SELECT count(*) AS n FROM daily_conversions')).rows).toEqual([{ n: 0 }]);
    await catalog.registerPartitions('daily_conversions', ['2024-05-01']);
    const result = await engine.query('SELECT campaign_id, conversions, converted_users, value, typeof(conversions) AS t, median_seconds_to_convert, dt FROM whatsapp_analytics.daily_conversions');
    expect(result.rows).toEqual([{ campaign_id: 'spring', conversions: 3, converted_users: 2, value: 150.5, t: 'BIGINT', median_seconds_to_convert: 3600, dt: '2024-05-01' }]);
  });

  it('turns a SQL error into a one-line QueryError', async () => {
    await expect(engine.query('SELECT * FROM no_such_table')).rejects.toThrow(QueryError);
    await expect(engine.query('selec 1')).rejects.toThrow(/^Parser Error: syntax error at or near "selec"$/);
  });

  it('keeps DuckDB messages on one line', () => {
    expect(oneLine('Catalog Error: Table with name x does not exist!\nDid you mean "y"?\n\nLINE 1: select * from x\n                      ^')).toBe(
      'Catalog Error: Table with name x does not exist! Did you mean "y"?',
    );
  });
});
