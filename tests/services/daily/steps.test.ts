import { mkdir, } from 'node:fs/promises';
import { join } from 'node:path';
import type { LocalCatalog } from '../../../shared/adapters/local/catalog';
import type { LocalQueryEngine } from '../../../shared/adapters/local/query-engine';
import type { Notifier } from '../../../shared/ports/notifier';
import { localDailyContext } from '../../../local/daily-context';
import { detect, resolveRun } from '../../../services/daily/steps';
import { addDays } from '../../../shared/time';
import { InputError } from '../../../shared/errors';
import { closeTempLake, openTempLake } from '../../support/temp-lake';

const silent: Notifier = { post: async () => undefined };

let dataDir: string;
let catalog: LocalCatalog;
let engine: LocalQueryEngine;

beforeEach(async () => {
  ({ dataDir, catalog, engine } = await openTempLake('wa-detect-step-'));
}, 60_000);
afterEach(() => closeTempLake({ dataDir, catalog, engine }));

// 28 days of a button with about ±10% day-to-day noise (tapped messages out of 3000 deliveries),
// then three days at half: without the anomalies of the earlier runs, the second and third day
// are tested against a baseline that holds the first and are missed.
const start = '2025-03-03';
const clicked = [324, 332, 293, 327, 326, 275, 338, 324, 334, 289, 267, 248, 238, 307, 272, 333, 266, 348, 342, 332, 315, 344, 336, 235, 253, 379, 297, 251, 150, 160, 135];

/** Writes one daily_ctr partition per day in one COPY, and registers them all. */
async function writeDailyCtr(): Promise<void> {
  const values = clicked.map((taps, t) => `('${addDays(start, t)}', ${taps})`).join(', ');
  const select = `SELECT 'spring' AS campaign_id, 'promo' AS template_name, 'yes' AS button_id, 'Yes' AS button_title, 1 AS button_position,
    3100 AS messages_sent, 3000 AS messages_delivered, 2000 AS messages_read, taps AS clicks, taps AS clicked_messages,
    taps AS unique_users, taps / 3000 AS ctr, taps / 2000 AS read_ctr, 60.0 AS median_seconds_to_click, dt FROM (VALUES ${values}) AS v(dt, taps)`;
  const dir = join(catalog.lakeDir, 'curated', 'daily_ctr');
  await mkdir(dir, { recursive: true });
  await engine.query(`COPY (${select}) TO '${dir.replace(/'/g, "''")}' (FORMAT parquet, PARTITION_BY (dt))`);
  await catalog.registerPartitions('daily_ctr', clicked.map((_, t) => addDays(start, t)));
}

describe('the daily anomaly step', () => {
  it('reads the anomalies of its earlier runs back, so every day of a three-day drop is one incident', async () => {
    const ctx = localDailyContext({ catalog, engine, timeZone: 'UTC', attributionDays: 7, notifier: silent });
    await writeDailyCtr();
    const days = [28, 29, 30].map((t) => addDays(start, t));
    for (const date of days) expect(await detect(ctx, { date })).toEqual({ anomalies: 1 });
    const rows = (await engine.query('SELECT dt, metric, kind, incident_start FROM anomalies ORDER BY dt')).rows;
    expect(rows).toEqual(days.map((dt) => ({ dt, metric: 'ctr', kind: 'drop', incident_start: days[0] })));
  }, 60_000);
});

const now = Date.UTC(2026, 11, 1, 1, 0); // 2026-12-01T01:00Z

describe('resolveRun (the workflow input, on AWS and locally)', () => {
  it('defaults to yesterday in the reporting time zone', () => {
    expect(resolveRun({}, { timeZone: 'UTC' }, now)).toMatchObject({ date: '2026-11-30', lookbackDays: 3 });
    expect(resolveRun({}, { timeZone: 'America/Sao_Paulo' }, now)).toMatchObject({ date: '2026-11-29' });
  });

  it("rebuilds cohorts back as far as the stage's attribution window, unless the input names another", () => {
    const run = resolveRun({ date: '2026-11-20' }, { timeZone: 'UTC', attributionDays: 2 }, now);
    expect(run).toMatchObject({ attributionDays: 2, days: ['2026-11-17', '2026-11-18', '2026-11-19', '2026-11-20'] });
    expect(run.cohortDays).toEqual(['2026-11-15', '2026-11-16', '2026-11-17', '2026-11-18', '2026-11-19', '2026-11-20']);
    expect(resolveRun({ date: '2026-11-20', attributionDays: 0 }, { timeZone: 'UTC', attributionDays: 2 }, now).cohortDays).toEqual(run.days);
    expect(resolveRun({ date: '2026-11-20' }, { timeZone: 'UTC' }, now).cohortDays).toHaveLength(11);
    expect(() => resolveRun({ attributionDays: 'x' }, { timeZone: 'UTC' }, now)).toThrow('attribution window must be a whole number of days from 0 to 90 (got NaN)');
  });

  it('refuses a date outside 2000-01-01 … one year ahead before any step runs', () => {
    expect(() => resolveRun({ date: '9999-12-31' }, { timeZone: 'UTC' }, now)).toThrow(new InputError('date 9999-12-31 is outside 2000-01-01 … 2027-12-01 (from 2000-01-01 to one year ahead)'));
    expect(() => resolveRun({ date: '9999-12-29', lookbackDays: 3 }, { timeZone: 'UTC' }, now)).toThrow(InputError);
    expect(() => resolveRun({ date: '2026-02-30' }, { timeZone: 'UTC' }, now)).toThrow('date must be a date YYYY-MM-DD (got "2026-02-30")');
  });
});
