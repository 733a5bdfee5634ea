import { readFileSync } from 'node:fs';
import { errorMessage, InputError } from '../shared/errors';
import { checkDate, dateRange } from '../shared/time';

/** The date flags of the commands that run a method over a history file (`detect`, `experiments --history`). */
export interface TargetDateFlags {
  date?: string;
  from?: string;
  to?: string;
}

/** Target dates from the flags: exactly one of --date, or --from with --to (inclusive, not backwards). */
export function targetDates(opts: TargetDateFlags): string[] {
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

/** The text of a history file; InputError when it cannot be read. */
export function readHistoryFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (cause) {
    throw new InputError(`cannot read history file ${file}: ${errorMessage(cause)}`, { cause });
  }
}
