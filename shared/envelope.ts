import { decodeBase64Strict, isBase64Text } from './base64';
import { EnvelopeError } from './errors';
import { sources, type Source } from './schema/types';

/**
 * What the ingestion API's mapping template (services/ingest/templates/firehose-put.request.vtl)
 * puts in each Firehose record. Version 2, written today: a JSON header object immediately
 * followed by the request body's bytes, untouched, so the body travels once and any bytes survive:
 *   `{"v":2,"source":"meta","request_id":"…","received_ts":1700000000000,"signature":"<b64>"}<body>`
 * (a Twilio record's header also holds `"url":"<b64>"`, the URL Twilio signed; see Envelope.url)
 * (the header may hold spaces before its `}`: the template pads it to a multiple of 3 bytes).
 * Version 1, still read (records in flight in Firehose when a stage is updated, quarantine kept
 * for requeue): one JSON object whose `body` field holds the body as base64.
 */
export interface Envelope {
  readonly source: Source;
  /** The raw request body, exactly as received. */
  readonly body: Buffer;
  /** The signature header as received, or null when absent. */
  readonly signature: string | null;
  readonly requestId: string | null;
  readonly receivedTs: number;
  /**
   * The full URL the sender requested (scheme, host, path and raw query string), when the route
   * records it: Twilio signs that URL, so its records need it to be verified. The header's `url`
   * field holds it as base64 (like `signature`: no JSON escaping in the template); absent or null
   * for the other sources.
   */
  readonly url?: string | null;
}

/** The envelope version the request template writes. */
export const ENVELOPE_VERSION = 2;

/**
 * The length of the JSON object at the start of `data` (through its closing brace), or -1 when
 * it does not close. Strings are skipped with their escapes, so a brace inside one does not end
 * the object; neither version's header holds nested objects.
 */
function headerLength(data: Buffer): number {
  if (data[0] !== 0x7b /* { */) return -1;
  const end = data.length;
  let inString = false;
  for (let i = 1; i < end; i++) {
    const c = data[i]!;
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7d /* } */) return i + 1;
  }
  return -1;
}

function parseObject(text: string): Record<string, unknown> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (cause) {
    throw new EnvelopeError('record is not an envelope: its header is not JSON', { cause });
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new EnvelopeError('record is not a JSON object');
  return raw as Record<string, unknown>;
}

/** The fields both versions share, checked. */
function common(o: Record<string, unknown>, body: Buffer): Envelope {
  if (typeof o.source !== 'string' || !(sources as readonly string[]).includes(o.source)) throw new EnvelopeError('unknown source');
  if (typeof o.received_ts !== 'number' || !Number.isSafeInteger(o.received_ts) || o.received_ts <= 0) {
    throw new EnvelopeError('received_ts is not epoch milliseconds');
  }
  let signature: string | null = null;
  if (o.signature !== undefined && o.signature !== null && o.signature !== '') {
    if (typeof o.signature !== 'string' || !isBase64Text(o.signature)) throw new EnvelopeError('signature is not base64');
    signature = Buffer.from(o.signature, 'base64').toString('utf8');
  }
  const requestId = typeof o.request_id === 'string' && o.request_id !== '' ? o.request_id : null;
  let url: string | null = null;
  if (o.url !== undefined && o.url !== null && o.url !== '') {
    if (typeof o.url !== 'string' || !isBase64Text(o.url)) throw new EnvelopeError('url is not base64');
    url = Buffer.from(o.url, 'base64').toString('utf8');
  }
  const envelope: Envelope = { source: o.source as Source, body, signature, requestId, receivedTs: o.received_ts };
  // Only when present, so the envelopes of the other sources keep their shape.
  return url === null ? envelope : { ...envelope, url };
}

/** Reads one record's bytes (Firehose `data`, base64-decoded) as an envelope; throws EnvelopeError when it is not one. */
export function parseEnvelope(data: Buffer): Envelope {
  const n = headerLength(data);
  if (n < 0) throw new EnvelopeError('record is not an envelope: no JSON header');
  const head = parseObject(data.toString('latin1', 0, n));
  if (head.v === ENVELOPE_VERSION) return common(head, data.subarray(n));
  if (head.v !== 1) throw new EnvelopeError('unknown envelope version');
  // Version 1 is the whole record; its header scan ended at the closing brace of the only object.
  if (data.subarray(n).toString('latin1').trim() !== '') throw new EnvelopeError('version 1 envelope followed by other bytes');
  const b = head.body;
  const body = typeof b === 'string' ? decodeBase64Strict(b) : null;
  if (body === null) throw new EnvelopeError('body is not base64');
  return common(head, body);
}

/** Decodes one Firehose record's `data` (base64) into an envelope. */
export function decodeRecordData(data: string): Envelope {
  return parseEnvelope(Buffer.from(data, 'base64'));
}
