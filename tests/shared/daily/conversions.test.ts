import type { LocalCatalog } from '../../../shared/adapters/local/catalog';
import type { LocalQueryEngine } from '../../../shared/adapters/local/query-engine';
import { attributionCohorts, resolveRun } from '../../../services/daily/steps';
import { localDailyContext } from '../../../local/daily-context';
import type { QueryRow } from '../../../shared/ports/query-engine';
import { dailyConversionColumns } from '../../../shared/schema/columns';
import { dateRange } from '../../../shared/time';
import { writeRawRequests } from '../../support/raw-lake';
import { closeTempLake, openTempLake, runDailyTargets } from '../../support/temp-lake';
import { expectedCtrConversions, expectedDailyConversions } from './conversion-oracle';
import { ATTRIBUTION_DAYS, LOOKBACK, quarantinedItem, requests } from './conversion-scenario';

// Daily runs over the scenario's days and a few after, as the schedule would make them.
const targets = dateRange('2024-05-01', '2024-05-07');
const windows = { lookbackDays: LOOKBACK, attributionDays: ATTRIBUTION_DAYS };

let dataDir: string;
let catalog: LocalCatalog;
let engine: LocalQueryEngine;

const runAllTargets = () => runDailyTargets({ catalog, engine }, targets, windows);

async function ctrRows(): Promise<readonly QueryRow[]> {
  return (await engine.query(`SELECT dt, campaign_id, template_name, button_id, clicked_messages, conversions, converted_messages, conversion_rate FROM daily_ctr ORDER BY dt, campaign_id, button_id`)).rows;
}

async function conversionRows(): Promise<QueryRow[]> {
  const { rows } = await engine.query(`SELECT dt, * FROM daily_conversions ORDER BY dt, campaign_id, COALESCE(template_name, ''), COALESCE(button_id, ''), conversion_name, COALESCE(currency, '')`);
  return rows.map(toCents);
}

// Sums of doubles are compared to the cent: the engine and the oracle add in different orders.
const toCents = <R extends Record<string, unknown>>(r: R): R => ({ ...r, value: r.value === null ? null : Math.round(Number(r.value) * 100) / 100 });

beforeAll(async () => {
  ({ dataDir, catalog, engine } = await openTempLake('wa-conversions-', async (c) => void (await writeRawRequests(c.lakeDir, requests()))));
  await runAllTargets();
}, 120_000);

afterAll(() => closeTempLake({ dataDir, catalog, engine }));

