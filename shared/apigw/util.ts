import { TemplateError } from '../errors';
import { isBase64Text } from '../base64';

/**
 * `$util` of API Gateway mapping templates. API Gateway runs Java: strings are UTF-16, bytes are
 * UTF-8 ("unless otherwise specified, the default character set is UTF-8"), and the escaping and
 * URL functions follow Commons Lang `escapeJavaScript` and `java.net.URLEncoder`/`URLDecoder`.
 * These functions reproduce those results byte for byte.
 */

/** Base64 of the UTF-8 bytes of a string (`$util.base64Encode`). */
export function base64Encode(value: unknown): string {
  return Buffer.from(requireText(value, 'base64Encode'), 'utf8').toString('base64');
}

/** Decodes base64 and reads the bytes as UTF-8 (`$util.base64Decode`); malformed input is an error, as in Java. */
export function base64Decode(value: unknown): string {
  const text = requireText(value, 'base64Decode');
  // Java's decoder rejects characters outside the alphabet that Buffer would silently skip.
  if (!isBase64Text(text) || text.length % 4 === 1) throw new TemplateError('$util.base64Decode: input is not base64');
  return Buffer.from(text, 'base64').toString('utf8');
}

// Everything Commons Lang escapes: controls, quotes, backslash, slash and all non-ASCII.
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are among what it escapes
const JS_ESCAPE_RE = /[\u0000-\u001f"'\\/\u0080-\uffff]/;
const CONTROL_ESCAPES: Readonly<Record<number, string>> = { 8: '\\b', 9: '\\t', 10: '\\n', 12: '\\f', 13: '\\r' };

/**
 * Commons Lang `escapeJavaScript` (`$util.escapeJavaScript`): `'` becomes `\'` (not valid JSON, as
 * AWS warns), `/` becomes `\/`, and every UTF-16 unit above 0x7F becomes `\uXXXX` in upper case.
 * Null stays null, which renders as nothing.
 */
export function escapeJavaScript(value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  const text = String(value);
  if (!JS_ESCAPE_RE.test(text)) return text;
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code > 0x7f) out += unicodeEscape(code);
    else if (code < 0x20) out += CONTROL_ESCAPES[code] ?? unicodeEscape(code);
    else if (code === 0x22 || code === 0x27 || code === 0x5c || code === 0x2f) out += `\\${text[i]}`;
    else out += text[i];
  }
  return out;
}

function unicodeEscape(code: number): string {
  return `\\u${code.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** Parses JSON text into maps, lists and scalars (`$util.parseJson`). */
export function parseJson(value: unknown): unknown {
  try {
    return JSON.parse(requireText(value, 'parseJson'));
  } catch (cause) {
    if (cause instanceof TemplateError) throw cause;
    throw new TemplateError('$util.parseJson: input is not JSON', { cause });
  }
}

/** `URLEncoder.encode(s, "UTF-8")`: `a-zA-Z0-9.-*_` kept, space as `+`, other UTF-8 bytes as upper-case `%XX`. */
export function urlEncode(value: unknown): string {
  const bytes = Buffer.from(requireText(value, 'urlEncode'), 'utf8');
  let out = '';
  for (const byte of bytes) {
    if (isUrlSafe(byte)) out += String.fromCharCode(byte);
    else if (byte === 0x20) out += '+';
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

function isUrlSafe(byte: number): boolean {
  return (
    (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a) ||
    byte === 0x2e || byte === 0x2d || byte === 0x2a || byte === 0x5f
  );
}

const HEX_PAIR_RE = /^[0-9A-Fa-f]{2}$/;

/** `URLDecoder.decode(s, "UTF-8")`: `+` is a space, runs of `%XX` are UTF-8 bytes; a broken escape is an error. */
export function urlDecode(value: unknown): string {
  const text = requireText(value, 'urlDecode');
  let out = '';
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === '+') {
      out += ' ';
      i++;
    } else if (ch === '%') {
      // Consecutive escapes form one byte sequence, so multi-byte characters decode whole.
      const bytes: number[] = [];
      while (i < text.length && text[i] === '%') {
        const pair = text.slice(i + 1, i + 3);
        if (!HEX_PAIR_RE.test(pair)) throw new TemplateError(`$util.urlDecode: bad escape at ${i}`);
        bytes.push(parseInt(pair, 16));
        i += 3;
      }
      out += Buffer.from(bytes).toString('utf8');
    } else {
      out += ch;
      i++;
    }
  }
  return out;
}

function requireText(value: unknown, fn: string): string {
  // Java would throw a NullPointerException here, which API Gateway answers with a 500.
  if (value === null || value === undefined) throw new TemplateError(`$util.${fn}: argument is null`);
  return typeof value === 'string' ? value : String(value);
}

// A literal, not a spread of utilFunctions: a few times cheaper per render, same keys in the same order.
function utilObject() {
  return { base64Encode, base64Decode, escapeJavaScript, parseJson, urlEncode, urlDecode };
}

/** The functions of `$util`, shared by every render. */
export const utilFunctions = Object.freeze(utilObject());

/** A fresh `$util` for one render, so a template that #sets into it changes only its own render. */
export function createUtil(): Record<string, (value: unknown) => unknown> {
  return utilObject();
}
