import type { DetectorInputRow } from './types';

/** One day of one button series. */
export interface ButtonDay {
  readonly dt: string;
  readonly delivered: number;
  readonly clickedMessages: number;
  readonly clicks: number;
}

/** One day of one delivery group (campaign, template). */
export interface GroupDay {
  readonly dt: string;
  readonly delivered: number;
}

/** The daily history of one (campaign, template, button), days in date order. */
export interface ButtonSeries {
  readonly campaignId: string;
  readonly templateName: string | null;
  readonly buttonId: string | null;
  readonly days: readonly ButtonDay[];
}

/**
 * The daily delivered volume of one (campaign, template). messages_delivered repeats on every
 * button row of a cohort, so the group has one value a day (the largest seen, in case a button
 * row is missing), and a collapse is one event, not one per button.
 */
export interface DeliveryGroup {
  readonly campaignId: string;
  readonly templateName: string | null;
  readonly days: readonly GroupDay[];
}

/** daily_ctr history arranged by series, in a deterministic order. */
export interface HistoryIndex {
  readonly buttons: readonly ButtonSeries[];
  readonly groups: readonly DeliveryGroup[];
}

/** Code-point order with null first: the same on every machine, unlike localeCompare. */
export function compareNullable(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  return a < b ? -1 : 1;
}

const keyOf = (parts: readonly (string | null)[]): string => JSON.stringify(parts);

/**
 * Groups rows into button series and delivery groups. Two rows for the same series and date
 * (which daily_ctr never holds) are merged: taps added, the larger delivered count kept.
 */
export function indexHistory(rows: readonly DetectorInputRow[]): HistoryIndex {
  const buttons = new Map<string, { series: ButtonSeries; days: Map<string, ButtonDay> }>();
  const groups = new Map<string, { group: DeliveryGroup; days: Map<string, number> }>();
  for (const row of rows) {
    const bKey = keyOf([row.campaign_id, row.template_name, row.button_id]);
    let b = buttons.get(bKey);
    if (!b) {
      b = { series: { campaignId: row.campaign_id, templateName: row.template_name, buttonId: row.button_id, days: [] }, days: new Map() };
      buttons.set(bKey, b);
    }
    const prev = b.days.get(row.dt);
    b.days.set(row.dt, {
      dt: row.dt,
      delivered: Math.max(prev?.delivered ?? 0, row.messages_delivered),
      clickedMessages: (prev?.clickedMessages ?? 0) + row.clicked_messages,
      clicks: (prev?.clicks ?? 0) + row.clicks,
    });

    const gKey = keyOf([row.campaign_id, row.template_name]);
    let g = groups.get(gKey);
    if (!g) {
      g = { group: { campaignId: row.campaign_id, templateName: row.template_name, days: [] }, days: new Map() };
      groups.set(gKey, g);
    }
    g.days.set(row.dt, Math.max(g.days.get(row.dt) ?? 0, row.messages_delivered));
  }

  const byDate = <T extends { dt: string }>(days: Iterable<T>): T[] => [...days].sort((x, y) => compareNullable(x.dt, y.dt));
  const buttonList = [...buttons.values()]
    .map(({ series, days }) => ({ ...series, days: byDate(days.values()) }))
    .sort((x, y) => compareNullable(x.campaignId, y.campaignId) || compareNullable(x.templateName, y.templateName) || compareNullable(x.buttonId, y.buttonId));
  const groupList = [...groups.values()]
    .map(({ group, days }) => ({ ...group, days: byDate([...days].map(([dt, delivered]) => ({ dt, delivered }))) }))
    .sort((x, y) => compareNullable(x.campaignId, y.campaignId) || compareNullable(x.templateName, y.templateName));
  return { buttons: buttonList, groups: groupList };
}

/** Index of the first day with dt ≥ date (days in date order). */
function lowerBound(days: readonly { dt: string }[], date: string): number {
  let lo = 0;
  let hi = days.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (days[mid]!.dt < date) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The days with from ≤ dt < to: a trailing window that ends before `to`. */
export function daysBetween<T extends { dt: string }>(days: readonly T[], from: string, to: string): T[] {
  return days.slice(lowerBound(days, from), lowerBound(days, to));
}

/** The day with dt = date, if any. */
export function dayOn<T extends { dt: string }>(days: readonly T[], date: string): T | undefined {
  const day = days[lowerBound(days, date)];
  return day?.dt === date ? day : undefined;
}
