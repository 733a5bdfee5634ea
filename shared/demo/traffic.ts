import type { Random } from '../random';
import { conversionsBody, metaOrderBody, metaStatusBody, metaTapBody, registryBody, twilioStatusBody, twilioTapBody, wasenderStatusBody, wasenderTapBody } from './bodies';
import type { ConversionFact, Delivery, MessageFact, StatusFact, TapFact } from './types';

/**
 * Turns facts into the traffic a live deployment would see: registry posts in batches as the
 * blast goes out, Meta status webhooks batched when they are ready together, Twilio's status
 * callbacks one per status, one webhook per inbound message (WhatsApp carts too), posted conversions in the checkout's five-minute batches
 * (a few posted again in the next batch, as a job retrying after a timeout does), and duplicate
 * deliveries (sender retries) of the very same body later.
 * Records every copy's arrival on the facts it carries.
 */

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

export const trafficRates = {
  /** Sends per registry POST. */
  registryBatch: 100,
  /** Meta puts statuses ready within this window into one webhook, up to `statusBatch`. */
  statusWindowMs: 2 * SECOND,
  statusBatch: 20,
  /** Webhooks (and registry posts) delivered a second time; a few of those a third time. */
  duplicate: 0.02,
  thirdCopy: 0.2,
  /** The checkout posts the conversions of each such interval in one body, this long after it ends at most. */
  conversionBatchMs: 5 * MINUTE,
  conversionPostDelayMs: 20 * SECOND,
  /** Posted conversions posted once more in the next batch (the same conversion twice). */
  conversionRepost: 0.04,
} as const;


interface Pending {
  readonly source: Delivery['source'];
  readonly body: string;
  readonly arrivalTs: number;
  readonly facts: readonly { arrivals: number[] }[];
}

