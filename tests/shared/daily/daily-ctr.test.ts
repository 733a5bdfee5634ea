import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { LocalCatalog } from '../../../shared/adapters/local/catalog';
import type { LocalQueryEngine } from '../../../shared/adapters/local/query-engine';
import type { QueryRow } from '../../../shared/ports/query-engine';
import { dailyCtrColumns, flatRowColumns } from '../../../shared/schema/columns';
import { renderSql } from '../../../shared/sql/render';
import { dateRange } from '../../../shared/time';
import { closeTempLake, openTempLake, runDailyTargets } from '../../support/temp-lake';
import { oracleDailyCtr } from './oracle';
import { sends, statuses, taps, writeRawLake } from './scenario';

const LOOKBACK = 2;
// The workflow runs once a day; the last target covers cohort 05-04 up to its lookback.
const targets = dateRange('2024-05-01', '2024-05-06');

let dataDir: string;
let catalog: LocalCatalog;
let engine: LocalQueryEngine;

const runAllTargets = () => runDailyTargets({ catalog, engine }, targets, { lookbackDays: LOOKBACK, attributionDays: 7 });

/** The CTR columns (this scenario has no conversions; tests/shared/daily/conversions.test.ts covers those). */
async function ctrRows(): Promise<readonly QueryRow[]> {
  const { rows } = await engine.query(`SELECT *, dt FROM daily_ctr ORDER BY dt, campaign_id, COALESCE(template_name, ''), button_id`);
  return rows.map(({ conversions, converted_messages, conversion_rate, ...ctr }) => {
    expect([conversions, converted_messages]).toEqual([0, 0]);
    expect(conversion_rate).toBe(ctr.clicked_messages === 0 ? null : 0);
    return ctr;
  });
}

/** sha256 of every Parquet file the workflow wrote, by path inside the lake. */
async function curatedFileHashes(): Promise<Record<string, string>> {
  const root = join(dataDir, 'lake', 'curated');
  const out: Record<string, string> = {};
  for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    out[relative(root, path)] = createHash('sha256').update(await readFile(path)).digest('hex');
  }
  return out;
}

beforeAll(async () => {
  ({ dataDir, catalog, engine } = await openTempLake('wa-daily-ctr-', async (c) => void (await writeRawLake(c.lakeDir))));
  await runAllTargets();
}, 120_000);

afterAll(() => closeTempLake({ dataDir, catalog, engine }));

