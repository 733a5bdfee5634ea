import type { DailyConversionRow } from '../schema/types';
import { deliveredTapTitle } from './bodies';
import type { ConversionFact, Simulation } from './types';
import { countedTaps, median, visibleFacts, type PlacedTap, type TruthOptions } from './visible';

/**
 * Which tap each of the simulation's conversions credits, and the `daily_conversions` rows that
 * implies (SPEC section 3, "Conversions and attribution"), straight from the facts: the demo's
 * ground truth for conversions. Written apart from the SQL on purpose (it is the oracle the SQL
 * is checked against), so it shares no code or text with shared/sql/queries.
 *
 * The rule: last touch, by the same user, the tap at most `attributionDays` × 24 h before the
 * conversion and not after it (both ends inclusive), among the taps on that campaign's messages
 * when the conversion names one; else unattributed. A tap is one `daily_ctr` counts (visible,
 * within its cohort's lookback, up to `asOf`); a conversion is seen like any fact (visible.ts)
 * and counts once, by event date up to `asOf`. A row's button title is the title the credited taps'
 * webhooks carry (a Flow reply carries the Flow's body).
 */

const DAY = 24 * 3600 * 1000;

/** A conversion and the tap it credits (null: unattributed). */
export interface Credit {
  readonly conversion: ConversionFact;
  readonly date: string;
  readonly tap: PlacedTap | null;
}

export interface Attribution {
  readonly credits: readonly Credit[];
  /** Conversions whose latest eligible tap is not unique (two taps in the same second): the rule does not decide them. */
  readonly ties: number;
}

/** Credits every conversion seen up to `asOf`. */
export function creditConversions(sim: Simulation, options: TruthOptions): Attribution {
  const windowMs = (options.attributionDays ?? 7) * DAY;
  const visible = visibleFacts(sim, options.lookbackDays, options.timeZone ?? 'UTC');
  const byUser = new Map<string, PlacedTap[]>();
  for (const t of countedTaps(visible, options)) {
    const list = byUser.get(t.tap.user) ?? [];
    if (list.length === 0) byUser.set(t.tap.user, list);
    list.push(t);
  }
  let ties = 0;
  const credits: Credit[] = [];
  for (const { conversion: c, date } of visible.conversions) {
    if (date > options.asOf) continue;
    let best: PlacedTap | null = null;
    let tied = false;
    for (const t of byUser.get(c.user) ?? []) {
      if (t.tap.ts > c.ts || t.tap.ts < c.ts - windowMs) continue;
      if (c.campaignId !== null && t.campaign !== c.campaignId) continue;
      if (best === null || t.tap.ts > best.tap.ts) {
        best = t;
        tied = false;
      } else if (t.tap.ts === best.tap.ts) tied = true;
    }
    if (tied) ties++;
    credits.push({ conversion: c, date, tap: best });
  }
  return { credits, ties };
}

export type DatedDailyConversionRow = DailyConversionRow & { dt: string };

interface Acc {
  row: Omit<DatedDailyConversionRow, 'conversions' | 'converted_users' | 'value' | 'median_seconds_to_convert'>;
  readonly credits: Credit[];
}

/**
 * `daily_conversions` rows as of `asOf`: one per cohort, campaign, template, button, conversion
 * name and currency; unattributed conversions under campaign `unattributed`, button null, by
 * their own date. Sorted by dt, campaign, template, button, name, currency. `value` is summed in
 * minor units (cents), so it is the exact decimal total.
 */
export function truthDailyConversions(sim: Simulation, options: TruthOptions): DatedDailyConversionRow[] {
  const groups = new Map<string, Acc>();
  for (const credit of creditConversions(sim, options).credits) {
    const { conversion: c, tap } = credit;
    const row = tap === null
      ? { dt: credit.date, campaign_id: 'unattributed', template_name: null, button_id: null, button_title: null, conversion_name: c.name, currency: c.currency }
      : { dt: tap.cohort, campaign_id: tap.campaign, template_name: tap.template, button_id: tap.tap.buttonId, button_title: deliveredTapTitle(tap.tap), conversion_name: c.name, currency: c.currency };
    const key = JSON.stringify([row.dt, row.campaign_id, row.template_name ?? '', row.button_id ?? '', row.conversion_name, row.currency ?? '']);
    const acc = groups.get(key) ?? { row, credits: [] };
    if (acc.credits.length === 0) groups.set(key, acc);
    // The least title of the group's taps (titles can change between sends).
    else if (row.button_title !== null && (acc.row.button_title === null || row.button_title < acc.row.button_title)) acc.row = { ...acc.row, button_title: row.button_title };
    acc.credits.push(credit);
  }
  const rows = [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, { row, credits }]) => {
    const valued = credits.filter((k) => k.conversion.value !== null);
    const seconds = credits.flatMap((k) => (k.tap === null ? [] : [(k.conversion.ts - k.tap.tap.ts) / 1000]));
    return {
      ...row,
      conversions: credits.length,
      converted_users: new Set(credits.map((k) => k.conversion.user)).size,
      value: valued.length === 0 ? null : valued.reduce((cents, k) => cents + Math.round(k.conversion.value! * 100), 0) / 100,
      median_seconds_to_convert: median(seconds),
    };
  });
  // Schema order, dt last (as `SELECT *, dt` reads it).
  return rows.map(({ dt, ...rest }) => ({ ...rest, dt }));
}