/** Every delivery of the history in arrival order; fills the facts' arrival lists. */
export function buildTraffic(
  r: Random,
  messages: readonly MessageFact[],
  taps: readonly TapFact[],
  due: ReadonlyMap<StatusFact | TapFact, number>,
  names: ReadonlyMap<string, string>,
  conversions: readonly ConversionFact[] = [],
): Delivery[] {
  const pending: Pending[] = [];
  const registryGroups = new Map<string, MessageFact[]>();
  for (const m of messages) {
    if (!m.viaRegistry) continue;
    const key = `${m.sendDate}|${m.campaignId}`;
    const group = registryGroups.get(key) ?? [];
    if (group.length === 0) registryGroups.set(key, group);
    group.push(m);
  }
  for (const group of registryGroups.values()) {
    for (let i = 0; i < group.length; i += trafficRates.registryBatch) {
      const batch = group.slice(i, i + trafficRates.registryBatch);
      // Posted as the batch goes out, so every send is registered before its statuses arrive.
      const arrivalTs = Math.round(batch[batch.length - 1]!.sendTs + r.uniform(200, 900));
      pending.push({ source: 'registry', body: registryBody(batch), arrivalTs, facts: batch.map((m) => ({ arrivals: m.registryArrivals })) });
    }
  }

  // Twilio posts each status callback on its own, when it happens.
  for (const m of messages) {
    if (m.provider !== 'twilio') continue;
    for (const s of m.statuses) pending.push({ source: 'twilio', body: twilioStatusBody(m, s), arrivalTs: Math.round(due.get(s)!), facts: [s] });
  }
  const ready = messages.flatMap((m) => (m.provider === 'twilio' ? [] : m.statuses.map((s) => ({ m, s, at: due.get(s)! })))).sort((a, b) => a.at - b.at);
  const open = new Map<string, { first: number; items: typeof ready }>();
  const close = (key: string) => {
    const batch = open.get(key)!;
    open.delete(key);
    const last = batch.items[batch.items.length - 1]!;
    const facts = batch.items.map((i) => i.s);
    const body = last.m.provider === 'meta'
      ? metaStatusBody(batch.items.map((i) => ({ message: i.m, status: i.s })))
      : wasenderStatusBody(last.s.ts, batch.items.map((i) => ({ message: i.m, status: i.s })));
    pending.push({ source: last.m.provider, body, arrivalTs: Math.round(last.at), facts });
  };
  for (const item of ready) {
    // WASenderApi stamps one time on a whole messages.update, so only statuses of one second share a body.
    const key = item.m.provider === 'meta' ? 'meta' : `wasender|${item.s.ts}`;
    const batch = open.get(key);
    if (batch && (item.at - batch.first > trafficRates.statusWindowMs || batch.items.length >= trafficRates.statusBatch)) close(key);
    const current = open.get(key);
    if (current) current.items.push(item);
    else open.set(key, { first: item.at, items: [item] });
    // Closes WASenderApi batches whose second has passed, so the map stays small.
    for (const [k, b] of open) if (k !== 'meta' && k !== key && item.at - b.first > trafficRates.statusWindowMs) close(k);
  }
  for (const key of [...open.keys()]) close(key);

  for (const t of taps) {
    const name = names.get(t.user) ?? 'Customer';
    const body = t.provider === 'meta' ? metaTapBody(t, name) : t.provider === 'twilio' ? twilioTapBody(t, name) : wasenderTapBody(t, name);
    pending.push({ source: t.provider, body, arrivalTs: Math.round(due.get(t)!), facts: [t] });
  }

  pending.push(...conversionDeliveries(r, conversions, names));

  const out: Pending[] = [];
  for (const p of pending) {
    out.push(p);
    // Twilio does not retry a webhook: its posts arrive once.
    if (p.source === 'twilio' || !r.chance(trafficRates.duplicate)) continue;
    // Most retries come within minutes; some after the sender's backoff, hours later.
    const again = p.arrivalTs + Math.round(r.chance(0.7) ? r.uniform(5 * SECOND, 2 * MINUTE) : r.uniform(10 * MINUTE, 6 * HOUR));
    out.push({ ...p, arrivalTs: again });
    if (r.chance(trafficRates.thirdCopy)) out.push({ ...p, arrivalTs: again + Math.round(r.uniform(30 * SECOND, 30 * MINUTE)) });
  }
  // Stable order by arrival: ties keep creation order, so the list is the same for one seed.
  const order = out.map((p, i) => ({ p, i })).sort((a, b) => a.p.arrivalTs - b.p.arrivalTs || a.i - b.i);
  // In arrival order, so every fact's list is ascending.
  for (const { p } of order) for (const f of p.facts) f.arrivals.push(p.arrivalTs);
  return order.map(({ p }) => ({ source: p.source, body: p.body, arrivalTs: p.arrivalTs }));
}

/**
 * Conversions as they reach the API: carts as Meta webhooks seconds after they are sent, posted
 * conversions in batches (by the interval they happened in, up to 500 a body), a few again in the
 * next interval's batch.
 */
function conversionDeliveries(r: Random, conversions: readonly ConversionFact[], names: ReadonlyMap<string, string>): Pending[] {
  const out: Pending[] = [];
  const batches = new Map<number, ConversionFact[]>();
  const batchOf = (slot: number) => {
    let b = batches.get(slot);
    if (b === undefined) {
      b = [];
      batches.set(slot, b);
    }
    return b;
  };
  for (const c of conversions) {
    if (c.via === 'order') {
      const body = metaOrderBody(c, names.get(c.user) ?? 'Customer');
      out.push({ source: 'meta', body, arrivalTs: Math.round(c.ts + r.uniform(0.3 * SECOND, 3 * SECOND)), facts: [c] });
      continue;
    }
    const slot = Math.floor(c.ts / trafficRates.conversionBatchMs);
    batchOf(slot).push(c);
    if (r.chance(trafficRates.conversionRepost)) batchOf(slot + 1).push(c);
  }
  for (const slot of [...batches.keys()].sort((a, b) => a - b)) {
    const batch = batches.get(slot)!;
    const end = (slot + 1) * trafficRates.conversionBatchMs;
    for (let i = 0; i < batch.length; i += 500) {
      const part = batch.slice(i, i + 500);
      out.push({ source: 'conversions', body: conversionsBody(part), arrivalTs: Math.round(end + r.uniform(SECOND, trafficRates.conversionPostDelayMs)), facts: part });
    }
  }
  return out;
}
