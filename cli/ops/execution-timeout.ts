import { InputError } from '../../shared/errors';

/*
 * The `backfill --stage --timeout` duration, apart from the Step Functions runner so the command's
 * help can show its default without loading the SDK.
 */

/** Longest `--timeout`: Step Functions keeps a standard execution running for a year at most. */
const MAX_TIMEOUT_MS = 366 * 86_400_000;
const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000 } as const;

/** Default `--timeout`: how long one date's execution is waited for. */
export const defaultExecutionTimeout = '6h';

/**
 * `--timeout`: a whole number of seconds, minutes or hours (`90s`, `45m`, `6h`; a bare number is
 * seconds). Hand-written: three units are all it takes, and a duration library would accept
 * spellings ("2 weeks", "1.5y") that the help text would then have to promise.
 */
export function parseTimeout(text: string): number {
  const m = /^(\d+)(s|m|h)?$/.exec(text.trim());
  const ms = m ? Number(m[1]) * UNIT_MS[(m[2] ?? 's') as keyof typeof UNIT_MS] : NaN;
  if (!(ms >= 1000 && ms <= MAX_TIMEOUT_MS)) throw new InputError(`--timeout must be a duration like 90s, 45m or 6h, from 1s to 366 days (got "${text}")`);
  return ms;
}

/** `6h`, `45m`, `90s`: a timeout as the operator would type it. */
export function formatTimeout(ms: number): string {
  if (ms % UNIT_MS.h === 0) return `${ms / UNIT_MS.h}h`;
  if (ms % UNIT_MS.m === 0) return `${ms / UNIT_MS.m}m`;
  return `${Math.round(ms / 1000)}s`;
}
