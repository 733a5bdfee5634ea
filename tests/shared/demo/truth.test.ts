import { alertMatches, expectedAlerts } from '../../../shared/demo/expected-alerts';
import { simulateDemo } from '../../../shared/demo/simulate';
import { truthDailyCtr } from '../../../shared/demo/truth';
import { creditConversions, truthDailyConversions } from '../../../shared/demo/truth-conversions';
import type { ConversionFact, MessageFact, Simulation, StatusFact, TapFact } from '../../../shared/demo/types';

const at = (date: string, time: string) => Date.parse(`${date}T${time}Z`);
const status = (s: StatusFact['status'], ts: number, arrivals = [ts + 1000]): StatusFact => ({ status: s, ts, errorCode: null, arrivals });
const message = (over: Partial<MessageFact> & Pick<MessageFact, 'wamid' | 'statuses'>): MessageFact => ({
  provider: 'meta', user: '5511900000001', sendTs: at('2025-03-03', '09:00:00'), sendDate: '2025-03-03', campaignId: 'spring', templateName: 'spring_v1',
  viaRegistry: true, callback: null, arm: null, buttons: [{ id: 'yes', title: 'Yes' }, { id: 'no', title: 'No' }], registryArrivals: [at('2025-03-03', '09:00:01')], ...over,
});
const tap = (over: Partial<TapFact> & Pick<TapFact, 'id' | 'context' | 'ts'>): TapFact => ({
  provider: 'meta', user: '5511900000001', interaction: 'button_reply', buttonId: 'yes', title: 'Yes', arrivals: [over.ts + 1000], ...over,
});

/** A hand-made history whose daily_ctr is easy to work out. */
const tiny: Simulation = {
  startDate: '2025-03-03', days: 3, dates: ['2025-03-03', '2025-03-04', '2025-03-05'], incidents: [], deliveries: [], bad: [], conversions: [],
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
    // No conversions: counts 0, the rate 0 where something was tapped.
    const none = { conversions: 0, converted_messages: 0, conversion_rate: 0 };
    const base = { ...none, read_ctr: null, median_seconds_to_click: null };
    expect(truthDailyCtr(tiny, { lookbackDays: 1, asOf: '2025-03-05' })).toEqual([
      { ...base, dt: '2025-03-03', campaign_id: 'spring', template_name: 'spring_v1', button_id: 'no', button_title: 'No', button_position: 2, messages_sent: 2, messages_delivered: 2, messages_read: 1, clicks: 0, clicked_messages: 0, unique_users: 0, ctr: 0, read_ctr: 0, conversion_rate: null },
      { ...none, dt: '2025-03-03', campaign_id: 'spring', template_name: 'spring_v1', button_id: 'yes', button_title: 'Yes', button_position: 1, messages_sent: 2, messages_delivered: 2, messages_read: 1, clicks: 2, clicked_messages: 1, unique_users: 1, ctr: 0.5, read_ctr: 1, median_seconds_to_click: 90 },
      { ...base, dt: '2025-03-04', campaign_id: 'orders', template_name: 'reminder', button_id: 'track', button_title: 'Track', button_position: null, messages_sent: 1, messages_delivered: 0, messages_read: 0, clicks: 1, clicked_messages: 1, unique_users: 1, ctr: null },
      { ...base, dt: '2025-03-04', campaign_id: 'unattributed', template_name: null, button_id: 'old', button_title: 'Old offer', button_position: null, messages_sent: 0, messages_delivered: 0, messages_read: 0, clicks: 1, clicked_messages: 1, unique_users: 1, ctr: null },
    ]);
  });

  it('as of an earlier target date, counts only what had happened by then', () => {
    const rows = truthDailyCtr(tiny, { lookbackDays: 1, asOf: '2025-03-03' });
    expect(rows.map((r) => [r.dt, r.button_id, r.clicks])).toEqual([['2025-03-03', 'no', 0], ['2025-03-03', 'yes', 2]]);
  });
});

