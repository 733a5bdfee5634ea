import { createHmac, timingSafeEqual } from 'node:crypto';
import { ConfigError } from '../errors';
import { isIsoDate } from '../time';

/**
 * The signed link to a published dashboard (SPEC section 2, "The dashboard on AWS"):
 * `GET <ApiUrl>/reports/{date}?exp=<epoch seconds>&sig=<base64url>`, where `sig` is
 * HMAC-SHA256 over the date and the expiry with the stage's report-link secret. Nothing else
 * authorizes the reader: whoever holds the link may open that date's report until `exp`, and
 * rotating the secret revokes every link at once. Pure functions; the secret comes from the caller.
 */

/** The stage parameter `reportLinkDays` when unset: how long a posted link opens its report. */
export const defaultReportLinkDays = 30;
/** The longest lifetime a stage may give its links (a year: a link is a bearer credential). */
export const maxReportLinkDays = 366;
/** Shortest secret accepted: 32 bytes, the HMAC-SHA256 block's worth of entropy in practice. */
export const minReportLinkSecretLength = 32;

/** The API resource path of the link of a date (the route's `{date}` filled in). */
export function reportLinkPath(date: string): string {
  return `/reports/${date}`;
}

function assertSecret(secret: string): void {
  if (secret.length < minReportLinkSecretLength) throw new ConfigError(`the report link secret must have at least ${minReportLinkSecretLength} characters (got ${secret.length})`);
}

// The signed message: the date and the expiry on two lines. Both have fixed grammars (a
// YYYY-MM-DD date, decimal digits), so no two (date, exp) pairs share a message.
function mac(secret: string, date: string, exp: number): Buffer {
  return createHmac('sha256', secret).update(`${date}\n${exp}`).digest();
}

/** Epoch seconds `days` days after `nowMs` (the `exp` of a link issued now). */
export function reportLinkExpiry(nowMs: number, days: number): number {
  if (!Number.isInteger(days) || days < 1 || days > maxReportLinkDays) throw new ConfigError(`report link lifetime must be a whole number of days from 1 to ${maxReportLinkDays} (got ${days})`);
  return Math.floor(nowMs / 1000) + days * 86_400;
}

/** The `sig` of a link: base64url (no padding) of HMAC-SHA256(secret, `${date}\n${exp}`). */
export function reportLinkSignature(secret: string, date: string, exp: number): string {
  assertSecret(secret);
  if (!isIsoDate(date)) throw new ConfigError(`a report link needs a date YYYY-MM-DD (got "${date}")`);
  if (!Number.isSafeInteger(exp) || exp <= 0) throw new ConfigError(`a report link needs a positive expiry in epoch seconds (got ${exp})`);
  return mac(secret, date, exp).toString('base64url');
}

/** What a link is signed for. */
export interface ReportLinkRequest {
  /** The API stage's base URL (the stack output ApiUrl), with or without a trailing slash. */
  readonly apiUrl: string;
  readonly date: string;
  /** Expiry, epoch seconds (reportLinkExpiry). */
  readonly exp: number;
  readonly secret: string;
}

/** The signed link `<apiUrl>/reports/<date>?exp=<exp>&sig=<sig>`. */
export function signReportLink({ apiUrl, date, exp, secret }: ReportLinkRequest): string {
  const base = new URL(apiUrl);
  if (base.protocol !== 'https:' && base.protocol !== 'http:') throw new ConfigError(`the report API URL must be http(s) (got "${apiUrl}")`);
  const sig = reportLinkSignature(secret, date, exp);
  return `${base.href.replace(/\/+$/, '')}${reportLinkPath(date)}?exp=${exp}&sig=${sig}`;
}

/** Why a link was refused; the caller answers 403 whatever it is and only logs it. */
export type LinkRefusal = 'malformed' | 'forged' | 'expired';

export type LinkCheck = { readonly ok: true; readonly date: string; readonly exp: number } | { readonly ok: false; readonly reason: LinkRefusal };

/** A link as the route receives it: the path's `{date}` and the query's `exp` and `sig`, as sent. */
export interface PresentedLink {
  readonly date: unknown;
  readonly exp: unknown;
  readonly sig: unknown;
}

const EXP_RE = /^[1-9][0-9]{0,11}$/;
// 32 bytes are 43 base64url characters without padding.
const SIG_RE = /^[A-Za-z0-9_-]{43}$/;

/**
 * Checks a presented link against the secret at `nowSeconds`: its grammar first (a malformed
 * link is refused before any HMAC), then the signature in constant time (timingSafeEqual over
 * the 32 bytes), then the expiry. A link whose date or expiry was changed no longer matches its
 * signature, so it is `forged`.
 */
export function verifyReportLink(link: PresentedLink, secret: string, nowSeconds: number): LinkCheck {
  assertSecret(secret);
  const { date, exp, sig } = link;
  if (typeof date !== 'string' || !isIsoDate(date)) return { ok: false, reason: 'malformed' };
  if (typeof exp !== 'string' || !EXP_RE.test(exp)) return { ok: false, reason: 'malformed' };
  if (typeof sig !== 'string' || !SIG_RE.test(sig)) return { ok: false, reason: 'malformed' };
  const given = Buffer.from(sig, 'base64url');
  // Two encodings decode to the same 32 bytes when the last character's unused bits differ;
  // only the canonical one is the link we issued.
  if (given.length !== 32 || given.toString('base64url') !== sig) return { ok: false, reason: 'malformed' };
  const expSeconds = Number(exp);
  const expected = mac(secret, date, expSeconds);
  if (!timingSafeEqual(given, expected)) return { ok: false, reason: 'forged' };
  if (expSeconds <= nowSeconds) return { ok: false, reason: 'expired' };
  return { ok: true, date, exp: expSeconds };
}
