import { createHash, createHmac } from 'node:crypto';
import { processEnvelope } from '../../../shared/normalize';
import { signMetaBody } from '../../../shared/signature';
import { createPseudonymizer } from '../../../shared/pii';
import { weekdayOf } from '../../../shared/anomaly/baseline';
import { minDemoDays } from '../../../shared/demo/incidents';
import { simulateDemo } from '../../../shared/demo/simulate';
import { trafficRates } from '../../../shared/demo/traffic';
import { truthDailyCtr } from '../../../shared/demo/truth';
import type { Simulation } from '../../../shared/demo/types';
import type { FlatRow } from '../../../shared/schema/types';

const HOUR = 3_600_000;
/** Where the demo's Twilio statuses are posted (any URL: the signature is made and checked over the same one). */
const STATUS_URL = 'https://demo.example/webhooks/twilio/status';

/** X-Twilio-Signature by Twilio's published algorithm, with node:crypto: URL + parameters sorted by name. */
function twilioSignature(body: string, url: string, token: string): string {
  const pairs = [...new URLSearchParams(body)].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return createHmac('sha1', token).update(url + pairs.map(([n, v]) => n + v).join(''), 'utf8').digest('base64');
}
const digest = (sim: Simulation) => createHash('sha256').update(JSON.stringify(sim.deliveries)).digest('hex');

let sim: Simulation;
beforeAll(() => {
  sim = simulateDemo({ days: 14, seed: 7 });
});

