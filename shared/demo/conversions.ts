import type { Random } from '../random';
import { metaWamid, type DemoUser } from './population';
import type { ConversionFact, MessageFact, OrderItem, TapFact } from './types';

/**
 * What the demo's users buy after tapping, and what they buy anyway: purchases the checkout posts
 * to `POST /conversions`, sign-ups, and WhatsApp carts (Meta `order` messages). Delays run from
 * minutes to days, a share well past the 7-day attribution window; some buyers never tapped; some
 * conversions name a campaign (a coupon), sometimes one the buyer never tapped.
 */

const SECOND = 1000;
const HOUR = 3600 * SECOND;
const DAY = 24 * HOUR;

/** How a tap on one button leads to a conversion. */
interface ConversionPlan {
  /** Probability that the first tap on this button of a message leads to a conversion. */
  readonly chance: number;
  readonly via: ConversionFact['via'];
  /** Posted name (orders are always `order`). */
  readonly name: string;
  /** Whether a posted conversion carries a value (a sign-up does not). */
  readonly valued: boolean;
  /** Share of posted conversions that name the tapped campaign (a coupon code the checkout knows). */
  readonly namesCampaign: number;
}

/** The buttons that sell, by campaign and button id; taps on any other button never convert. */
export const conversionPlans: Readonly<Record<string, Readonly<Record<string, ConversionPlan>>>> = {
  spring_sale: {
    shop_now: { chance: 0.3, via: 'posted', name: 'purchase', valued: true, namesCampaign: 0.5 },
    remind_me: { chance: 0.06, via: 'posted', name: 'purchase', valued: true, namesCampaign: 0.5 },
  },
  loyalty_club: {
    // The catalog opens in WhatsApp: the user sends a cart.
    rewards_catalog: { chance: 0.2, via: 'order', name: 'order', valued: true, namesCampaign: 0 },
    refer_friend: { chance: 0.15, via: 'posted', name: 'signup', valued: false, namesCampaign: 0 },
  },
  winback: {
    // The discount is a coupon: the checkout always knows the campaign.
    claim_discount: { chance: 0.25, via: 'posted', name: 'purchase', valued: true, namesCampaign: 1 },
  },
};

export const conversionRates = {
  /** Median delay from tap to conversion and its log-sd: minutes to days. */
  delayMedianMs: 2 * HOUR,
  delaySigma: 1.6,
  /** Share of tap-led conversions that come much later, 7 to 12 days after the tap (past the window). */
  late: 0.06,
  /** Purchases a day by anyone in the audience, tapped or not (organic traffic, ads, the shop). */
  organicPostedPerDay: 10,
  /** WhatsApp carts a day sent without a campaign (the catalog link in the profile). */
  organicOrdersPerDay: 3,
  /** Share of organic purchases that name a campaign (an old coupon), whatever the buyer tapped. */
  organicNamesCampaign: 0.3,
} as const;

/** The shop's catalog: unit prices in each currency the demo's users pay in. */
const catalog = [
  { sku: 'SKU-TEE-01', BRL: 59.9, MXN: 249 },
  { sku: 'SKU-MUG-02', BRL: 34.5, MXN: 139.5 },
  { sku: 'SKU-CAP-03', BRL: 79, MXN: 329 },
  { sku: 'SKU-BAG-04', BRL: 149.9, MXN: 599 },
] as const;

/** Brazilian numbers pay in reais, Mexican ones in pesos. */
export function currencyOf(phone: string): 'BRL' | 'MXN' {
  return phone.startsWith('55') ? 'BRL' : 'MXN';
}

/** A cart's value: Σ price × quantity, in whole cents (prices have at most two decimals). */
export function cartValue(items: readonly OrderItem[]): number {
  return items.reduce((cents, i) => cents + Math.round(i.price * 100) * i.quantity, 0) / 100;
}

