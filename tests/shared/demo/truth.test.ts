import { alertMatches, expectedAlerts } from '../../../shared/demo/expected-alerts';
import { simulateDemo } from '../../../shared/demo/simulate';
import { truthDailyCtr } from '../../../shared/demo/truth';
import type { MessageFact, Simulation, StatusFact, TapFact } from '../../../shared/demo/types';

const at = (date: string, time: string) => Date.parse(`${date}T${time}Z`);
const status = (s: StatusFact['status'], ts: number, arrivals = [ts + 1000]): StatusFact => ({ status: s, ts, errorCode: null, arrivals });
const message = (over: Partial<MessageFact> & Pick<MessageFact, 'wamid' | 'statuses'>): MessageFact => ({
  provider: 'meta', user: '5511900000001', sendTs: at('2025-03-03', '09:00:00'), sendDate: '2025-03-03', campaignId: 'spring', templateName: 'spring_v1',
  viaRegistry: true, callback: null, buttons: [{ id: 'yes', title: 'Yes' }, { id: 'no', title: 'No' }], registryArrivals: [at('2025-03-03', '09:00:01')], ...over,
});
const tap = (over: Partial<TapFact> & Pick<TapFact, 'id' | 'context' | 'ts'>): TapFact => ({
  provider: 'meta', user: '5511900000001', interaction: 'button_reply', buttonId: 'yes', title: 'Yes', arrivals: [over.ts + 1000], ...over,
});

/** A hand-made history whose daily_ctr is easy to work out. */
const tiny: Simulation = {
  startDate: '2025-03-03', days: 3, dates: ['2025-03-03', '2025-03-04', '2025-03-05'], incidents: [], deliveries: [],
  messages: [
    message({ wamid: 'M1', statuses: [status('sent', at('2025-03-03', '09:00:02')), status('delivered', at('2025-03-03', '09:00:05')), status('read', at('2025-03-03', '09:10:00'))] }),
    // Delivered, read only after the lookback (1 day): not counted as read.
    message({ wamid: 'M2', user: '5511900000002', statuses: [status('delivered', at('2025-03-03', '09:00:06')), status('read', at('2025-03-05', '08:00:00'))] }),
    // No registry: campaign and template from callback data; its delivery arrived too late to be read.
    message({
      wamid: 'M3', user: '5511900000003', viaRegistry: false, registryArrivals: [], campaignId: 'orders', templateName: 'reminder', callback: '{"campaign_id":"orders","template_name":"reminder"}',
      statuses: [status('sent', at('2025-03-04', '08:00:00')), status('delivered', at('2025-03-04', '08:00:05'), [at('2025-03-09', '10:00:00')])],
    }),
  ],
  taps: [
    // Tapped twice (two inbound messages) 60 s after delivery; one copy delivered twice.
    tap({ id: 'T1', context: 'M1', ts: at('2025-03-03', '09:01:05'), arrivals: [at('2025-03-03', '09:01:06'), at('2025-03-03', '09:05:00')] }),
    tap({ id: 'T2', context: 'M1', ts: at('2025-03-03', '09:02:05') }),
    // A tap after the lookback: counted nowhere.
    tap({ id: 'T3', context: 'M2', user: '5511900000002', ts: at('2025-03-05', '08:01:00'), buttonId: 'no', title: 'No' }),
    tap({ id: 'T4', context: 'M3', user: '5511900000003', ts: at('2025-03-04', '08:03:00'), interaction: 'quick_reply', buttonId: 'track', title: 'Track' }),
    // On a message the pipeline never saw: unattributed, in its own date's cohort.
    tap({ id: 'T5', context: 'OLD', user: '5511900000009', ts: at('2025-03-04', '12:00:00'), buttonId: 'old', title: 'Old offer' }),
    // A text reply is not a click.
    tap({ id: 'T6', context: 'M1', ts: at('2025-03-03', '10:00:00'), interaction: null, buttonId: null, title: 'Thanks!' }),
  ],
};

describe('demo ground truth', () => {
  it('follows the daily_ctr contract on a hand-made history', () => {
    const base = { read_ctr: null, median_seconds_to_click: null };
    expect(truthDailyCtr(tiny, { lookbackDays: 1, asOf: '2025-03-05' })).toEqual([
      { ...base, dt: '2025-03-03', campaign_id: 'spring', template_name: 'spring_v1', button_id: 'no', button_title: 'No', button_position: 2, messages_sent: 2, messages_delivered: 2, messages_read: 1, clicks: 0, clicked_messages: 0, unique_users: 0, ctr: 0, read_ctr: 0 },
      { dt: '2025-03-03', campaign_id: 'spring', template_name: 'spring_v1', button_id: 'yes', button_title: 'Yes', button_position: 1, messages_sent: 2, messages_delivered: 2, messages_read: 1, clicks: 2, clicked_messages: 1, unique_users: 1, ctr: 0.5, read_ctr: 1, median_seconds_to_click: 90 },
      { ...base, dt: '2025-03-04', campaign_id: 'orders', template_name: 'reminder', button_id: 'track', button_title: 'Track', button_position: null, messages_sent: 1, messages_delivered: 0, messages_read: 0, clicks: 1, clicked_messages: 1, unique_users: 1, ctr: null },
      { ...base, dt: '2025-03-04', campaign_id: 'unattributed', template_name: null, button_id: 'old', button_title: 'Old offer', button_position: null, messages_sent: 0, messages_delivered: 0, messages_read: 0, clicks: 1, clicked_messages: 1, unique_users: 1, ctr: null },
    ]);
  });

  it('as of an earlier target date, counts only what had happened by then', () => {
    const rows = truthDailyCtr(tiny, { lookbackDays: 1, asOf: '2025-03-03' });
    expect(rows.map((r) => [r.dt, r.button_id, r.clicks])).toEqual([['2025-03-03', 'no', 0], ['2025-03-03', 'yes', 2]]);
  });
});

describe('incidents of the default demo', () => {
  let sim: Simulation;
  beforeAll(() => {
    sim = simulateDemo();
  }, 60_000);

  it('are exactly the alerts the detector raises over the 28 days, run target by target', () => {
    const alerts = expectedAlerts(sim, 3);
    expect(sim.incidents.map((i) => i.name)).toEqual(['broken_button', 'ctr_collapse', 'delivery_outage']);
    expect(alerts).toHaveLength(sim.incidents.length);
    for (const incident of sim.incidents) expect(alerts.filter((a) => alertMatches(a, incident))).toHaveLength(1);
  }, 60_000);

  it('show in the truth: zero taps, a collapsed CTR, a delivery outage', () => {
    const rows = truthDailyCtr(sim, { lookbackDays: 3, asOf: sim.dates[sim.dates.length - 1]! });
    const [broken, collapse, outage] = sim.incidents;
    const row = (dt: string, button: string) => rows.find((r) => r.dt === dt && r.button_id === button)!;
    const weekBefore = (dt: string) => sim.dates[sim.dates.indexOf(dt) - 7]!;
    expect(row(broken!.dt, 'shop_now')).toMatchObject({ clicks: 0, clicked_messages: 0 });
    expect(row(broken!.dt, 'shop_now').messages_delivered).toBeGreaterThan(100);
    expect(row(collapse!.dt, 'track_order').ctr!).toBeLessThan(0.3 * row(weekBefore(collapse!.dt), 'track_order').ctr!);
    expect(row(outage!.dt, 'points_balance').messages_delivered).toBeLessThan(0.2 * row(weekBefore(outage!.dt), 'points_balance').messages_delivered);
  }, 60_000);
});
