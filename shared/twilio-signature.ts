import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { FormParam } from './form';
import type { Verdict } from './signature';

/*
 * Twilio's request validation, as its docs and SDK validators define it: `X-Twilio-Signature` is
 * base64(HMAC-SHA1(auth token, URL + every POST parameter's name and value, sorted by name, no
 * separators)). A JSON body is signed instead through a `bodySHA256` query parameter (the hex
 * SHA-256 of the raw body), the signature covering the URL alone. Twilio may sign the URL with or
 * without the scheme's default port, so both forms are accepted.
 */

/** base64 of a 20-byte SHA-1 digest. */
const SIG_RE = /^[A-Za-z0-9+/]{27}=$/;
const HEX64_RE = /^[0-9a-fA-F]{64}$/;
const DEFAULT_PORT: Readonly<Record<string, string>> = { http: '80', https: '443' };
// scheme :// authority rest; the authority is [userinfo@]host[:port], host maybe an [IPv6] literal.
const URL_RE = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)(.*)$/s;
const AUTHORITY_RE = /^((?:[^@]*@)?)(\[[^\]]*\]|[^:]*)(?::(\d*))?$/;

/**
 * The text Twilio signs: the URL, then each parameter name followed by its value, sorted by name
 * and then by value (code-unit order, as the SDKs' sorts). A value repeated under one name counts
 * once: Twilio's SDK validators (Node and Python) sign the set of a name's values, and their test
 * vectors pin that.
 */
function signedText(url: string, params: readonly FormParam[]): string {
  const pairs = [...params].sort(([an, av], [bn, bv]) => (an < bn ? -1 : an > bn ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  let text = url;
  for (let i = 0; i < pairs.length; i++) {
    const [name, value] = pairs[i]!;
    // Sorted, so a repeat of the same name and value is next to its first occurrence.
    if (i > 0 && pairs[i - 1]![0] === name && pairs[i - 1]![1] === value) continue;
    text += name + value;
  }
  return text;
}

/** The `X-Twilio-Signature` Twilio would send for a request to `url` with these parameters. */
export function signTwilioRequest(authToken: string, url: string, params: readonly FormParam[] = []): string {
  return createHmac('sha1', authToken).update(signedText(url, params), 'utf8').digest('base64');
}

/**
 * The URL as given, plus the same URL with the default port added (when it has none) or removed
 * (when it names the default port): Twilio signs whichever form it was configured with, and a
 * proxy may show the other. Only the authority is touched, so the rest stays byte for byte.
 */
export function twilioUrlVariants(url: string): string[] {
  const m = URL_RE.exec(url);
  if (!m) return [url];
  const [, scheme, authority, rest] = m as unknown as [string, string, string, string];
  const a = AUTHORITY_RE.exec(authority);
  const port = DEFAULT_PORT[scheme.toLowerCase()];
  if (!a || port === undefined) return [url];
  const [, userinfo, host, given] = a as unknown as [string, string, string, string | undefined];
  if (given === undefined) return [url, `${scheme}://${userinfo}${host}:${port}${rest}`];
  if (given === port) return [url, `${scheme}://${userinfo}${host}${rest}`];
  return [url];
}

/** The `bodySHA256` query parameter of a URL, or null when it has none. */
function bodyHashParam(url: string): string | null {
  const q = url.indexOf('?');
  if (q < 0) return null;
  const hash = url.indexOf('#', q);
  return new URLSearchParams(url.slice(q + 1, hash < 0 ? undefined : hash)).get('bodySHA256');
}

function sameBytes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Checks `X-Twilio-Signature` for a request to `url` (the full URL Twilio requested, query string
 * included) with this raw body. A form body is checked with its parameters (`params`, from
 * parseForm; null when the body is not a form); when the URL carries `bodySHA256`, the body's
 * SHA-256 must equal it and the signature covers the URL alone. Constant-time compares throughout.
 */
export function verifyTwilioSignature(header: string | null, url: string, body: Buffer, params: readonly FormParam[] | null, authToken: string): Verdict {
  if (header === null || header.trim() === '') return 'missing';
  const given = header.trim();
  if (!SIG_RE.test(given)) return 'bad';
  const givenBytes = Buffer.from(given, 'base64');
  const bodyHash = bodyHashParam(url);
  let signedParams: readonly FormParam[];
  if (bodyHash !== null) {
    if (!HEX64_RE.test(bodyHash)) return 'bad';
    const actual = createHash('sha256').update(body).digest();
    if (!sameBytes(actual, Buffer.from(bodyHash, 'hex'))) return 'bad';
    signedParams = [];
  } else if (params === null) {
    return 'bad';
  } else signedParams = params;
  let ok = false;
  // Every variant is computed, so the time taken does not say which one matched.
  for (const candidate of twilioUrlVariants(url)) {
    const expected = createHmac('sha1', authToken).update(signedText(candidate, signedParams), 'utf8').digest();
    ok = sameBytes(expected, givenBytes) || ok;
  }
  return ok ? 'ok' : 'bad';
}