const conversion = (over: Partial<ConversionFact> & Pick<ConversionFact, 'id' | 'user' | 'ts'>): ConversionFact => ({
  via: 'posted', name: 'purchase', value: 10, currency: 'BRL', campaignId: null, items: [], arrivals: [over.ts + 60_000], ...over,
});
const U1 = '5511900000001';
const U2 = '5511900000002';
const U3 = '5511900000003';
const T2 = at('2025-03-04', '08:05:00');
const WEEK = 7 * 24 * 3_600_000;

/** Taps by two users on two campaigns, and conversions around them with every case of the attribution rule. */
const converting: Simulation = {
  startDate: '2025-03-03', days: 10, dates: [], incidents: [], deliveries: [], bad: [],
  messages: [
    message({ wamid: 'M1', statuses: [status('delivered', at('2025-03-03', '09:00:05'))] }),
    message({ wamid: 'M2', user: U2, statuses: [status('delivered', at('2025-03-03', '09:00:06'))] }),
    message({
      wamid: 'M3', viaRegistry: false, registryArrivals: [], campaignId: 'orders', templateName: 'reminder', sendTs: at('2025-03-04', '08:00:00'), sendDate: '2025-03-04',
      callback: '{"campaign_id":"orders","template_name":"reminder"}', statuses: [status('sent', at('2025-03-04', '08:00:02')), status('delivered', at('2025-03-04', '08:00:05'))],
    }),
  ],
  taps: [
    tap({ id: 'T1', context: 'M1', ts: at('2025-03-03', '09:01:00') }),
    tap({ id: 'T3', context: 'M2', user: U2, ts: at('2025-03-03', '10:00:00'), buttonId: 'no', title: 'No' }),
    // U2 taps a second button an hour later: the later tap is the last touch.
    tap({ id: 'T4', context: 'M2', user: U2, ts: at('2025-03-03', '11:00:00') }),
    tap({ id: 'T2', context: 'M3', ts: T2, interaction: 'quick_reply', buttonId: 'track', title: 'Track' }),
  ],
  conversions: [
    // Before U1's first tap, and by a user who never tapped: unattributed, by their own date.
    conversion({ id: 'C8', user: U1, ts: at('2025-03-03', '09:00:30'), value: 5 }),
    conversion({ id: 'C6', user: U3, ts: at('2025-03-03', '08:00:00'), value: 10 }),
    // A WhatsApp cart an hour after U2's second tap, delivered twice: counted once, on T4.
    conversion({ id: 'wamid.C5', via: 'order', name: 'order', user: U2, ts: at('2025-03-03', '12:00:00'), value: 30, currency: 'MXN', arrivals: [at('2025-03-03', '12:00:01'), at('2025-03-03', '12:30:00')] }),
    // Last touch: T2 (orders) an hour before, not T1.
    conversion({ id: 'C1', user: U1, ts: at('2025-03-04', '09:05:00'), value: 100 }),
    // Names spring: only spring's taps count, so T1, not the later T2.
    conversion({ id: 'C2', user: U1, ts: at('2025-03-05', '12:00:00'), value: 50.5, campaignId: 'spring' }),
    // Names a campaign U2 never tapped: unattributed.
    conversion({ id: 'C7', user: U2, ts: at('2025-03-06', '10:00:00'), value: 40, campaignId: 'orders' }),
    // Exactly 7 days after T2: credited (both ends inclusive); one second later: unattributed.
    conversion({ id: 'C3', user: U1, ts: T2 + WEEK, name: 'signup', value: null, currency: null }),
    conversion({ id: 'C4', user: U1, ts: T2 + WEEK + 1000, value: 20, currency: 'MXN' }),
    // Arrived a week late (past the partitions its date is read from), and after asOf: nowhere.
    conversion({ id: 'C9', user: U1, ts: at('2025-03-05', '10:00:00'), arrivals: [at('2025-03-12', '10:00:00')] }),
    conversion({ id: 'C10', user: U1, ts: at('2025-03-13', '10:00:00') }),
  ],
};

