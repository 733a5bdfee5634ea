import { InputError } from '../errors';
import { addDays, checkDate, earliestDate } from '../time';

/**
 * The dates a dashboard covers: every report query reads only the partitions with `dt` in the
 * span (cohort dates of daily_ctr and daily_conversions, event dates of events, arrival dates of
 * quarantined raw rows, target dates of anomalies, evaluation dates of experiments). On Athena
 * that is what bounds the bytes each query scans.
 */
export interface ReportSpan {
  /** First date, `YYYY-MM-DD`, inclusive. */
  readonly from: string;
  /** Last date, `YYYY-MM-DD`, inclusive. */
  readonly to: string;
}

/** Days a stage's dashboard covers when no span is given (the published one and `report --stage`): four weeks. */
export const defaultReportDays = 28;

/**
 * Every date a lake can hold: the local dashboard's default (a local lake is small, and the demo's
 * dates are fixed in the past). Ends at the latest date any command accepts, so the span still
 * renders as two date literals.
 */
export const wholeLake: ReportSpan = { from: earliestDate, to: '9999-12-31' };

/** The `days` days ending on `to` (inclusive). */
export function spanEnding(to: string, days: number = defaultReportDays): ReportSpan {
  if (!Number.isSafeInteger(days) || days < 1) throw new InputError(`a report covers at least one day (got ${days})`);
  return { from: addDays(to, -(days - 1)), to };
}

/** The `--from` / `--to` flags of `report`. */
export interface SpanFlags {
  readonly from?: string;
  readonly to?: string;
}

/**
 * The span the flags name, or `fallback` (called with `--to` when only that was given) when they
 * name none. `--from` alone ends at `today`; `--to` alone covers the default days before it.
 * InputError for a bad date or a backwards span.
 */
export function spanOfFlags(flags: SpanFlags, today: string, fallback: (to?: string) => ReportSpan): ReportSpan {
  const from = flags.from === undefined ? undefined : checkDate('--from', flags.from);
  const to = flags.to === undefined ? undefined : checkDate('--to', flags.to);
  if (from === undefined) return fallback(to);
  const end = to ?? today;
  if (from > end) throw new InputError(`--from ${from} is after ${to === undefined ? `today (${today})` : `--to ${to}`}`);
  return { from, to: end };
}
