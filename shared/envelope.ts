import { EnvelopeError } from './errors';
import type { Source } from './schema/types';

/**
 * What the ingestion API's mapping templates put in each Firehose record (JSON, one object):
 * `{"v":1,"source":"meta","request_id":"…","received_ts":1700000000000,"signature":"<b64>","body":"<b64>"}`.
 * Body and signature header are base64 so that any bytes (and any hostile header) survive
 * the template untouched.
 */
export interface Envelope {
  readonly source: Source;
  /** The raw request body as base64, exactly as received. */
  readonly bodyB64: string;
  /** The signature header as received, or null when absent. */
  readonly signature: string | null;
  readonly requestId: string | null;
  readonly receivedTs: number;
}

const sources: readonly string[] = ['meta', 'wasender', 'registry'];
const B64_RE = /^[A-Za-z0-9+/]*={0,2}$/;

/** Parses the JSON text of an envelope; throws EnvelopeError when it is not one. */
export function parseEnvelope(text: string): Envelope {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (cause) {
    throw new EnvelopeError('record is not JSON', { cause });
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new EnvelopeError('record is not a JSON object');
  const o = raw as Record<string, unknown>;
  if (o.v !== 1) throw new EnvelopeError('unknown envelope version');
  if (typeof o.source !== 'string' || !sources.includes(o.source)) throw new EnvelopeError('unknown source');
  if (typeof o.body !== 'string' || o.body.length % 4 !== 0 || !B64_RE.test(o.body)) throw new EnvelopeError('body is not base64');
  if (typeof o.received_ts !== 'number' || !Number.isSafeInteger(o.received_ts) || o.received_ts <= 0) {
    throw new EnvelopeError('received_ts is not epoch milliseconds');
  }
  let signature: string | null = null;
  if (o.signature !== undefined && o.signature !== null && o.signature !== '') {
    if (typeof o.signature !== 'string' || !B64_RE.test(o.signature)) throw new EnvelopeError('signature is not base64');
    signature = Buffer.from(o.signature, 'base64').toString('utf8');
  }
  const requestId = typeof o.request_id === 'string' && o.request_id !== '' ? o.request_id : null;
  return { source: o.source as Source, bodyB64: o.body, signature, requestId, receivedTs: o.received_ts };
}

/** Decodes one Firehose record's `data` (base64) into an envelope. */
export function decodeRecordData(data: string): Envelope {
  return parseEnvelope(Buffer.from(data, 'base64').toString('utf8'));
}