describe('demo ground truth of conversions', () => {
  const asOf = { lookbackDays: 3, asOf: '2025-03-12' };

  it('credits each conversion to the last tap of the same user within 7 days, within the campaign it names', () => {
    const base = { converted_users: 1, median_seconds_to_convert: null };
    expect(truthDailyConversions(converting, asOf)).toEqual([
      { dt: '2025-03-03', campaign_id: 'spring', template_name: 'spring_v1', button_id: 'yes', button_title: 'Yes', conversion_name: 'order', currency: 'MXN', conversions: 1, converted_users: 1, value: 30, median_seconds_to_convert: 3600 },
      { dt: '2025-03-03', campaign_id: 'spring', template_name: 'spring_v1', button_id: 'yes', button_title: 'Yes', conversion_name: 'purchase', currency: 'BRL', conversions: 1, converted_users: 1, value: 50.5, median_seconds_to_convert: 2 * 86_400 + 2 * 3600 + 59 * 60 },
      { ...base, dt: '2025-03-03', campaign_id: 'unattributed', template_name: null, button_id: null, button_title: null, conversion_name: 'purchase', currency: 'BRL', conversions: 2, converted_users: 2, value: 15 },
      { dt: '2025-03-04', campaign_id: 'orders', template_name: 'reminder', button_id: 'track', button_title: 'Track', conversion_name: 'purchase', currency: 'BRL', conversions: 1, converted_users: 1, value: 100, median_seconds_to_convert: 3600 },
      { dt: '2025-03-04', campaign_id: 'orders', template_name: 'reminder', button_id: 'track', button_title: 'Track', conversion_name: 'signup', currency: null, conversions: 1, converted_users: 1, value: null, median_seconds_to_convert: 7 * 86_400 },
      { ...base, dt: '2025-03-06', campaign_id: 'unattributed', template_name: null, button_id: null, button_title: null, conversion_name: 'purchase', currency: 'BRL', conversions: 1, value: 40 },
      { ...base, dt: '2025-03-11', campaign_id: 'unattributed', template_name: null, button_id: null, button_title: null, conversion_name: 'purchase', currency: 'MXN', conversions: 1, value: 20 },
    ]);
  });

  it('puts the credited conversions in daily_ctr on the tapped button and message', () => {
    const rows = truthDailyCtr(converting, asOf).map((r) => [r.dt, r.campaign_id, r.button_id, r.clicked_messages, r.conversions, r.converted_messages, r.conversion_rate]);
    expect(rows).toEqual([
      ['2025-03-03', 'spring', 'no', 1, 0, 0, 0],
      ['2025-03-03', 'spring', 'yes', 2, 2, 2, 1],
      ['2025-03-04', 'orders', 'track', 1, 2, 1, 1],
    ]);
  });

  it('as of an earlier target date, counts only the conversions dated up to it', () => {
    const rows = truthDailyConversions(converting, { lookbackDays: 3, asOf: '2025-03-05' });
    expect(rows.map((r) => [r.dt, r.campaign_id, r.conversion_name, r.conversions])).toEqual([
      ['2025-03-03', 'spring', 'order', 1],
      ['2025-03-03', 'spring', 'purchase', 1],
      ['2025-03-03', 'unattributed', 'purchase', 2],
      ['2025-03-04', 'orders', 'purchase', 1],
    ]);
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

  it('credit most conversions to a tap, none by a tie the rule cannot break', () => {
    const { credits, ties } = creditConversions(sim, { lookbackDays: 3, asOf: sim.dates[sim.dates.length - 1]! });
    const attributed = credits.filter((c) => c.tap !== null).length / credits.length;
    expect(ties).toBe(0);
    expect(attributed).toBeGreaterThan(0.5);
    expect(attributed).toBeLessThan(0.9);
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