describe('curated events on the local engine', () => {
  it('keeps one row per event_id, no quarantine, every schema column in order, by event date', async () => {
    const result = await engine.query('SELECT * FROM events ORDER BY dt, event_id');
    expect(result.columns).toEqual([...flatRowColumns.map((c) => c.name), 'dt']);
    const ids = result.rows.map((r) => r.event_id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(result.rows.every((r) => r.kind !== 'quarantine' && r.event_date === r.dt)).toBe(true);
    // 6 sends + 14 statuses + 10 taps, each once, whatever the duplicates.
    expect(ids.length).toBe(sends.length + statuses.length + taps.length);
    const raw = await engine.query(`SELECT COUNT(*) AS n, COUNT(DISTINCT event_id) AS ids, COUNT(*) FILTER (WHERE kind = 'quarantine') AS q FROM raw_events`);
    expect(raw.rows[0]).toEqual({ n: 34, ids: 31, q: 1 });
  });

  it('keeps the first received copy of a duplicated fact', async () => {
    const rows = (await engine.query(`SELECT received_ts FROM events WHERE event_id = 'meta:wamid.T1'`)).rows;
    expect(rows).toEqual([{ received_ts: Date.parse('2024-05-01T09:10:01Z') }]);
  });
});

describe('daily_ctr on the local engine', () => {
  it('matches the independent oracle row for row', async () => {
    const rows = await ctrRows();
    const expected = oracleDailyCtr(sends, statuses, taps, LOOKBACK);
    expect(rows).toEqual(expected);
    const stored = (await engine.query('SELECT *, dt FROM daily_ctr LIMIT 1')).rows;
    expect(Object.keys(stored[0]!)).toEqual([...dailyCtrColumns.map((c) => c.name), 'dt']);
  });

  it('gives the hand-computed numbers of the 05-01 spring cohort', async () => {
    const rows = (await ctrRows()).filter((r) => r.dt === '2024-05-01');
    // M1..M4 sent; M3 failed; M2 read only after the lookback; T8 (05-04) is past the lookback.
    expect(rows).toEqual([
      { dt: '2024-05-01', campaign_id: 'spring', template_name: 'spring_v1', button_id: 'later', button_title: 'Later', button_position: 3, messages_sent: 4, messages_delivered: 3, messages_read: 2, clicks: 0, clicked_messages: 0, unique_users: 0, ctr: 0, read_ctr: 0, median_seconds_to_click: null },
      // T2: 05-03 12:00 − 05-01 09:02 = 183480 s; T4: 10:04 − 10:00 = 240 s.
      { dt: '2024-05-01', campaign_id: 'spring', template_name: 'spring_v1', button_id: 'no', button_title: 'No', button_position: 2, messages_sent: 4, messages_delivered: 3, messages_read: 2, clicks: 2, clicked_messages: 2, unique_users: 2, ctr: 2 / 3, read_ctr: 1, median_seconds_to_click: 91860 },
      // T1 (twice delivered, once counted): 09:10 − 09:01 = 540 s; T3: 10:03 − 10:00 = 180 s.
      { dt: '2024-05-01', campaign_id: 'spring', template_name: 'spring_v1', button_id: 'yes', button_title: 'Yes', button_position: 1, messages_sent: 4, messages_delivered: 3, messages_read: 2, clicks: 2, clicked_messages: 2, unique_users: 2, ctr: 2 / 3, read_ctr: 1, median_seconds_to_click: 360 },
    ]);
  });

  it('attributes by callback data, puts unknown messages in the tap date, and leaves ratios null on zero denominators', async () => {
    const rows = (await ctrRows()).filter((r) => r.dt === '2024-05-02');
    expect(rows.map((r) => [r.campaign_id, r.template_name, r.button_id, r.messages_sent, r.clicks, r.ctr, r.read_ctr, r.median_seconds_to_click])).toEqual([
      ['promo-b', null, 'flow_b', 1, 1, 1, 1, 270],
      ['unattributed', null, 'x1', 1, 1, 1, null, 1800],
      ['unattributed', null, 'yes', 1, 1, 1, null, null],
    ]);
    // M5 was read on 05-03 but belongs to the 05-02 cohort: the 05-03 cohort does not count it again.
    const may3 = (await ctrRows()).filter((r) => r.dt === '2024-05-03');
    expect(may3.map((r) => [r.campaign_id, r.template_name, r.button_id, r.button_position, r.messages_sent, r.messages_delivered, r.messages_read, r.clicks, r.median_seconds_to_click])).toEqual([
      // M8 has only a read status: delivered all the same, at the read time (T10 300 s, T9 600 s).
      ['spring', 'spring_v2', 'no', 2, 2, 2, 1, 0, null],
      ['spring', 'spring_v2', 'yes', 1, 2, 2, 1, 2, 450],
    ]);
  });

  it('serves the button_clicks view SELECT to a tutorial query unchanged', async () => {
    const view = renderSql('button-clicks-view', { database: 'whatsapp_analytics' }, 'duckdb');
    const tutorial = `SELECT button_id, button_text, COUNT(*) AS n, COUNT(DISTINCT wa_id) AS users FROM button_clicks WHERE timestamp > '2024-05-02T00:00:00Z' GROUP BY button_id, button_text ORDER BY button_id, button_text`;
    const result = await engine.query(`WITH button_clicks AS (${view}) ${tutorial}`);
    expect(result.rows).toEqual([
      { button_id: 'flow_b', button_text: 'Tell us more', n: 1, users: 1 },
      { button_id: 'no', button_text: 'No', n: 1, users: 1 },
      { button_id: 'x1', button_text: 'Shop now', n: 1, users: 1 },
      { button_id: 'yes', button_text: 'Yes', n: 2, users: 2 },
      { button_id: 'yes', button_text: 'Yes!', n: 2, users: 2 },
    ]);
    const one = await engine.query(`WITH button_clicks AS (${view}) SELECT "timestamp", context_id, dt FROM button_clicks WHERE event_id = 'meta:wamid.T1'`);
    expect(one.rows).toEqual([{ timestamp: '2024-05-01T09:10:00Z', context_id: 'wamid.M1', dt: '2024-05-01' }]);
  });

  it('writes byte-identical Parquet files and identical rows when everything runs again', async () => {
    const hashes = await curatedFileHashes();
    const rows = await ctrRows();
    const events = (await engine.query('SELECT * FROM events ORDER BY event_id')).rows;
    expect(Object.keys(hashes).length).toBeGreaterThan(0);
    await runAllTargets();
    expect(await curatedFileHashes()).toEqual(hashes);
    expect(await ctrRows()).toEqual(rows);
    expect((await engine.query('SELECT * FROM events ORDER BY event_id')).rows).toEqual(events);
  }, 120_000);
});
