import { ConfigError, InputError } from './errors';

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
const DAY_MS = 24 * 60 * 60 * 1000;
/** Dates by zone and slot (UTC by day): the transform asks for a few days' dates millions of times. */
const slotCache = new Map<string, Map<number, string>>();

/** `epochMs` as `YYYY-MM-DD` in the given IANA time zone. */
export function dateInZone(epochMs: number, timeZone: string): string {
  const utc = timeZone === 'UTC' || timeZone === 'Etc/UTC';
  const slot = Math.floor(epochMs / (utc ? DAY_MS : SLOT_MS));
  let slots = slotCache.get(timeZone);
  if (slots === undefined) {
    slots = new Map();
    slotCache.set(timeZone, slots);
  }
  let date = slots.get(slot);
  if (date === undefined) {
    date = utc ? new Date(slot * DAY_MS).toISOString().slice(0, 10) : formatterFor(timeZone).format(new Date(epochMs));
    if (slots.size > 50_000) slots.clear();
    slots.set(slot, date);
  }
  return date;
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True for a real calendar date written `YYYY-MM-DD` (2026-02-30 is not one). */
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

/** Calendar days from `from` to `to` (negative when `to` is earlier), both `YYYY-MM-DD`. */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/**
 * Inclusive list of dates from `from` to `to`. Both must be `YYYY-MM-DD` dates: past year 9999
 * `addDays` no longer writes one, and the loop would never reach `to`.
 */
export function dateRange(from: string, to: string): string[] {
  if (!isIsoDate(from) || !isIsoDate(to)) throw new InputError(`a date range needs YYYY-MM-DD dates (got "${from}" … "${to}")`);
  const out: string[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) out.push(d);
  return out;
}

/** The earliest date any command accepts: WhatsApp Business data cannot be older. */
export const earliestDate = '2000-01-01';

/**
 * The dates a command accepts, `earliestDate` … one year after today (UTC). One home for the
 * rule: every flag, workflow input and time argument that names a day is checked against it.
 */
export function dateBounds(now: number = Date.now()): { readonly from: string; readonly to: string } {
  const d = new Date(now);
  d.setUTCFullYear(d.getUTCFullYear() + 1);
  return { from: earliestDate, to: d.toISOString().slice(0, 10) };
}

/**
 * `value` if it is a real `YYYY-MM-DD` date inside `dateBounds`, else an InputError naming
 * `what` (a flag, or a workflow input field) in one line.
 */
export function checkDate(what: string, value: string, now: number = Date.now()): string {
  if (!isIsoDate(value)) throw new InputError(`${what} must be a date YYYY-MM-DD (got "${value}")`);
  const { from, to } = dateBounds(now);
  if (value < from || value > to) throw new InputError(`${what} ${value} is outside ${from} … ${to} (from ${from} to one year ahead)`);
  return value;
}

// RFC 3339 / ISO-8601 extended date-time; the zone is required so the instant is unambiguous.
const ISO_RE = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)$/;

/**
 * Epoch ms of an ISO-8601 date-time with a zone (`2026-06-10T08:00:00Z`, `…+02:00`), or null.
 * The calendar and the clock are checked: `Date.parse` turns 2026-02-30 into March 2, this
 * refuses it. Times before 1970 are null.
 */
export function parseIsoInstant(value: unknown): number | null {
  if (typeof value !== 'string') return null;
  const m = ISO_RE.exec(value);
  if (m === null) return null;
  const [year, month, day, hour, minute] = [m[1], m[2], m[3], m[4], m[5]].map(Number) as [number, number, number, number, number];
  const second = m[6] === undefined ? 0 : Number(m[6]);
  const ms = m[7] === undefined ? 0 : Number(m[7].slice(0, 3).padEnd(3, '0'));
  if (!isIsoDate(`${m[1]}-${m[2]}-${m[3]}`) || year < 1970) return null;
  if (hour > 23 || minute > 59 || second > 59) return null;
  let offsetMin = 0;
  if (m[8] === undefined) {
    const oh = Number(m[10]);
    const om = m[11] === undefined ? 0 : Number(m[11]);
    if (oh > 23 || om > 59) return null;
    offsetMin = (m[9] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  const epoch = Date.UTC(year, month - 1, day, hour, minute, second, ms) - offsetMin * 60_000;
  return epoch >= 0 ? epoch : null;
}

/**
 * Epoch ms of a time argument (ISO-8601 with a zone, a real calendar date and clock) whose UTC
 * date lies inside `dateBounds`; an InputError naming `what` otherwise.
 */
export function checkInstant(what: string, value: string, now: number = Date.now()): number {
  const ts = parseIsoInstant(value);
  if (ts === null) throw new InputError(`${what} must be an ISO-8601 time with a zone, on a real date (got "${value}")`);
  const { from, to } = dateBounds(now);
  const day = new Date(ts).toISOString().slice(0, 10);
  if (day < from || day > to) throw new InputError(`${what} ${value} is outside ${from} … ${to} (from ${from} to one year ahead)`);
  return ts;
}
