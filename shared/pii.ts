import { createHmac, createSecretKey } from 'node:crypto';

import { ConfigError } from './errors';

export const piiModes = ['hash', 'raw'] as const;
export type PiiMode = (typeof piiModes)[number];

/**
 * `value` as a PII mode, or a ConfigError naming where it came from (`WA_PII`, a stack output):
 * the one check of the mode, for the local config, the transform's and a stage's outputs.
 */
export function parsePiiMode(value: string, from: string): PiiMode {
  if (!(piiModes as readonly string[]).includes(value)) throw new ConfigError(`${from} must be one of ${piiModes.join(', ')} (got "${value}")`);
  return value as PiiMode;
}

/**
 * Maps a personal value (a user's phone number, a message id that embeds one, a Flow answer) to
 * what is stored: its keyed HMAC in `hash` mode, the value itself in `raw` mode. `mode` says
 * which, so code that rewrites whole fields (see pseudonymizeRow) can skip work in raw mode.
 */
export interface Pseudonymizer {
  (value: string): string;
  readonly mode: PiiMode;
}

/**
 * Keyed HMAC-SHA256 (lowercase hex) of the value, or the value itself in `raw` mode. The same
 * user and message show up in many rows of a batch, so results are memoised in a bounded map.
 */
export function createPseudonymizer(mode: PiiMode, key: string | Buffer | undefined): Pseudonymizer {
  if (mode === 'raw') return Object.assign((value: string) => value, { mode });
  if (key === undefined || key.length === 0) throw new Error('a PII key is required in hash mode');
  // A KeyObject made once: createHmac with a string key converts it on every call (about 40% of
  // the cost of one HMAC, and hash mode makes two or three per row). Same bytes, same digest.
  const secret = createSecretKey(typeof key === 'string' ? Buffer.from(key, 'utf8') : key);
  const cache = new Map<string, string>();
  const hash = (value: string) => {
    let hashed = cache.get(value);
    if (hashed === undefined) {
      hashed = createHmac('sha256', secret).update(value, 'utf8').digest('hex');
      if (cache.size >= 10_000) cache.clear();
      cache.set(value, hashed);
    }
    return hashed;
  };
  return Object.assign(hash, { mode });
}

const PHONE_RE = /^\+?[\d\s().-]+$/;
const NOT_DIGIT_RE = /\D/g;

/**
 * A user id as WhatsApp writes it: a phone number typed with `+`, spaces, dots, dashes or
 * parentheses becomes its digits (`+1 555-123-4567` → `15551234567`, as Meta's `from` and
 * `recipient_id` carry it); anything else (a business-scoped user id, a wamid) is kept as is.
 * The registry applies it before pseudonymizing, and so does `wa-analytics pseudonymize`.
 */
export function canonicalUserId(value: string): string {
  if (!PHONE_RE.test(value)) return value;
  const digits = value.replace(NOT_DIGIT_RE, '');
  return digits === '' ? value : digits;
}
