import { runDailyLocal } from '../../../shared/daily/local-steps';
import { digestConversionParams } from '../../../shared/daily/reads';
import { rawPartitionsToRegister } from '../../../shared/daily/window';
import { num, numOrNull, str, strOrNull } from '../../../shared/sql/decode';
import { renderSql } from '../../../shared/sql/render';
import { campaignConversions, type ConversionInputRow } from '../../../shared/slack/digest';
import { dateRange } from '../../../shared/time';
import { writeRawRequests } from '../../support/raw-lake';
import { closeTempLake, openTempLake, type TempLake } from '../../support/temp-lake';
import { creditedTap } from '../daily/conversion-oracle';
import { ATTRIBUTION_DAYS, conversions, LOOKBACK, requests, sendOf } from '../daily/conversion-scenario';

/*
 * daily/digest-conversions.sql on the conversion scenario's lake after the daily runs: each
 * target date's conversions per campaign and currency, equal to what the scenario's independent
 * oracle credits for the conversions of that date.
 */

const targets = dateRange('2024-05-01', '2024-05-07');
let lake: TempLake;

beforeAll(async () => {
  lake = await openTempLake('wa-digest-conversions-', async (c) => void (await writeRawRequests(c.lakeDir, requests())));
  for (const target of targets) {
    await lake.catalog.registerPartitions('raw_events', rawPartitionsToRegister(target, LOOKBACK));
    await runDailyLocal(lake, target, { lookbackDays: LOOKBACK, attributionDays: ATTRIBUTION_DAYS });
  }
}, 120_000);

afterAll(() => closeTempLake(lake));

/** The query's rows for one target date, with the parameters its header documents. */
async function digestRows(dt: string): Promise<ConversionInputRow[]> {
  const params = digestConversionParams(dt, { lookbackDays: LOOKBACK, attributionDays: ATTRIBUTION_DAYS });
  const { rows } = await lake.engine.query(renderSql('daily/digest-conversions', params, 'duckdb'));
  return rows.map((r) => ({ campaign_id: str(r, 'campaign_id'), currency: strOrNull(r, 'currency'), conversions: num(r, 'conversions'), revenue: numOrNull(r, 'revenue') }));
}

/** The oracle: conversions of `dt`, each to its credited tap's campaign, grouped by campaign and currency. */
function expected(dt: string): ConversionInputRow[] {
  const groups = new Map<string, ConversionInputRow>();
  for (const c of conversions.filter((x) => new Date(x.at).toISOString().slice(0, 10) === dt)) {
    const tap = creditedTap(c);
    const campaign = tap === null ? 'unattributed' : sendOf.get(tap.context)!.campaign;
    const key = `${campaign}|${c.currency ?? ''}`;
    const g = groups.get(key) ?? { campaign_id: campaign, currency: c.currency, conversions: 0, revenue: null };
    groups.set(key, { ...g, conversions: g.conversions + 1, revenue: c.value === null ? g.revenue : (g.revenue ?? 0) + c.value });
  }
  return [...groups.values()].sort((a, b) => (a.campaign_id < b.campaign_id ? -1 : a.campaign_id > b.campaign_id ? 1 : (a.currency ?? '~') < (b.currency ?? '~') ? -1 : 1));
}

describe('the digest\'s conversions of the day', () => {
  it('credit each conversion of the target date to its last-touch campaign, per currency, as the oracle does', async () => {
    let seen = 0;
    for (const dt of targets) {
      const rows = await digestRows(dt);
      const cents = (list: ConversionInputRow[]) => list.map((r) => ({ ...r, revenue: r.revenue === null ? null : Math.round(r.revenue * 100) }));
      expect({ dt, rows: cents(rows) }).toEqual({ dt, rows: cents(expected(dt)) });
      seen += rows.length;
    }
    expect(seen).toBeGreaterThan(3);
  });

  it('feed the digest\'s per-campaign lines', async () => {
    const all = (await Promise.all(targets.map(digestRows))).flat();
    expect(campaignConversions(all).reduce((n, c) => n + c.conversions, 0)).toBe(conversions.filter((c) => targets.includes(new Date(c.at).toISOString().slice(0, 10))).length);
  });
});