export interface ConversionInput {
  readonly messages: readonly MessageFact[];
  /** Every inbound message, in event-time order. */
  readonly taps: readonly TapFact[];
  readonly audience: readonly DemoUser[];
  readonly firstDayStart: number;
  /** Nothing converts after this instant (the end of the simulated history). */
  readonly horizonEnd: number;
  readonly days: number;
}

/** Every conversion of the history, in event-time order. */
export function simulateConversions(r: Random, input: ConversionInput): ConversionFact[] {
  const campaignOf = new Map(input.messages.map((m) => [m.wamid, m.campaignId]));
  const conversions: ConversionFact[] = [];
  let postedSerial = 0;
  const whole = (ms: number) => Math.floor(ms / SECOND) * SECOND;
  const add = (user: string, ts: number, via: ConversionFact['via'], name: string, valued: boolean, campaignId: string | null) => {
    if (ts > input.horizonEnd) return;
    const currency = currencyOf(user);
    if (via === 'order') {
      const items = cart(r, currency);
      conversions.push({ id: metaWamid(r, user, true), via, user, name: 'order', ts: whole(ts), value: cartValue(items), currency, campaignId: null, items, arrivals: [] });
      return;
    }
    const value = valued ? priceOf(r, currency) : null;
    postedSerial += 1;
    conversions.push({
      id: `ord-${String(postedSerial).padStart(6, '0')}`, via, user, name, ts: whole(ts), value, currency: value === null ? null : currency, campaignId, items: [], arrivals: [],
    });
  };

  const converted = new Set<string>();
  for (const t of input.taps) {
    if (t.buttonId === null) continue;
    const campaign = campaignOf.get(t.context);
    const plan = campaign === undefined ? undefined : conversionPlans[campaign]?.[t.buttonId];
    // One chance per message and button: a repeat tap is the same intent.
    const key = `${t.context}|${t.buttonId}`;
    if (plan === undefined || converted.has(key)) continue;
    converted.add(key);
    if (!r.chance(plan.chance)) continue;
    const delay = r.chance(conversionRates.late) ? r.uniform(7 * DAY + HOUR, 12 * DAY) : conversionRates.delayMedianMs * Math.exp(r.normal(0, conversionRates.delaySigma));
    const names = plan.via === 'posted' && r.chance(plan.namesCampaign);
    add(t.user, t.ts + Math.max(60 * SECOND, delay), plan.via, plan.name, plan.valued, names ? campaign! : null);
  }

  const namedByOrganic = Object.keys(conversionPlans);
  for (let day = 0; day < input.days; day++) {
    const start = input.firstDayStart + day * DAY;
    for (let i = r.poisson(conversionRates.organicPostedPerDay); i > 0; i--) {
      const user = r.pick(input.audience).phone;
      const campaign = r.chance(conversionRates.organicNamesCampaign) ? r.pick(namedByOrganic) : null;
      add(user, start + r.uniform(7 * HOUR, 23.5 * HOUR), 'posted', 'purchase', true, campaign);
    }
    for (let i = r.poisson(conversionRates.organicOrdersPerDay); i > 0; i--) {
      add(r.pick(input.audience).phone, start + r.uniform(7 * HOUR, 23.5 * HOUR), 'order', 'order', true, null);
    }
  }
  return conversions.sort((a, b) => a.ts - b.ts || (a.id < b.id ? -1 : 1));
}

/** A checkout total: a few products, like a cart. */
function priceOf(r: Random, currency: 'BRL' | 'MXN'): number {
  return cartValue(cart(r, currency));
}

function cart(r: Random, currency: 'BRL' | 'MXN'): OrderItem[] {
  const lines = r.int(1, 3);
  const picked = new Set<number>();
  while (picked.size < lines) picked.add(r.int(0, catalog.length - 1));
  return [...picked].sort((a, b) => a - b).map((i) => ({ sku: catalog[i]!.sku, quantity: r.int(1, 3), price: catalog[i]![currency] }));
}
