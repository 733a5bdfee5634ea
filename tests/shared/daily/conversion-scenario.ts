import type { RawRequest } from '../../support/raw-lake';
import { BUSINESS_ID, metaWebhook, PHONE_NUMBER_ID } from '../../support/webhooks';
import { at } from './scenario';

/**
 * Four days of two campaigns with purchases after the taps, as plain facts: the oracle
 * (conversion-oracle.ts) reads the facts, only the lake built from their bodies goes through the
 * SQL. Attribution window 3 days, lookback 2. Every user is a raw phone number (pii raw), so
 * expectations read as the facts do.
 */

export const LOOKBACK = 2;
export const ATTRIBUTION_DAYS = 3;
const DAY = 86_400_000;

export interface CSend {
  wamid: string;
  to: string;
  sentAt: number;
  campaign: string;
  template: string;
  buttons: { id: string; title: string }[];
}
export interface CTap {
  id: string;
  from: string;
  at: number;
  context: string;
  button: string;
  title: string;
}
export interface CConversion {
  /** event_id as the transform makes it. */
  eventId: string;
  user: string;
  at: number;
  name: string;
  value: number | null;
  currency: string | null;
  campaign: string | null;
}

const spring = [
  { id: 'yes', title: 'Yes' },
  { id: 'no', title: 'No' },
];
const summer = [
  { id: 'shop', title: 'Shop now' },
  { id: 'later', title: 'Later' },
];

export const sends: CSend[] = [
  { wamid: 'wamid.S1', to: '15550001001', sentAt: at('2024-05-01', '09:00:00'), campaign: 'spring', template: 'spring_v1', buttons: spring },
  { wamid: 'wamid.S2', to: '15550001002', sentAt: at('2024-05-01', '09:00:00'), campaign: 'spring', template: 'spring_v1', buttons: spring },
  { wamid: 'wamid.S3', to: '15550001003', sentAt: at('2024-05-01', '09:00:00'), campaign: 'spring', template: 'spring_v1', buttons: spring },
  { wamid: 'wamid.S4', to: '15550001004', sentAt: at('2024-05-02', '10:00:00'), campaign: 'summer', template: 'summer_v1', buttons: summer },
  { wamid: 'wamid.S5', to: '15550001005', sentAt: at('2024-05-02', '12:00:00'), campaign: 'spring', template: 'spring_v1', buttons: spring },
  // U1 again, in the other campaign.
  { wamid: 'wamid.S6', to: '15550001001', sentAt: at('2024-05-03', '08:00:00'), campaign: 'summer', template: 'summer_v1', buttons: summer },
];

export const taps: CTap[] = [
  { id: 'wamid.T1', from: '15550001001', at: at('2024-05-01', '09:10:00'), context: 'wamid.S1', button: 'yes', title: 'Yes' },
  { id: 'wamid.T2', from: '15550001002', at: at('2024-05-01', '10:00:00'), context: 'wamid.S2', button: 'no', title: 'No' },
  { id: 'wamid.T3', from: '15550001003', at: at('2024-05-01', '11:00:00'), context: 'wamid.S3', button: 'yes', title: 'Yes' },
  { id: 'wamid.T4', from: '15550001004', at: at('2024-05-02', '10:30:00'), context: 'wamid.S4', button: 'shop', title: 'Shop now' },
  // U5 taps both buttons of one message.
  { id: 'wamid.T5', from: '15550001005', at: at('2024-05-02', '12:05:00'), context: 'wamid.S5', button: 'yes', title: 'Yes' },
  { id: 'wamid.T6', from: '15550001005', at: at('2024-05-02', '12:06:00'), context: 'wamid.S5', button: 'no', title: 'No' },
  // U1 taps a second button, in the summer campaign.
  { id: 'wamid.T7', from: '15550001001', at: at('2024-05-03', '08:30:00'), context: 'wamid.S6', button: 'shop', title: 'Shop now' },
];

/** A posted conversion: its body item and its fact. */
interface Posted {
  item: Record<string, unknown>;
  fact: CConversion;
  arrivals: number[];
}

function posted(id: string, user: string, time: number, name: string, value: number | null, currency: string | null, campaign: string | null, arrivals: number[]): Posted {
  const item: Record<string, unknown> = { conversion_id: id, wa_id: `+${user}`, name, occurred_at: new Date(time).toISOString() };
  if (value !== null) item.value = value;
  if (currency !== null) item.currency = currency;
  if (campaign !== null) item.campaign_id = campaign;
  return { item, fact: { eventId: `conversions:${id}`, user, at: time, name, value, currency, campaign }, arrivals };
}

const T2 = taps[1]!.at;
const T3 = taps[2]!.at;
const minutes = (n: number) => n * 60_000;

