import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dateRange } from '../../shared/time';
import { queryRows, removeTempDirs, runCli, tempDir } from '../local/stack-helpers';
import { expectedCtrConversions, expectedDailyConversions } from '../shared/daily/conversion-oracle';
import { ATTRIBUTION_DAYS, LOOKBACK, requests } from '../shared/daily/conversion-scenario';

/*
 * The conversion scenario end to end through the commands a user runs: its bodies recorded as
 * JSON lines, `replay --as-of-event-time` (posted conversions through the /conversions route's
 * template, orders through Meta's), then `daily` once per day. The tables must equal the
 * independent oracle, and running every day again must change nothing.
 */

const env = { WA_PII: 'raw', WA_ATTRIBUTION_DAYS: String(ATTRIBUTION_DAYS) };
const days = dateRange('2024-05-01', '2024-05-07');

afterAll(removeTempDirs);

const cents = (v: unknown) => (v === null ? null : Math.round(Number(v) * 100) / 100);

async function tables(dataDir: string) {
  const ctr = await queryRows(dataDir, 'SELECT dt, campaign_id, template_name, button_id, clicked_messages, conversions, converted_messages, conversion_rate FROM daily_ctr ORDER BY dt, campaign_id, button_id');
  const conv = await queryRows(dataDir, `SELECT dt, * FROM daily_conversions ORDER BY dt, campaign_id, COALESCE(template_name, ''), COALESCE(button_id, ''), conversion_name, COALESCE(currency, '')`);
  return { ctr, conv: conv.map((r) => ({ ...r, value: cents(r.value) })) };
}

describe('conversions replayed and rolled up by the commands', () => {
  it('gives the oracle numbers after replay and daily runs, and the same again on a second pass', async () => {
    const dataDir = tempDir();
    const file = join(tempDir(), 'capture.jsonl');
    // One body per line in arrival order, as a capture would hold them.
    const bodies = [...requests()].sort((a, b) => a.receivedTs - b.receivedTs).map((r) => r.body);
    writeFileSync(file, `${bodies.join('\n')}\n`);

    const replayed = await runCli(['replay', file, '--as-of-event-time', '--data-dir', dataDir], env, 60_000);
    expect(replayed.stdout).toBe(`replay: posted ${bodies.length}; accepted ${bodies.length}; rejected 0\n`);
    expect(replayed.code).toBe(0);

    const printed = new Map<string, string>();
    const runAll = async () => {
      for (const date of days) {
        const run = await runCli(['daily', '--date', date, '--lookback', String(LOOKBACK), '--data-dir', dataDir], env, 60_000);
        expect(run.stdout).toContain(`daily workflow succeeded for ${date} (lookback ${LOOKBACK}, attribution ${ATTRIBUTION_DAYS} days)`);
        if (!printed.has(date)) printed.set(date, run.stdout);
      }
    };
    await runAll();
    // The digest (printed: no Slack URL) names the day's conversions per campaign: on 05-03
    // order-1003 and order-1008 credit spring taps, order-1004 the summer tap.
    const digest0503 = printed.get('2024-05-03')!;
    expect(digest0503).toContain('[slack] `spring`: 2 conversions, revenue USD 40.00 + EUR 20.00\n[slack] `summer`: 1 conversion, revenue USD 12.50\n');
    const first = await tables(dataDir);

    const expected = expectedCtrConversions();
    for (const r of first.ctr) {
      const want = expected.get([r.dt, r.campaign_id, r.template_name, r.button_id].join('|')) ?? { conversions: 0, converted_messages: 0, conversion_rate: r.clicked_messages === 0 ? null : 0 };
      expect([r.dt, r.button_id, r.conversions, r.converted_messages, r.conversion_rate]).toEqual([r.dt, r.button_id, want.conversions, want.converted_messages, want.conversion_rate]);
    }
    expect(first.conv).toEqual(expectedDailyConversions().map((r) => ({ ...r, value: cents(r.value) })));

    await runAll();
    expect(await tables(dataDir)).toEqual(first);
  }, 300_000);
});
