import type { LocalCatalog } from '../../../shared/adapters/local/catalog';
import type { LocalQueryEngine } from '../../../shared/adapters/local/query-engine';
import { localDailyContext } from '../../../local/daily-context';
import { registerRaw } from '../../../services/daily/steps';
import { rawPartitionsToRegister } from '../../../shared/daily/window';
import { readTodayRows, timeOfDay, todayIn, todayReadSpan } from '../../../shared/today/read';
import { dateRange } from '../../../shared/time';
import { closeTempLake, openTempLake, runDailyTargets } from '../../support/temp-lake';
import { writeRawLake } from '../daily/scenario';

/*
 * Today's running numbers over the raw rows of the daily_ctr scenario (tests/shared/daily/scenario.ts):
 * duplicates of sends, statuses and taps, a quarantine row, late arrivals. Only raw partitions are
 * registered before `today` reads; the workflow runs afterwards for the comparison with daily_ctr.
 */

const LOOKBACK = 2;
const windows = { lookbackDays: LOOKBACK, attributionDays: 7 };

let dataDir: string;
let catalog: LocalCatalog;
let engine: LocalQueryEngine;

beforeAll(async () => {
  ({ dataDir, catalog, engine } = await openTempLake('wa-today-', async (c) => {
    await writeRawLake(c.lakeDir);
    await c.registerPartitions('raw_events', dateRange('2024-04-28', '2024-05-05'));
  }));
}, 120_000);

afterAll(() => closeTempLake({ dataDir, catalog, engine }));

const ctrOf = (rows: { clicked_messages: number; messages_delivered: number }[]) => rows.map((r) => r.clicked_messages / r.messages_delivered);

describe("today's running numbers", () => {
  it('reads the raw partitions from today − lookback − 1 to tomorrow', () => {
    expect(todayReadSpan('2024-05-01', 2)).toEqual({ from: '2024-04-28', to: '2024-05-02' });
    // 2024 is a leap year: 03-01 − 4 days is 02-26.
    expect(todayReadSpan('2024-03-01')).toEqual({ from: '2024-02-26', to: '2024-03-02' });
  });

  it('gives the hand-computed numbers of 05-01 from the raw rows, each duplicated fact once', async () => {
    const rows = await readTodayRows(engine, 'duckdb', '2024-05-01', windows);
    // M1 … M4 sent (M1 posted twice); M1, M2, M4 delivered (M1's delivered twice), M1 and M4 read;
    // M3 failed. T1 arrived twice; T2 (05-03, arrived 05-04) is not in yet. T4: 10:04 − 10:00.
    // T1: 09:10 − 09:01 = 540 s, T3: 10:03 − 10:00 = 180 s, median 360 s.
    const common = { campaign_id: 'spring', template_name: 'spring_v1', messages_sent: 4, messages_delivered: 3, messages_read: 2, conversions: 0, converted_messages: 0 };
    expect(rows).toEqual([
      { ...common, button_id: 'yes', button_title: 'Yes', button_position: 1, clicks: 2, clicked_messages: 2, unique_users: 2, ctr: 2 / 3, read_ctr: 1, median_seconds_to_click: 360, conversion_rate: 0 },
      { ...common, button_id: 'no', button_title: 'No', button_position: 2, clicks: 1, clicked_messages: 1, unique_users: 1, ctr: 1 / 3, read_ctr: 0.5, median_seconds_to_click: 240, conversion_rate: 0 },
      { ...common, button_id: 'later', button_title: 'Later', button_position: 3, clicks: 0, clicked_messages: 0, unique_users: 0, ctr: 0, read_ctr: 0, median_seconds_to_click: null, conversion_rate: null },
    ]);
    expect(ctrOf(rows)).toEqual([2 / 3, 1 / 3, 0]);
  });

  it('keeps messages of earlier cohorts out: a tap today on a message sent yesterday is not today’s', async () => {
    // 05-02: M5 (callback promo-b) and M6 (unattributed, no template) first seen that day; T7 on an
    // unknown message falls in unattributed too, whose one message is M6.
    const rows = await readTodayRows(engine, 'duckdb', '2024-05-02', windows);
    expect(rows.map((r) => [r.campaign_id, r.button_id, r.messages_sent, r.clicks])).toEqual([
      ['promo-b', 'flow_b', 1, 1],
      ['unattributed', 'x1', 1, 1],
      ['unattributed', 'yes', 1, 1],
    ]);
  });

  it("equals the daily_ctr partition the workflow writes once everything of the day has arrived", async () => {
    // 05-03's messages (M7, M8, sent 23:30) and their taps all arrive by 05-04: inside today's span.
    const today = await readTodayRows(engine, 'duckdb', '2024-05-03', windows);
    // Two runs curate event dates 04-30 … 05-05, all that cohort 05-03 reads.
    await runDailyTargets({ catalog, engine }, ['2024-05-02', '2024-05-05'], windows);
    const { rows } = await engine.query(`SELECT * FROM daily_ctr WHERE dt = '2024-05-03' ORDER BY campaign_id, template_name, button_position, button_id`);
    expect(today.length).toBe(2);
    expect(today).toEqual(rows.map(({ dt: _dt, ...r }) => r));
  }, 120_000);

  it('says nothing for a day with no raw rows yet, its empty partitions registered ahead', async () => {
    const ctx = localDailyContext({ catalog, engine, timeZone: 'America/Sao_Paulo', attributionDays: 7, notifier: { post: async () => undefined } });
    const before = (await engine.query('SELECT COUNT(*) AS n FROM events')).rows;
    // A backfill of 05-01 run at 05-10 01:30 UTC, still 05-09 in São Paulo (UTC−3): that day and
    // the next are registered too.
    expect(await registerRaw(ctx, { date: '2024-05-01', lookbackDays: LOOKBACK }, Date.parse('2024-05-10T01:30:00Z'))).toEqual({ registered: rawPartitionsToRegister('2024-05-01', LOOKBACK).length + 2 });
    expect((await catalog.listPartitions('raw_events')).slice(-2)).toEqual(['2024-05-09', '2024-05-10']);
    expect(await readTodayRows(engine, 'duckdb', '2024-05-09', windows)).toEqual([]);
    expect((await engine.query(`SELECT COUNT(*) AS n FROM raw_events WHERE dt >= '2024-05-09'`)).rows).toEqual([{ n: 0 }]);
    expect((await engine.query('SELECT COUNT(*) AS n FROM events')).rows).toEqual(before);
  });

  it('tells the time of day in the reporting time zone', () => {
    const clock = todayIn('Europe/Berlin', Date.parse('2024-05-03T22:30:00Z'));
    expect(clock.date).toBe('2024-05-04');
    expect(timeOfDay(clock)).toBe('00:30');
  });
});
