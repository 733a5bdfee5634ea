import { ATTRIBUTION_DAYS, type CConversion, type CTap, conversions, sendOf, taps } from './conversion-scenario';

/*
 * The SPEC's attribution rule computed straight from the scenario's facts, without SQL: every
 * conversion goes to the latest tap by its user at most ATTRIBUTION_DAYS × 24 h before it (of its
 * campaign when it names one); the tap's message gives the cohort, campaign and template.
 */

const DAY = 86_400_000;
const dateOf = (ts: number) => new Date(ts).toISOString().slice(0, 10);

function tapMessage(t: CTap) {
  const s = sendOf.get(t.context);
  if (s === undefined) throw new Error(`scenario tap ${t.id} answers no send`);
  return s;
}

/** The tap a conversion is credited to, or null. */
export function creditedTap(c: CConversion): CTap | null {
  const candidates = taps.filter((t) => t.from === c.user && t.at >= c.at - ATTRIBUTION_DAYS * DAY && t.at <= c.at && (c.campaign === null || tapMessage(t).campaign === c.campaign));
  candidates.sort((a, b) => b.at - a.at || (a.id < b.id ? 1 : -1));
  return candidates[0] ?? null;
}

function median(xs: number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Expected conversion columns of daily_ctr, keyed `dt|campaign|template|button`; buttons absent from the map have 0 conversions. */
export function expectedCtrConversions(): Map<string, { conversions: number; converted_messages: number; conversion_rate: number | null }> {
  const credited = new Map<string, { conversions: Set<string>; messages: Set<string> }>();
  for (const c of conversions) {
    const t = creditedTap(c);
    if (t === null) continue;
    const s = tapMessage(t);
    const key = [dateOf(s.sentAt), s.campaign, s.template, t.button].join('|');
    const entry = credited.get(key) ?? { conversions: new Set(), messages: new Set() };
    entry.conversions.add(c.eventId);
    entry.messages.add(t.context);
    credited.set(key, entry);
  }
  const out = new Map<string, { conversions: number; converted_messages: number; conversion_rate: number | null }>();
  for (const [key, e] of credited) {
    const [dt, campaign, , button] = key.split('|');
    const clicked = new Set(taps.filter((t) => t.button === button && tapMessage(t).campaign === campaign && dateOf(tapMessage(t).sentAt) === dt).map((t) => t.context)).size;
    out.set(key, { conversions: e.conversions.size, converted_messages: e.messages.size, conversion_rate: clicked === 0 ? null : e.messages.size / clicked });
  }
  return out;
}

/** One expected daily_conversions row. */
export interface ExpectedConversionRow {
  dt: string;
  campaign_id: string;
  template_name: string | null;
  button_id: string | null;
  button_title: string | null;
  conversion_name: string;
  currency: string | null;
  conversions: number;
  converted_users: number;
  value: number | null;
  median_seconds_to_convert: number | null;
}

/** Expected daily_conversions rows of every cohort, sorted like the test's query. */
export function expectedDailyConversions(): ExpectedConversionRow[] {
  const groups = new Map<string, { row: Omit<ExpectedConversionRow, 'conversions' | 'converted_users' | 'value' | 'median_seconds_to_convert'>; ids: Set<string>; users: Set<string>; values: number[]; waits: number[] }>();
  for (const c of conversions) {
    const t = creditedTap(c);
    const s = t === null ? null : tapMessage(t);
    const row = {
      dt: s === null ? dateOf(c.at) : dateOf(s.sentAt),
      campaign_id: s === null ? 'unattributed' : s.campaign,
      template_name: s === null ? null : s.template,
      button_id: t === null ? null : t.button,
      button_title: t === null ? null : t.title,
      conversion_name: c.name,
      currency: c.currency,
    };
    const key = JSON.stringify([row.dt, row.campaign_id, row.template_name, row.button_id, row.conversion_name, row.currency]);
    const g = groups.get(key) ?? { row, ids: new Set(), users: new Set(), values: [], waits: [] };
    g.ids.add(c.eventId);
    g.users.add(c.user);
    if (c.value !== null) g.values.push(c.value);
    if (t !== null) g.waits.push((c.at - t.at) / 1000);
    groups.set(key, g);
  }
  const rows = [...groups.values()].map((g) => ({
    ...g.row,
    conversions: g.ids.size,
    converted_users: g.users.size,
    value: g.values.length === 0 ? null : g.values.reduce((a, b) => a + b, 0),
    median_seconds_to_convert: median(g.waits),
  }));
  const sortKey = (r: ExpectedConversionRow) => JSON.stringify([r.dt, r.campaign_id, r.template_name ?? '', r.button_id ?? '', r.conversion_name, r.currency ?? '']);
  return rows.sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : sortKey(a) > sortKey(b) ? 1 : 0));
}
