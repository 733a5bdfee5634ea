import { InputError } from '../errors';
import { addDays, dateRange, isIsoDate } from '../time';

/**
 * Which dates the daily workflow touches for a target date and a lookback (SPEC section 2).
 * Pure functions: the Step Functions tasks and the local runner both use them, so AWS and one
 * machine read and rebuild exactly the same partitions.
 */

/** An inclusive range of partition dates. */
export interface DateSpan {
  readonly from: string;
  readonly to: string;
}

/** Default lookback: taps and statuses arrive late when users are offline. */
export const defaultLookbackDays = 3;

/** Default attribution window (stage parameter `attributionDays`): a conversion credits a tap up to this many days before it. */
export const defaultAttributionDays = 7;

function assertDate(what: string, value: string): string {
  if (!isIsoDate(value)) throw new InputError(`${what} must be a date YYYY-MM-DD (got "${value}")`);
  return value;
}

function assertLookback(lookbackDays: number): number {
  if (!Number.isSafeInteger(lookbackDays) || lookbackDays < 0 || lookbackDays > 366) {
    throw new InputError(`lookback must be a whole number of days from 0 to 366 (got ${lookbackDays})`);
  }
  return lookbackDays;
}

/** Checks an attribution window: whole days from 0 to 90 (a longer one reads months per cohort). */
export function assertAttributionDays(attributionDays: number): number {
  if (!Number.isSafeInteger(attributionDays) || attributionDays < 0 || attributionDays > 90) {
    throw new InputError(`attribution window must be a whole number of days from 0 to 90 (got ${attributionDays})`);
  }
  return attributionDays;
}

/** Event dates whose curated partitions a run rebuilds: target − lookback … target, ascending. */
export function eventDateWindow(target: string, lookbackDays: number): string[] {
  assertDate('target date', target);
  return dateRange(addDays(target, -assertLookback(lookbackDays)), target);
}

/**
 * Arrival partitions of `raw_events` that can hold rows of event date D: D − 1 (a time-zone or
 * clock skew) … D + lookback + 1 (late deliveries, plus the arrival day after the last counted one).
 */
export function curatedSourceSpan(eventDate: string, lookbackDays: number): DateSpan {
  assertDate('event date', eventDate);
  const lookback = assertLookback(lookbackDays);
  return { from: addDays(eventDate, -1), to: addDays(eventDate, lookback + 1) };
}

/**
 * The arrival partitions registered ahead for same-day reads: today's, where Firehose writes now,
 * and tomorrow's, where it writes from midnight until the next run registers more. Both in the
 * reporting time zone, as Firehose names its prefixes.
 */
export function sameDayPartitions(today: string): string[] {
  assertDate('today', today);
  return [today, addDays(today, 1)];
}

/**
 * Raw arrival partitions the registration step must register before a run: the union of what
 * every curated run of the window reads (future days included; they are simply empty) and, given
 * `today`, the same-day partitions (sameDayPartitions), so a backfill of an old date still lets
 * `today` and the dashboard see this morning's taps. Ascending, each once.
 */
export function rawPartitionsToRegister(target: string, lookbackDays: number, today?: string): string[] {
  const days = eventDateWindow(target, lookbackDays);
  const window = dateRange(curatedSourceSpan(days[0]!, lookbackDays).from, curatedSourceSpan(target, lookbackDays).to);
  if (today === undefined) return window;
  // ISO dates order as strings.
  return [...new Set([...window, ...sameDayPartitions(today)])].sort();
}

/**
 * Cohort dates whose `daily_ctr` and `daily_conversions` partitions a run rebuilds:
 * target − lookback − attribution … target. A conversion on the target date credits a tap up to
 * `attributionDays` earlier, on a message of a cohort up to `lookbackDays` before that tap.
 */
export function cohortDateWindow(target: string, lookbackDays: number, attributionDays: number): string[] {
  assertDate('target date', target);
  return dateRange(addDays(target, -assertLookback(lookbackDays) - assertAttributionDays(attributionDays)), target);
}

/**
 * The first event date a query must read to credit the conversions dated `conversionsFrom` on:
 * the earliest tap one of them can credit (attribution + 1 days before, a day for daylight
 * saving) and the message that tap answered (lookback + 1 before it).
 */
export function creditSpanStart(conversionsFrom: string, lookbackDays: number, attributionDays: number): string {
  return addDays(conversionsFrom, -assertAttributionDays(attributionDays) - 1 - assertLookback(lookbackDays) - 1);
}

/** The attribution window in milliseconds, as the SQL compares event times. */
export function attributionWindowMs(attributionDays: number): number {
  return assertAttributionDays(attributionDays) * 86_400_000;
}

/** What the `daily_ctr` / `daily_conversions` queries of one cohort C read and count. */
export interface CohortSpans {
  /** Curated `events` partitions read: every fact below, and the messages of every tap in it. */
  readonly read: DateSpan;
  /** Statuses and taps counted for the cohort: C − lookback − 1 … C + lookback, as daily_ctr always counted. */
  readonly counted: DateSpan;
  /** Event dates of the conversions that can credit a tap of the cohort: C − lookback − 1 … C + lookback + attribution + 1. */
  readonly conversions: DateSpan;
}

/**
 * The spans of cohort C. Taps of C fall in `counted`; a conversion credits one up to
 * `attributionDays` later (plus a day, for a daylight-saving hour), and to tell whether a later tap
 * took the credit, every tap of the user in the window before each conversion is read
 * (C − lookback − attribution − 2 on), together with the message each tap answered (up to
 * lookback + 1 days before the tap). The cost grows with the two windows, not with history.
 */
export function cohortSpans(cohortDate: string, lookbackDays: number, attributionDays: number): CohortSpans {
  assertDate('cohort date', cohortDate);
  const lookback = assertLookback(lookbackDays);
  const attribution = assertAttributionDays(attributionDays);
  const counted = { from: addDays(cohortDate, -lookback - 1), to: addDays(cohortDate, lookback) };
  const conversions = { from: counted.from, to: addDays(cohortDate, lookback + attribution + 1) };
  const read = { from: creditSpanStart(conversions.from, lookback, attribution), to: conversions.to };
  return { read, counted, conversions };
}

/**
 * Every partition date one run reads, any table: raw arrivals up to target + lookback + 1, curated
 * events from the oldest cohort's history to the newest cohort's last conversion, and
 * `historyDays` of `daily_ctr` before the target for the anomaly baseline. Every workflow query
 * filters on `dt` inside this span, so an engine that exposes only it answers exactly as Athena's
 * partition pruning does — and the run's cost stays bounded by the windows, not by the lake's history.
 */
export function workflowReadSpan(target: string, lookbackDays: number, historyDays: number, attributionDays: number): DateSpan {
  assertDate('target date', target);
  const lookback = assertLookback(lookbackDays);
  const cohorts = cohortDateWindow(target, lookback, attributionDays);
  const oldest = cohortSpans(cohorts[0]!, lookback, attributionDays).read.from;
  const newest = cohortSpans(target, lookback, attributionDays).read.to;
  const history = addDays(target, -historyDays - 1);
  const rawTo = addDays(target, lookback + 1);
  // ISO dates order as strings.
  return { from: [oldest, history].sort()[0]!, to: [newest, rawTo].sort()[1]! };
}

/**
 * Days an experiment stays in the `experiments` table after its last delivered message: it is
 * summed from its first send while it runs, and left out once it stopped sending this long ago.
 */
export const experimentActiveDays = 30;
