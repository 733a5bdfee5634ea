import { createHmac, timingSafeEqual } from 'node:crypto';

export type Verdict = 'ok' | 'missing' | 'bad';

const META_SIG_RE = /^sha256=([0-9a-fA-F]{64})$/;

/**
 * Meta's rule: `X-Hub-Signature-256: sha256=<hex>` is HMAC-SHA256 of the exact raw body bytes
 * with the app secret. The header's format and length are checked before a constant-time compare.
 */
export function verifyMetaSignature(body: Buffer, header: string | null, appSecret: string): Verdict {
  if (header === null || header === '') return 'missing';
  const m = META_SIG_RE.exec(header.trim());
  if (!m) return 'bad';
  const expected = createHmac('sha256', appSecret).update(body).digest();
  const given = Buffer.from(m[1]!, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected) ? 'ok' : 'bad';
}

/** The `X-Hub-Signature-256` value Meta would send for `body`. */
export function signMetaBody(body: Buffer | string, appSecret: string): string {
  return `sha256=${createHmac('sha256', appSecret).update(body).digest('hex')}`;
}

/**
 * WASenderApi's rule: the `X-Webhook-Signature` header equals the webhook secret. Both sides are
 * hashed first so the constant-time compare works on equal lengths without leaking the length.
 */
export function verifyWasenderSignature(header: string | null, secret: string): Verdict {
  if (header === null || header === '') return 'missing';
  const a = createHmac('sha256', 'wasender').update(header).digest();
  const b = createHmac('sha256', 'wasender').update(secret).digest();
  return timingSafeEqual(a, b) ? 'ok' : 'bad';
}
