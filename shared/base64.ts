/**
 * Standard base64 as AWS's JSON APIs take it (Firehose `Record.Data`, a transform's answer):
 * the alphabet `A–Z a–z 0–9 + /`, padded to a multiple of 4 with at most two `=`.
 */

/**
 * Whether text uses only the standard alphabet, with at most two `=` at the end; its length is
 * left to the caller (padded for AWS's APIs, Java's decoder also takes unpadded text).
 */
export function isBase64Text(text: string): boolean {
  return BASE64_TEXT_RE.test(text);
}

const BASE64_TEXT_RE = /^[A-Za-z0-9+/]*={0,2}$/;

/** Bytes that padded base64 of this length decodes to (without decoding it). */
export function base64DecodedLength(text: string): number {
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  return (text.length / 4) * 3 - padding;
}

/**
 * The bytes of padded standard base64, or null for text that is not. One decode, no regular
 * expression: Node's decoder skips ASCII characters outside the alphabet and stops at `=`, so
 * any such character makes the result shorter than the length the text announces. It reads a
 * character beyond ASCII by its low byte (`Ł` as `A`), so those are refused first, by the UTF-8
 * length, which equals the character count only for ASCII; and it takes base64url's `-` and
 * `_`, which AWS does not, so those are refused by name.
 */
export function decodeBase64Strict(text: string): Buffer | null {
  if (text.length % 4 !== 0 || Buffer.byteLength(text, 'utf8') !== text.length) return null;
  const data = Buffer.from(text, 'base64');
  if (data.length !== base64DecodedLength(text) || text.includes('-') || text.includes('_')) return null;
  return data;
}
