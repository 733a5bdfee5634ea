import { addDays, dateInZone } from '../time';
import type { ConversionFact, MessageFact, Simulation, StatusFact, TapFact } from './types';

/**
 * What the daily workflow can know of a simulation, for the ground truth (truth.ts,
 * truth-conversions.ts): a fact is seen only when a copy of it arrived in an arrival partition
 * the curated step reads for its event date (D − 1 … D + lookback + 1); a cohort's facts count up
 * to lookback days after the cohort date and never after `asOf`, the last target date the
 * workflow ran for.
 */

export interface TruthOptions {
  readonly lookbackDays: number;
  /** Attribution window in days (the stage's attributionDays); 7 by default. */
  readonly attributionDays?: number;
  /** The last target date the workflow ran for (inclusive). */
  readonly asOf: string;
  /** Reporting time zone (the demo runs in UTC). */
  readonly timeZone?: string;
}

/** A message as the pipeline can see it: only statuses with a copy in a readable partition. */
export interface Seen {
  readonly wamid: string;
  readonly cohort: string;
  readonly campaign: string;
  readonly template: string | null;
  /** Registry buttons, when the registry send was seen. */
  readonly buttons: MessageFact['buttons'] | null;
  readonly statuses: readonly { readonly status: StatusFact['status']; readonly ts: number; readonly date: string }[];
}

export interface SeenTap {
  readonly tap: TapFact;
  readonly date: string;
}

export interface SeenConversion {
  readonly conversion: ConversionFact;
  /** Its event date in the reporting time zone. */
  readonly date: string;
}

/** The facts the pipeline can see, independent of `asOf`: computed once per simulation and settings. */
export interface Visible {
  readonly messages: readonly Seen[];
  readonly known: ReadonlyMap<string, Seen>;
  readonly taps: readonly SeenTap[];
  readonly conversions: readonly SeenConversion[];
}

/** The median, the mean of the middle two for an even count; null for none. */
export function median(values: number[]): number | null {
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
export function visibleFacts(sim: Simulation, lookback: number, zone: string): Visible {
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
  const conversions = sim.conversions.flatMap((c) => {
    const date = dayOf(c.ts);
    return seen(date, c.arrivals) ? [{ conversion: c, date }] : [];
  });
  const visible: Visible = { messages, known, taps, conversions };
  const bySettings = visibleCache.get(sim) ?? new Map<string, Visible>();
  bySettings.set(cacheKey, visible);
  visibleCache.set(sim, bySettings);
  return visible;
}

/** `(date, cohort) => counts`: statuses and taps of cohort C count when dated up to C + lookback and up to asOf. */
export function countedOn(options: TruthOptions): (date: string, cohort: string) => boolean {
  const last = new Map<string, string>();
  return (date, cohort) => {
    let end = last.get(cohort);
    if (end === undefined) {
      const byLookback = addDays(cohort, options.lookbackDays);
      // Dates as YYYY-MM-DD strings: the earlier one (Math.min would compare numbers).
      // biome-ignore lint/complexity/useMathMinMax: these are strings
      end = byLookback < options.asOf ? byLookback : options.asOf;
      last.set(cohort, end);
    }
    return date <= end;
  };
}

/** A tap `daily_ctr` counts, placed in its cohort, campaign and template. */
export interface PlacedTap {
  readonly tap: TapFact;
  readonly date: string;
  /** Its outbound message as the pipeline knows it; undefined for a message it never saw. */
  readonly message: Seen | undefined;
  readonly cohort: string;
  readonly campaign: string;
  readonly template: string | null;
}

/**
 * The taps `daily_ctr` counts as of `options.asOf`: a tap belongs to its message's cohort and
 * campaign, or, on a message the pipeline never saw, to its own date, unattributed.
 */
export function countedTaps(visible: Visible, options: TruthOptions): PlacedTap[] {
  const counted = countedOn(options);
  return visible.taps.flatMap((t) => {
    const m = visible.known.get(t.tap.context);
    const cohort = m ? m.cohort : t.date;
    if (!counted(t.date, cohort)) return [];
    return [{ tap: t.tap, date: t.date, message: m, cohort, campaign: m ? m.campaign : 'unattributed', template: m ? m.template : null }];
  });
}