const single: Posted[] = [
  // Exactly the window after T2: credited (both ends inclusive).
  posted('order-1001', '15550001002', T2 + ATTRIBUTION_DAYS * DAY, 'purchase', 30, 'EUR', null, [T2 + ATTRIBUTION_DAYS * DAY + minutes(2)]),
  // One second past the window after T3: unattributed, on its own date (05-04).
  posted('order-1002', '15550001003', T3 + ATTRIBUTION_DAYS * DAY + 1000, 'purchase', 45, 'EUR', null, [T3 + ATTRIBUTION_DAYS * DAY + minutes(3)]),
  // Names spring: U1's later summer tap (T7) does not take it; T1 does.
  posted('order-1003', '15550001001', at('2024-05-03', '09:00:00'), 'purchase', 20, 'EUR', 'spring', [at('2024-05-03', '09:01:00')]),
  // Names no campaign: the latest tap, T7 (summer), takes it.
  posted('order-1004', '15550001001', at('2024-05-03', '09:30:00'), 'purchase', 12.5, 'USD', null, [at('2024-05-03', '09:31:00')]),
  // Posted twice (the shop retried): counted once.
  posted('signup-77', '15550001004', at('2024-05-02', '11:00:00'), 'signup', null, null, null, [at('2024-05-02', '11:00:30'), at('2024-05-03', '07:00:00')]),
  // Never tapped anything: unattributed.
  posted('order-1005', '15550001006', at('2024-05-02', '15:00:00'), 'purchase', 9.99, 'EUR', null, [at('2024-05-02', '15:05:00')]),
  // Before U4's only tap: unattributed.
  posted('order-1006', '15550001004', at('2024-05-02', '10:00:00'), 'purchase', 5, 'EUR', null, [at('2024-05-02', '10:01:00')]),
  // Names summer, but U2 only tapped spring: unattributed.
  posted('order-1007', '15550001002', at('2024-05-02', '16:00:00'), 'purchase', 7, 'EUR', 'summer', [at('2024-05-02', '16:00:10')]),
];

// One array: a good conversion and a bad one (negative value), which is quarantined alone.
const batchGood = posted('order-1008', '15550001005', at('2024-05-03', '13:00:00'), 'purchase', 40, 'USD', null, [at('2024-05-03', '13:02:00')]);
const batchBad = { conversion_id: 'order-1009', wa_id: '+15550001005', name: 'purchase', occurred_at: '2024-05-03T13:10:00Z', value: -3, currency: 'USD' };

/** U5's WhatsApp cart after tapping "No": 2 × 10.00 + 1 × 5.50 EUR. */
const order = {
  wamid: 'wamid.ORDER1',
  from: '15550001005',
  at: at('2024-05-02', '12:30:00'),
  items: [
    { product_retailer_id: 'sku-tee', quantity: 2, item_price: 10, currency: 'EUR' },
    { product_retailer_id: 'sku-cap', quantity: 1, item_price: 5.5, currency: 'EUR' },
  ],
};

export const conversions: CConversion[] = [
  ...single.map((p) => p.fact),
  batchGood.fact,
  { eventId: `meta:${order.wamid}`, user: order.from, at: order.at, name: 'order', value: 25.5, currency: 'EUR', campaign: null },
];

/** The bad item's reason, as quarantined. */
export const quarantinedItem = { item: batchBad, reason: 'conversion_bad_value' } as const;

function orderWebhook(): Record<string, unknown> {
  const message = { from: order.from, id: order.wamid, timestamp: String(order.at / 1000), type: 'order', order: { catalog_id: '194836987003835', text: 'Thanks!', product_items: order.items } };
  const value = {
    messaging_product: 'whatsapp',
    metadata: { display_phone_number: '15550783881', phone_number_id: PHONE_NUMBER_ID },
    contacts: [{ profile: { name: 'Customer' }, wa_id: order.from }],
    messages: [message],
  };
  return { object: 'whatsapp_business_account', entry: [{ id: BUSINESS_ID, changes: [{ value, field: 'messages' }] }] };
}

/** Every request of the scenario with its arrival time. */
export function requests(): RawRequest[] {
  const out: RawRequest[] = [];
  for (const s of sends) {
    const body = JSON.stringify({ wamid: s.wamid, campaign_id: s.campaign, template_name: s.template, wa_id: `+${s.to}`, sent_at: new Date(s.sentAt).toISOString(), buttons: s.buttons });
    out.push({ source: 'registry', body, receivedTs: s.sentAt + 1000 });
    const delivered = metaWebhook({ statuses: [{ id: s.wamid, status: 'delivered', timestamp: (s.sentAt + 60_000) / 1000, recipient: s.to }] });
    out.push({ source: 'meta', body: JSON.stringify(delivered), receivedTs: s.sentAt + 61_000 });
  }
  for (const t of taps) {
    const body = metaWebhook({ taps: [{ id: t.id, from: t.from, timestamp: t.at / 1000, contextId: t.context, kind: 'button_reply', buttonId: t.button, title: t.title }] });
    out.push({ source: 'meta', body: JSON.stringify(body), receivedTs: t.at + 1000 });
  }
  for (const p of single) for (const a of p.arrivals) out.push({ source: 'conversions', body: JSON.stringify(p.item), receivedTs: a });
  out.push({ source: 'conversions', body: JSON.stringify([batchGood.item, batchBad]), receivedTs: batchGood.arrivals[0]! });
  out.push({ source: 'meta', body: JSON.stringify(orderWebhook()), receivedTs: order.at + 2000 });
  return out;
}

/** Facts of the sends, for the oracle. */
export const sendOf = new Map(sends.map((s) => [s.wamid, s]));