describe('conversions in the daily workflow', () => {
  it('credits daily_ctr buttons exactly as the independent oracle does', async () => {
    const expected = expectedCtrConversions();
    const rows = await ctrRows();
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) {
      const want = expected.get([r.dt, r.campaign_id, r.template_name, r.button_id].join('|')) ?? {
        conversions: 0,
        converted_messages: 0,
        conversion_rate: r.clicked_messages === 0 ? null : 0,
      };
      expect({ key: [r.dt, r.campaign_id, r.button_id], conversions: r.conversions, converted_messages: r.converted_messages, conversion_rate: r.conversion_rate }).toEqual({ key: [r.dt, r.campaign_id, r.button_id], ...want });
    }
    // Every credited button has its daily_ctr row.
    const seen = new Set(rows.map((r) => [r.dt, r.campaign_id, r.template_name, r.button_id].join('|')));
    for (const key of expected.keys()) expect(seen).toContain(key);
  });

  it('gives the hand-computed daily_ctr conversion numbers', async () => {
    const byKey = new Map((await ctrRows()).map((r) => [`${r.dt} ${r.campaign_id} ${r.button_id}`, [r.conversions, r.converted_messages, r.conversion_rate]]));
    // order-1001 exactly 3 days after T2.
    expect(byKey.get('2024-05-01 spring no')).toEqual([1, 1, 1]);
    // order-1003 names spring, so T1 keeps it although T7 (summer) is later; T1 and T3 were tapped.
    expect(byKey.get('2024-05-01 spring yes')).toEqual([1, 1, 0.5]);
    // The order (12:30) and order-1008 (next day) both follow T6 (12:06), U5's later tap.
    expect(byKey.get('2024-05-02 spring no')).toEqual([2, 1, 1]);
    expect(byKey.get('2024-05-02 spring yes')).toEqual([0, 0, 0]);
    // signup-77 posted twice, counted once.
    expect(byKey.get('2024-05-02 summer shop')).toEqual([1, 1, 1]);
    // order-1004 names no campaign: the latest tap, T7.
    expect(byKey.get('2024-05-03 summer shop')).toEqual([1, 1, 1]);
  });

  it('writes daily_conversions rows equal to the oracle, and to the hand-computed ones', async () => {
    const rows = await conversionRows();
    expect(rows).toEqual(expectedDailyConversions().map((r) => toCents({ ...r })));
    const brief = rows.map((r) => `${r.dt} ${r.campaign_id} ${r.button_id} ${r.conversion_name} ${r.currency}: ${r.conversions} ${r.converted_users} ${r.value} ${r.median_seconds_to_convert}`);
    expect(brief).toEqual([
      '2024-05-01 spring no purchase EUR: 1 1 30 259200',
      // 05-03 09:00 − 05-01 09:10.
      '2024-05-01 spring yes purchase EUR: 1 1 20 172200',
      // 2 × 10.00 + 1 × 5.50, 24 min after T6.
      '2024-05-02 spring no order EUR: 1 1 25.5 1440',
      '2024-05-02 spring no purchase USD: 1 1 40 89640',
      '2024-05-02 summer shop signup null: 1 1 null 1800',
      // Never tapped (U6), before the tap (U4), another campaign than tapped (U2).
      '2024-05-02 unattributed null purchase EUR: 3 3 21.99 null',
      '2024-05-03 summer shop purchase USD: 1 1 12.5 3600',
      // One second past T3's window: unattributed, by its own date.
      '2024-05-04 unattributed null purchase EUR: 1 1 45 null',
    ]);
    const stored = await engine.query('SELECT * FROM daily_conversions LIMIT 1');
    expect(stored.columns).toEqual([...dailyConversionColumns.map((c) => c.name), 'dt']);
  });

  it('quarantines the bad conversion of an array on its own and lands the rest', async () => {
    const { rows } = await engine.query(`SELECT reason, raw_body FROM raw_events WHERE kind = 'quarantine'`);
    expect(rows).toEqual([{ reason: quarantinedItem.reason, raw_body: Buffer.from(JSON.stringify(quarantinedItem.item)).toString('base64') }]);
    const landed = await engine.query(`SELECT COUNT(*) AS n FROM events WHERE event_id = 'conversions:order-1008'`);
    expect(landed.rows).toEqual([{ n: 1 }]);
  });

  it('rebuilds, beyond the lookback, only the cohorts whose taps can hold a conversion of the dates just curated', async () => {
    const ctx = localDailyContext({ catalog, engine, timeZone: 'UTC', attributionDays: ATTRIBUTION_DAYS, notifier: { post: async () => undefined } });
    const cohortsFor = async (date: string) => (await attributionCohorts(ctx, resolveRun({ date, lookbackDays: LOOKBACK }, ctx, Date.parse('2024-06-01')))).cohortDays;
    // 05-02 … 05-04 curated: order-1001 (05-04) can go to T2 (cohort 05-01); U1's 05-03 buys to T1 (05-01) or T7 (05-03).
    expect(await cohortsFor('2024-05-04')).toEqual(['2024-05-01', '2024-05-02', '2024-05-03', '2024-05-04']);
    // 05-04 … 05-06 curated: only order-1001 reaches back, to 05-01; 05-02 and 05-03 are left as they are.
    expect(await cohortsFor('2024-05-06')).toEqual(['2024-05-01', '2024-05-04', '2024-05-05', '2024-05-06']);
  });

  it('changes nothing when every run is made again', async () => {
    const before = [await ctrRows(), await conversionRows()];
    await runAllTargets();
    expect([await ctrRows(), await conversionRows()]).toEqual(before);
  }, 120_000);
});
