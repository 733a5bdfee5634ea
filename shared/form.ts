/*
 * `application/x-www-form-urlencoded` bytes (Twilio's webhooks) to ordered name/value pairs.
 * Hand-written rather than URLSearchParams: that one repairs what it cannot read (a stray `%`
 * stays literal, invalid UTF-8 becomes U+FFFD), and a repaired body is no longer the one that
 * was signed; here such a body is refused instead, and repeated names keep their order.
 */

/** One form parameter, as sent: the name and the value, both decoded. */
export type FormParam = readonly [name: string, value: string];

// fatal: a percent-escape that decodes to invalid UTF-8 makes the body not a form.
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Bytes a form encoder may leave as they are: letters, digits, the unreserved and sub-delimiter
 * characters of RFC 3986 and `:@/?`, plus `%` (escapes), `+` (space), `=` and `&` (structure).
 * Anything else (a space, a quote, a brace, a control or non-ASCII byte) is always percent-encoded
 * by a form encoder, so a body holding one (JSON, text, binary) is not a form.
 */
const FORM_BYTE = (() => {
  const ok = new Uint8Array(128);
  for (const c of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$'()*,;:@/?%+=&") ok[c.charCodeAt(0)] = 1;
  return ok;
})();

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  const lower = c | 0x20;
  return lower >= 97 && lower <= 102 ? lower - 87 : -1;
}

/** One name or value: `+` is a space, `%XX` a byte; the bytes must be UTF-8. Null when not. */
function decodeComponent(body: Buffer, start: number, end: number): string | null {
  const bytes = Buffer.allocUnsafe(end - start);
  let n = 0;
  for (let i = start; i < end; i++) {
    const c = body[i]!;
    if (c === 0x2b /* + */) bytes[n++] = 0x20;
    else if (c === 0x25 /* % */) {
      const hi = i + 2 < end ? hexValue(body[i + 1]!) : -1;
      const lo = hi < 0 ? -1 : hexValue(body[i + 2]!);
      if (lo < 0) return null;
      bytes[n++] = hi * 16 + lo;
      i += 2;
    } else bytes[n++] = c;
  }
  try {
    return utf8.decode(bytes.subarray(0, n));
  } catch {
    return null;
  }
}

/**
 * The parameters of a form body in the order sent (a repeated name appears once per value), or
 * null when the bytes are not a form: a byte a form encoder would have escaped, a `%` not followed
 * by two hex digits, or an escape that decodes to invalid UTF-8. An empty body is a form with no
 * parameters; empty pieces between `&`s are skipped, as browsers and Twilio's SDKs do.
 */
export function parseForm(body: Buffer): FormParam[] | null {
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c >= 128 || FORM_BYTE[c] !== 1) return null;
  }
  const params: FormParam[] = [];
  let start = 0;
  while (start <= body.length) {
    let end = body.indexOf(0x26 /* & */, start);
    if (end < 0) end = body.length;
    if (end > start) {
      let eq = body.indexOf(0x3d /* = */, start);
      if (eq < 0 || eq > end) eq = end;
      const name = decodeComponent(body, start, eq);
      const value = eq === end ? '' : decodeComponent(body, eq + 1, end);
      if (name === null || value === null) return null;
      params.push([name, value]);
    }
    start = end + 1;
  }
  return params;
}

/** The first value of a parameter, or null when the form has none. */
export function formValue(params: readonly FormParam[], name: string): string | null {
  for (const [n, v] of params) if (n === name) return v;
  return null;
}
