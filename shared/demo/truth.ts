import type { DatedDailyCtrRow } from '../anomaly/types';
import { addDays, dateInZone } from '../time';
import type { MessageFact, Simulation, StatusFact, TapFact } from './types';

/**
 * The `daily_ctr` rows the simulation's facts imply (SPEC section 3), computed straight from the
 * facts in plain TypeScript, without the SQL or the transform: the demo's ground truth.
 *
 * What the pipeline can know is part of the contract, so two cuts apply. A fact is seen only
 * when a copy of it arrived in an arrival partition the curated step reads for its event date
 * (D − 1 … D + lookback + 1). A cohort's statuses and taps count up to lookback days after the
 * cohort date, and never after `asOf`: the last target date the daily workflow ran for. With
 * `asOf` = a target date T, the rows are those the workflow had written when run T finished,
 * which is what the anomaly step of T saw.
 *
 * The CTR rules (cohort assignment, read implies delivered, campaign attribution) are written
 * here a second time on purpose: this is the oracle the SQL is checked against, so it must not
 * share code or text with shared/sql/queries/include/messages.sql, their one production home.
 */

export interface TruthOptions {
  readonly lookbackDays: number;
  /** The last target date the workflow ran for (inclusive). */
  readonly asOf: string;
  /** Reporting time zone (the demo runs in UTC). */
  readonly timeZone?: string;
}

/** A message as the pipeline can see it: only statuses with a copy in a readable partition. */
interface Seen {
  readonly wamid: string;
  readonly cohort: string;
  readonly campaign: string;
  readonly template: string | null;
  /** Registry buttons, when the registry send was seen. */
  readonly buttons: MessageFact['buttons'] | null;
  readonly statuses: readonly { readonly status: StatusFact['status']; readonly ts: number; readonly date: string }[];
}

interface SeenTap {
  readonly tap: TapFact;
  readonly date: string;
}

/** The facts the pipeline can see, independent of `asOf`: computed once per simulation and settings. */
interface Visible {
  readonly messages: readonly Seen[];
  readonly known: ReadonlyMap<string, Seen>;
  readonly taps: readonly SeenTap[];
}

interface ButtonAcc {
  title: string | null;
  position: number | null;
  readonly taps: SeenTap[];
}

interface Group {
  readonly dt: string;
  readonly campaign: string;
  readonly template: string | null;
  readonly messages: Seen[];
  readonly buttons: Map<string, ButtonAcc>;
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const v = [...values].sort((a, b) => a - b);
  const mid = v.length >> 1;
  return v.length % 2 === 1 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2;
}

/** Attribution from callback data: a JSON object names both, a bare string the campaign. */
function fromCallback(callback: string | null): { campaign: string; template: string | null } {
  if (callback === null) return { campaign: 'unattributed', template: null };
  if (!callback.startsWith('{')) return { campaign: callback, template: null };
  const o = JSON.parse(callback) as { campaign_id?: string; template_name?: string };
  return { campaign: o.campaign_id ?? 'unattributed', template: o.template_name ?? null };
}

const visibleCache = new WeakMap<Simulation, Map<string, Visible>>();

/** Which facts a copy of reached a partition the curated step reads (D − 1 … D + lookback + 1). */
function visibleFacts(sim: Simulation, lookback: number, zone: string): Visible {
  const cacheKey = `${lookback}|${zone}`;
  const cached = visibleCache.get(sim)?.get(cacheKey);
  if (cached) return cached;
  const shifted = new Map<string, string>();
  const plus = (d: string, n: number) => {
    const k = `${d}|${n}`;
    let v = shifted.get(k);
    if (v === undefined) {
      v = addDays(d, n);
      shifted.set(k, v);
    }
    return v;
  };
  const dayOf = (ms: number) => dateInZone(ms, zone);
  const seen = (date: string, arrivals: readonly number[]) => arrivals.some((a) => dayOf(a) >= plus(date, -1) && dayOf(a) <= plus(date, lookback + 1));

  const messages: Seen[] = [];
  const known = new Map<string, Seen>();
  for (const m of sim.messages) {
    const statuses = m.statuses.map((s) => ({ status: s.status, ts: s.ts, date: dayOf(s.ts), arrivals: s.arrivals })).filter((s) => seen(s.date, s.arrivals));
    const sent = m.viaRegistry && seen(dayOf(m.sendTs), m.registryArrivals);
    // Cohort: the registry's send date, else the date of the earliest status seen.
    const first = [...statuses].sort((a, b) => a.ts - b.ts)[0];
    if (!sent && first === undefined) continue;
    const attribution = sent ? { campaign: m.campaignId, template: m.templateName } : fromCallback(m.callback);
    const s: Seen = {
      wamid: m.wamid, cohort: sent ? dayOf(m.sendTs) : first!.date, campaign: attribution.campaign, template: attribution.template,
      buttons: sent ? m.buttons : null, statuses: statuses.map(({ status, ts, date }) => ({ status, ts, date })),
    };
    messages.push(s);
    known.set(m.wamid, s);
  }
  const taps = sim.taps.flatMap((t) => {
    const date = dayOf(t.ts);
    return t.interaction !== null && t.buttonId !== null && seen(date, t.arrivals) ? [{ tap: t, date }] : [];
  });
  const visible: Visible = { messages, known, taps };
  const bySettings = visibleCache.get(sim) ?? new Map<string, Visible>();
  bySettings.set(cacheKey, visible);
  visibleCache.set(sim, bySettings);
  return visible;
}

