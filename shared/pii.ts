import { createHmac } from 'node:crypto';

export const piiModes = ['hash', 'raw'] as const;
export type PiiMode = (typeof piiModes)[number];

/** Maps a user's phone number to what is stored in `wa_id`. */
export type Pseudonymizer = (waId: string) => string;

/**
 * Keyed HMAC-SHA256 (hex) of the user id, or the id itself in `raw` mode. The same user shows up
 * in many rows of a batch, so results are memoised in a bounded map.
 */
export function createPseudonymizer(mode: PiiMode, key: string | Buffer | undefined): Pseudonymizer {
  if (mode === 'raw') return (waId) => waId;
  if (key === undefined || key.length === 0) throw new Error('a PII key is required in hash mode');
  const cache = new Map<string, string>();
  return (waId) => {
    let hashed = cache.get(waId);
    if (hashed === undefined) {
      hashed = createHmac('sha256', key).update(waId, 'utf8').digest('hex');
      if (cache.size >= 10_000) cache.clear();
      cache.set(waId, hashed);
    }
    return hashed;
  };
}
