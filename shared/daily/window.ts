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
 * Raw arrival partitions the registration step must register before a run: the union of what
 * every curated run of the window reads (future days included; they are simply empty).
 */
export function rawPartitionsToRegister(target: string, lookbackDays: number): string[] {
  const days = eventDateWindow(target, lookbackDays);
  return dateRange(curatedSourceSpan(days[0]!, lookbackDays).from, curatedSourceSpan(target, lookbackDays).to);
}

/**
 * Curated `events` partitions a `daily_ctr` run for cohort C reads: C − lookback − 1 … C + lookback.
 * After C: statuses and taps counted for the cohort (up to lookback days). Before C: enough
 * history to see that a message with a status or tap in the cohort's days was sent earlier.
 */
export function ctrSourceSpan(cohortDate: string, lookbackDays: number): DateSpan {
  assertDate('cohort date', cohortDate);
  const lookback = assertLookback(lookbackDays);
  return { from: addDays(cohortDate, -lookback - 1), to: addDays(cohortDate, lookback) };
}

/**
 * Every partition date one run reads, any table: raw arrivals up to target + lookback + 1, curated
 * events back to the oldest cohort's history (target − 2·lookback − 1), and `historyDays` of
 * `daily_ctr` before the target for the anomaly baseline. Every workflow query filters on `dt`
 * inside this span, so an engine that exposes only it answers exactly as Athena's partition
 * pruning does — and the run's cost stays bounded by the window, not by the lake's history.
 */
export function workflowReadSpan(target: string, lookbackDays: number, historyDays: number): DateSpan {
  assertDate('target date', target);
  const lookback = assertLookback(lookbackDays);
  const back = Math.max(2 * lookback + 1, historyDays);
  return { from: addDays(target, -back - 1), to: addDays(target, lookback + 1) };
}
