import { readFileSync } from 'node:fs';
import { detectDates } from '../../../shared/anomaly/detect';
import { parseDailyCtrLines } from '../../../shared/anomaly/history';
import { errorMessage, InputError } from '../../../shared/errors';
import { terminalSafeJson } from '../../../shared/text/terminal';
import { checkDate, dateRange } from '../../../shared/time';

/** Flags of `wa-analytics detect`. */
export interface DetectOptions {
  history: string;
  date?: string;
  from?: string;
  to?: string;
}

/** Target dates from the flags: exactly one of --date, or --from with --to (inclusive, not backwards). */
export function targetDates(opts: Omit<DetectOptions, 'history'>): string[] {
  const hasRange = opts.from !== undefined || opts.to !== undefined;
  if (opts.date !== undefined && hasRange) throw new InputError('give either --date or --from/--to, not both');
  if (opts.date !== undefined) return [checkDate('--date', opts.date)];
  if (!hasRange) throw new InputError('give --date D or --from D1 --to D2');
  if (opts.from === undefined || opts.to === undefined) throw new InputError('--from and --to go together');
  const from = checkDate('--from', opts.from);
  const to = checkDate('--to', opts.to);
  if (from > to) throw new InputError(`--from ${from} is after --to ${to}`);
  return dateRange(from, to);
}

function readHistory(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (cause) {
    throw new InputError(`cannot read history file ${file}: ${errorMessage(cause)}`, { cause });
  }
}

/**
 * The anomalies of the target dates as JSON lines (without newlines), each date seeing only the
 * history rows dated before it. The detector runs every date of the history in turn, as the daily
 * workflow would have, so the days it reported stay out of later baselines and a target gets the
 * same answer alone or in a range. Throws InputError for bad flags, an unreadable file or a bad row.
 */
export function detect(opts: DetectOptions): string[] {
  // Validate the flags before reading a possibly large file.
  const dates = targetDates(opts);
  const rows = parseDailyCtrLines(readHistory(opts.history));
  return detectDates(rows, dates).map((row) => terminalSafeJson(JSON.stringify(row)));
}