/** daily_ctr rows of every cohort up to `asOf`, sorted by dt, campaign, template, button. */
export function truthDailyCtr(sim: Simulation, options: TruthOptions): DatedDailyCtrRow[] {
  const lookback = options.lookbackDays;
  const { messages, known, taps } = visibleFacts(sim, lookback, options.timeZone ?? 'UTC');
  const lastCounted = new Map<string, string>();
  // Statuses and taps of cohort C count when dated up to C + lookback and up to asOf.
  const counted = (date: string, cohort: string) => {
    let last = lastCounted.get(cohort);
    if (last === undefined) {
      const end = addDays(cohort, lookback);
      // Dates as YYYY-MM-DD strings: the earlier one (Math.min would compare numbers).
      // biome-ignore lint/complexity/useMathMinMax: these are strings
      last = end < options.asOf ? end : options.asOf;
      lastCounted.set(cohort, last);
    }
    return date <= last;
  };

  const groups = new Map<string, Group>();
  const groupOf = (dt: string, campaign: string, template: string | null): Group => {
    const key = JSON.stringify([dt, campaign, template]);
    let g = groups.get(key);
    if (!g) {
      g = { dt, campaign, template, messages: [], buttons: new Map() };
      groups.set(key, g);
    }
    return g;
  };
  for (const m of messages) {
    if (m.cohort > options.asOf) continue;
    const g = groupOf(m.cohort, m.campaign, m.template);
    g.messages.push(m);
    m.buttons?.forEach((b, i) => {
      if (!g.buttons.has(b.id)) g.buttons.set(b.id, { title: b.title, position: i + 1, taps: [] });
    });
  }
  for (const t of taps) {
    const m = known.get(t.tap.context);
    // A tap on a message the pipeline never saw belongs to its own date, unattributed.
    const cohort = m ? m.cohort : t.date;
    if (!counted(t.date, cohort)) continue;
    const g = m ? groupOf(cohort, m.campaign, m.template) : groupOf(cohort, 'unattributed', null);
    const title = t.tap.title;
    let b = g.buttons.get(t.tap.buttonId!);
    if (!b) {
      b = { title, position: null, taps: [] };
      g.buttons.set(t.tap.buttonId!, b);
    } else if (b.position === null && title !== null && (b.title === null || title < b.title)) b.title = title;
    b.taps.push(t);
  }

  // Read implies delivered; the delivery time is the first delivered-or-read status counted.
  const flags = new Map<Seen, { deliveredTs: number | undefined; read: boolean }>();
  const flagsOf = (m: Seen) => {
    let f = flags.get(m);
    if (f === undefined) {
      let deliveredTs: number | undefined;
      let read = false;
      for (const s of m.statuses) {
        if ((s.status !== 'delivered' && s.status !== 'read') || !counted(s.date, m.cohort)) continue;
        if (deliveredTs === undefined || s.ts < deliveredTs) deliveredTs = s.ts;
        if (s.status === 'read') read = true;
      }
      f = { deliveredTs, read };
      flags.set(m, f);
    }
    return f;
  };

  const rows: DatedDailyCtrRow[] = [];
  for (const g of groups.values()) {
    const sent = g.messages.length;
    const delivered = g.messages.filter((m) => flagsOf(m).deliveredTs !== undefined).length;
    const read = g.messages.filter((m) => flagsOf(m).read).length;
    for (const [buttonId, b] of g.buttons) {
      const clickedMessages = new Set(b.taps.map((t) => t.tap.context)).size;
      const seconds = b.taps.flatMap((t) => {
        const m = known.get(t.tap.context);
        const d = m === undefined ? undefined : flagsOf(m).deliveredTs;
        return d === undefined ? [] : [(t.tap.ts - d) / 1000];
      });
      rows.push({
        dt: g.dt,
        campaign_id: g.campaign,
        template_name: g.template,
        button_id: buttonId,
        button_title: b.title,
        button_position: b.position,
        messages_sent: sent,
        messages_delivered: delivered,
        messages_read: read,
        clicks: new Set(b.taps.map((t) => t.tap.id)).size,
        clicked_messages: clickedMessages,
        unique_users: new Set(b.taps.map((t) => t.tap.user)).size,
        ctr: delivered === 0 ? null : clickedMessages / delivered,
        read_ctr: read === 0 ? null : clickedMessages / read,
        median_seconds_to_click: median(seconds),
        // Conversions in the demo's truth: issue 14, being built.
        conversions: 0,
        converted_messages: 0,
        conversion_rate: null,
      });
    }
  }
  const key = (r: DatedDailyCtrRow) => JSON.stringify([r.dt, r.campaign_id, r.template_name ?? '', r.button_id]);
  return rows.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}