describe('demo simulation', () => {
  it('gives byte-identical deliveries for the same seed and different ones for another seed', () => {
    expect(digest(simulateDemo({ days: 14, seed: 7 }))).toBe(digest(sim));
    expect(digest(simulateDemo({ days: 14, seed: 8 }))).not.toBe(digest(sim));
  });

  it('lists deliveries in arrival order, from all five sources', () => {
    const times = sim.deliveries.map((d) => d.arrivalTs);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(new Set(sim.deliveries.map((d) => d.source))).toEqual(new Set(['meta', 'wasender', 'registry', 'conversions', 'twilio']));
  });

  it('makes honest bodies the real transform turns into exactly the simulated facts, nothing quarantined', () => {
    const settings = { metaAppSecret: null, wasenderSecret: null, timeZone: 'UTC', pseudonymize: createPseudonymizer('raw', undefined) };
    const ids = new Set<string>();
    const conversions = new Map<string, FlatRow>();
    let quarantined = 0;
    const bad = new Set(sim.bad.map((b) => `${b.arrivalTs}|${b.body}`));
    const honest = sim.deliveries.filter((d) => !bad.has(`${d.arrivalTs}|${d.body}`));
    expect(sim.deliveries.length - honest.length).toBe(sim.bad.length);
    for (const d of honest) {
      const envelope = { source: d.source, receivedTs: d.arrivalTs, requestId: null, signature: null, body: Buffer.from(d.body) };
      const result = processEnvelope(envelope, settings);
      if (result.quarantined !== null) quarantined++;
      for (const row of result.rows) {
        ids.add(row.event_id);
        if (row.kind === 'conversion') conversions.set(row.event_id, row);
      }
    }
    const statuses = sim.messages.reduce((n, m) => n + m.statuses.length, 0);
    const sends = sim.messages.filter((m) => m.viaRegistry).length;
    expect(quarantined).toBe(0);
    expect(ids.size).toBe(sends + statuses + sim.taps.length + sim.conversions.length);
    // Every conversion as its fact says: id, user, name, time, value, currency, campaign.
    expect(conversions.size).toBe(sim.conversions.length);
    for (const c of sim.conversions) {
      const row = conversions.get(c.via === 'order' ? `meta:${c.id}` : `conversions:${c.id}`);
      expect(row).toMatchObject({ wa_id: c.user, conversion_name: c.name, event_ts: c.ts, value: c.value, currency: c.currency, campaign_id: c.campaignId });
    }
  });

  it('sends a few forged and malformed bodies, each of which the transform quarantines with the reason the simulation names', () => {
    // Every third day from the second (days 2, 5, 8, 11, 14 of 14), the four kinds in turn.
    expect(sim.bad.map((b) => [new Date(b.arrivalTs).toISOString().slice(0, 10), b.source, b.forged === true, b.reason])).toEqual([
      ['2025-03-04', 'meta', true, 'bad_signature'],
      ['2025-03-07', 'wasender', true, 'bad_signature'],
      ['2025-03-10', 'meta', false, 'malformed_json'],
      ['2025-03-13', 'meta', false, 'not_whatsapp'],
      ['2025-03-16', 'twilio', true, 'bad_signature'],
    ]);
    const secrets = { metaAppSecret: 'app-secret', wasenderSecret: 'wasender-secret', twilioAuthToken: 'twilio-token' };
    const settings = { ...secrets, timeZone: 'UTC', pseudonymize: createPseudonymizer('raw', undefined) };
    for (const b of sim.bad) {
      // Signed as the demo signs it: a forgery with a guessed secret, the rest with the real one.
      const meta = b.forged === true ? 'guessed' : secrets.metaAppSecret;
      const signature =
        b.source === 'meta' ? signMetaBody(b.body, meta) : b.source === 'twilio' ? twilioSignature(b.body, STATUS_URL, 'guessed') : b.forged === true ? 'guessed' : secrets.wasenderSecret;
      const result = processEnvelope({ source: b.source, receivedTs: b.arrivalTs, requestId: null, signature, body: Buffer.from(b.body), url: STATUS_URL }, settings);
      expect(result.rows.map((r) => [r.kind, r.reason])).toEqual([['quarantine', b.reason]]);
    }
  });

  it('sends the Twilio campaign as Twilio does: signed forms, one status per callback, quick-reply taps on the registered MessageSid, dated on arrival', () => {
    const settings = { metaAppSecret: null, wasenderSecret: null, twilioAuthToken: 'twilio-token', timeZone: 'UTC', pseudonymize: createPseudonymizer('raw', undefined) };
    const messages = sim.messages.filter((m) => m.provider === 'twilio');
    const taps = sim.taps.filter((t) => t.provider === 'twilio');
    expect(messages.length).toBeGreaterThan(1000);
    expect(messages.every((m) => /^SM[0-9a-f]{32}$/.test(m.wamid) && m.viaRegistry && m.campaignId === 'appointments')).toBe(true);
    const bad = new Set(sim.bad.map((b) => b.body));
    const rows: FlatRow[] = [];
    for (const d of sim.deliveries.filter((x) => x.source === 'twilio' && !bad.has(x.body))) {
      const url = d.body.includes('MessageStatus=') ? STATUS_URL : STATUS_URL.replace('/status', '');
      const result = processEnvelope({ source: 'twilio', receivedTs: d.arrivalTs, requestId: null, signature: twilioSignature(d.body, url, 'twilio-token'), body: Buffer.from(d.body), url }, settings);
      expect(result.quarantined).toBeNull();
      // One fact per request; the form has no time, so the row is dated on arrival.
      expect(result.rows).toHaveLength(1);
      expect(result.rows[0]!.event_ts).toBe(d.arrivalTs);
      rows.push(result.rows[0]!);
    }
    const statuses = messages.flatMap((m) => m.statuses.map((s) => ({ m, s })));
    expect(rows.filter((r) => r.kind === 'status')).toHaveLength(statuses.length);
    for (const { s } of statuses) expect(s.arrivals).toEqual([s.ts]);
    const clicks = rows.filter((r) => r.kind === 'click');
    expect(clicks).toHaveLength(taps.filter((t) => t.interaction !== null).length);
    expect(new Set(clicks.map((r) => r.interaction))).toEqual(new Set(['quick_reply']));
    const sids = new Set(messages.map((m) => m.wamid));
    expect(clicks.every((r) => sids.has(r.context_wamid!) && ['confirm_visit', 'reschedule'].includes(r.button_id!))).toBe(true);
    expect(rows.filter((r) => r.kind === 'message').length).toBe(taps.filter((t) => t.interaction === null).length);
    expect(rows.some((r) => r.status === 'failed' && r.error_code === 63016)).toBe(true);
  });

  it('registers every send within seconds of sending it, callback-only campaigns never', () => {
    const registered = sim.messages.filter((m) => m.viaRegistry);
    expect(registered.every((m) => m.registryArrivals[0]! - m.sendTs > 0 && m.registryArrivals[0]! - m.sendTs < 30_000)).toBe(true);
    expect(sim.messages.filter((m) => !m.viaRegistry).every((m) => m.registryArrivals.length === 0 && m.callback !== null)).toBe(true);
  });

  it('delivers a realistic share of webhooks twice or three times, as the very same body later; Twilio\'s once', () => {
    const seen = new Map<string, number>();
    let copies = 0;
    const twilio = sim.deliveries.filter((d) => d.source === 'twilio');
    // Twilio does not retry a webhook.
    expect(new Set(twilio.map((d) => d.body)).size).toBe(twilio.length);
    for (const d of sim.deliveries.filter((x) => x.source !== 'twilio')) {
      const key = `${d.source}|${d.body}`;
      if (seen.has(key)) {
        copies++;
        expect(d.arrivalTs).toBeGreaterThan(seen.get(key)!);
      } else seen.set(key, d.arrivalTs);
    }
    const rate = copies / seen.size;
    const intended = trafficRates.duplicate * (1 + trafficRates.thirdCopy);
    expect(rate).toBeGreaterThan(intended * 0.7);
    expect(rate).toBeLessThan(intended * 1.3);
  });

  it('has offline users: read receipts arriving hours or days after the read, deliveries days after the send', () => {
    // Twilio's facts are dated by their arrival (its forms carry no time), so only the others show the lag.
    const reads = sim.messages.filter((m) => m.provider !== 'twilio').flatMap((m) => m.statuses.filter((s) => s.status === 'read'));
    const lateReads = reads.filter((s) => s.arrivals[0]! - s.ts > HOUR).length / reads.length;
    // 5 % of regular users and 30 % of the 8 % intermittent ones go offline after reading.
    expect(lateReads).toBeGreaterThan(0.05);
    expect(lateReads).toBeLessThan(0.1);
    expect(reads.some((s) => s.arrivals[0]! - s.ts > 24 * HOUR)).toBe(true);
    const delivered = sim.messages.flatMap((m) => m.statuses.filter((s) => s.status === 'delivered').map((s) => s.ts - m.sendTs));
    expect(delivered.filter((ms) => ms > 24 * HOUR).length).toBeGreaterThan(0);
    const taps = sim.taps.filter((t) => t.interaction !== null && t.provider !== 'twilio');
    expect(taps.filter((t) => t.arrivals[0]! - t.ts > HOUR).length / taps.length).toBeGreaterThan(0.03);
  });

  it('converts after taps, minutes to days later, some past the 7-day window, some without any tap', () => {
    // For each conversion, the gap since the same user's latest earlier tap (null: never tapped before).
    const tapsBy = new Map<string, number[]>();
    for (const t of sim.taps) if (t.buttonId !== null) tapsBy.set(t.user, [...(tapsBy.get(t.user) ?? []), t.ts]);
    const gaps = sim.conversions.map((c) => {
      const before = (tapsBy.get(c.user) ?? []).filter((ts) => ts <= c.ts);
      return before.length === 0 ? null : c.ts - Math.max(...before);
    });
    const known = gaps.filter((g): g is number => g !== null);
    expect(gaps.filter((g) => g === null).length).toBeGreaterThan(10);
    expect(known.filter((g) => g < HOUR).length).toBeGreaterThan(20);
    expect(known.filter((g) => g > 24 * HOUR && g <= 7 * 24 * HOUR).length).toBeGreaterThan(10);
    expect(known.filter((g) => g > 7 * 24 * HOUR).length).toBeGreaterThan(3);
    // Everything converts inside the simulated days.
    expect(Math.max(...sim.conversions.map((c) => c.ts))).toBeLessThan(Date.parse(`${sim.dates[sim.dates.length - 1]}T23:59:59Z`) + 1000);
  });

  it('posts conversions in batches, some twice, orders as Meta webhooks, in two currencies', () => {
    const posted = new Map<string, number>();
    for (const d of sim.deliveries.filter((x) => x.source === 'conversions')) {
      const items = [JSON.parse(d.body) as unknown].flat() as { conversion_id: string }[];
      expect(items.length).toBeLessThanOrEqual(500);
      for (const i of items) posted.set(i.conversion_id, (posted.get(i.conversion_id) ?? 0) + 1);
    }
    const postedFacts = sim.conversions.filter((c) => c.via === 'posted');
    expect(posted.size).toBe(postedFacts.length);
    // Posted again (in the next batch, or the whole body retried).
    const twice = [...posted.values()].filter((n) => n > 1).length / posted.size;
    expect(twice).toBeGreaterThan(0.03);
    expect(twice).toBeLessThan(0.12);
    const orders = sim.conversions.filter((c) => c.via === 'order');
    expect(orders.length).toBeGreaterThan(20);
    expect(orders.every((o) => sim.deliveries.some((d) => d.source === 'meta' && d.body.includes(`"id":"${o.id}","timestamp"`) && d.body.includes('"type":"order"')))).toBe(true);
    expect(new Set(sim.conversions.map((c) => c.currency))).toEqual(new Set(['BRL', 'MXN', null]));
  });

  it('sends less at weekends', () => {
    const perDay = (weekend: boolean) => {
      const days = sim.dates.filter((d) => [0, 6].includes(weekdayOf(d)) === weekend);
      return sim.messages.filter((m) => days.includes(m.sendDate)).length / days.length;
    };
    const ratio = perDay(true) / perDay(false);
    expect(ratio).toBeGreaterThan(0.5);
    expect(ratio).toBeLessThan(0.7);
  });

  it('shows the position effect: earlier buttons get a higher CTR', () => {
    const rows = truthDailyCtr(sim, { lookbackDays: 3, asOf: sim.dates[sim.dates.length - 1]! });
    const ctrOf = (campaign: string) => {
      const by = new Map<number, { clicked: number; delivered: number }>();
      for (const r of rows.filter((x) => x.campaign_id === campaign && x.dt < sim.incidents[0]!.dt)) {
        const acc = by.get(r.button_position!) ?? { clicked: 0, delivered: 0 };
        by.set(r.button_position!, { clicked: acc.clicked + r.clicked_messages, delivered: acc.delivered + r.messages_delivered });
      }
      return [...by.entries()].sort((a, b) => a[0] - b[0]).map(([, v]) => v.clicked / v.delivered);
    };
    const spring = ctrOf('spring_sale');
    expect(spring).toHaveLength(3);
    expect(spring[0]!).toBeGreaterThan(spring[1]!);
    expect(spring[1]!).toBeGreaterThan(spring[2]!);
    const loyalty = ctrOf('loyalty_club');
    expect(loyalty[0]!).toBeGreaterThan(loyalty[1]!);
    expect(loyalty[1]!).toBeGreaterThan(loyalty[4]!);
  });

  it('injects no incident into a history too short to have a baseline', () => {
    expect(simulateDemo({ days: minDemoDays - 1 }).incidents).toEqual([]);
    expect(simulateDemo({ days: minDemoDays }).incidents).toHaveLength(3);
  });

  it('refuses nonsense options with one clear message', () => {
    expect(() => simulateDemo({ days: 0 })).toThrow('days must be a whole number from 1 to 366 (got 0)');
    expect(() => simulateDemo({ startDate: '2025-02-30' })).toThrow('start date must be YYYY-MM-DD (got "2025-02-30")');
  });
});
