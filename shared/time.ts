import { ConfigError } from './errors';

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Returns the zone if it is a valid IANA time zone name, else throws a ConfigError. */
export function assertTimeZone(timeZone: string): string {
  try {
    formatterFor(timeZone);
    return timeZone;
  } catch (cause) {
    throw new ConfigError(`unknown time zone "${timeZone}" (expected an IANA name such as Europe/Paris)`, { cause });
  }
}

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    // en-CA formats dates as YYYY-MM-DD.
    f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    formatters.set(timeZone, f);
  }
  return f;
}

// Every UTC offset in the tz database is a multiple of 15 minutes, so all instants inside one
// 15-minute slot share a local date; caching per slot avoids Intl on the hot path.
const SLOT_MS = 15 * 60 * 1000;
const slotCache = new Map<string, string>();

/** `epochMs` as `YYYY-MM-DD` in the given IANA time zone. */
export function dateInZone(epochMs: number, timeZone: string): string {
  if (timeZone === 'UTC' || timeZone === 'Etc/UTC') return new Date(epochMs).toISOString().slice(0, 10);
  const slot = Math.floor(epochMs / SLOT_MS);
  const key = `${timeZone}|${slot}`;
  let date = slotCache.get(key);
  if (date === undefined) {
    date = formatterFor(timeZone).format(new Date(epochMs));
    if (slotCache.size > 50_000) slotCache.clear();
    slotCache.set(key, date);
  }
  return date;
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True for a real calendar date written `YYYY-MM-DD`. */
export function isIsoDate(value: string): boolean {
  const m = DATE_RE.exec(value);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === value;
}

/** `date` plus `days` calendar days (negative to go back), both `YYYY-MM-DD`. */
export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** Inclusive list of dates from `from` to `to`. */
export function dateRange(from: string, to: string): string[] {
  const out: string[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) out.push(d);
  return out;
}
