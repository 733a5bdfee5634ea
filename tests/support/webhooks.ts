import type { Source } from '../../shared/schema/types';
import { signMetaBody } from '../../shared/signature';

/**
 * Builders of webhook bodies in the shapes Meta and WASenderApi document, and of the envelopes
 * the ingestion API writes, for tests and benchmarks that need many realistic records.
 */

export const BUSINESS_ID = '102290129340398';
export const PHONE_NUMBER_ID = '106540352242922';

export interface MetaStatusSpec {
  id: string;
  status: 'sent' | 'delivered' | 'read' | 'failed' | 'played';
  timestamp: number;
  recipient: string;
  callback?: string;
}

export interface MetaTapSpec {
  id: string;
  from: string;
  timestamp: number;
  contextId: string;
  kind: 'button_reply' | 'list_reply' | 'nfm_reply' | 'quick_reply';
  buttonId: string;
  title: string;
}

function metaStatus(s: MetaStatusSpec): Record<string, unknown> {
  const status: Record<string, unknown> = {
    id: s.id,
    status: s.status,
    timestamp: String(s.timestamp),
    recipient_id: s.recipient,
  };
  if (s.status !== 'failed') {
    status.conversation = { id: 'c0e3b5f1a9d84e6c8f1b2a3d4e5f6a7b', origin: { type: 'marketing' } };
    status.pricing = { billable: true, pricing_model: 'PMP', category: 'marketing', type: 'regular' };
  } else {
    status.errors = [{ code: 131026, title: 'Message undeliverable', message: 'Message undeliverable', error_data: { details: 'Message Undeliverable.' } }];
  }
  if (s.callback !== undefined) status.biz_opaque_callback_data = s.callback;
  return status;
}

function metaTap(t: MetaTapSpec): Record<string, unknown> {
  const base = { context: { from: '15550783881', id: t.contextId }, from: t.from, id: t.id, timestamp: String(t.timestamp) };
  switch (t.kind) {
    case 'quick_reply':
      return { ...base, type: 'button', button: { payload: t.buttonId, text: t.title } };
    case 'button_reply':
      return { ...base, type: 'interactive', interactive: { type: 'button_reply', button_reply: { id: t.buttonId, title: t.title } } };
    case 'list_reply':
      return { ...base, type: 'interactive', interactive: { type: 'list_reply', list_reply: { id: t.buttonId, title: t.title, description: 'Row description' } } };
    case 'nfm_reply':
      return {
        ...base,
        type: 'interactive',
        interactive: {
          type: 'nfm_reply',
          nfm_reply: { name: 'flow', body: t.title, response_json: JSON.stringify({ flow_token: t.buttonId, rating: '5', comment: 'Great service' }) },
        },
      };
  }
}

/** A Meta webhook body with the given statuses and taps in one change. */
export function metaWebhook(opts: { statuses?: MetaStatusSpec[]; taps?: MetaTapSpec[] }): Record<string, unknown> {
  const value: Record<string, unknown> = {
    messaging_product: 'whatsapp',
    metadata: { display_phone_number: '15550783881', phone_number_id: PHONE_NUMBER_ID },
  };
  if (opts.taps?.length) {
    value.contacts = opts.taps.map((t) => ({ profile: { name: 'Customer' }, wa_id: t.from }));
    value.messages = opts.taps.map(metaTap);
  }
  if (opts.statuses?.length) value.statuses = opts.statuses.map(metaStatus);
  return { object: 'whatsapp_business_account', entry: [{ id: BUSINESS_ID, changes: [{ value, field: 'messages' }] }] };
}

interface EnvelopeSpec {
  source: Source;
  body: string | Buffer;
  signature?: string | null;
  requestId?: string;
  receivedTs: number;
  /** Twilio: the URL Twilio signed, written as the header's `url` field (base64). */
  url?: string;
}

/**
 * The record bytes the API's mapping template writes (envelope version 2, see shared/envelope.ts):
 * a JSON header padded to a multiple of 3 bytes, then the body's bytes. Written out here, not by the
 * code under test, so tests check the decoder against the documented format.
 */
export function envelopeRecordBytes(opts: EnvelopeSpec): Buffer {
  const body = Buffer.isBuffer(opts.body) ? opts.body : Buffer.from(opts.body, 'utf8');
  const sig = opts.signature ? Buffer.from(opts.signature, 'utf8').toString('base64') : '';
  let head = `{"v":2,"source":"${opts.source}","request_id":"${opts.requestId ?? 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef'}","received_ts":${opts.receivedTs},"signature":"${sig}"`;
  if (opts.url !== undefined) head += `,"url":"${Buffer.from(opts.url, 'utf8').toString('base64')}"`;
  while ((head.length + 1) % 3 !== 0) head += ' ';
  return Buffer.concat([Buffer.from(`${head}}`, 'latin1'), body]);
}

/** The envelope JSON of version 1 (records written before version 2, still read). */
export function envelopeV1Json(opts: EnvelopeSpec): string {
  const body = Buffer.isBuffer(opts.body) ? opts.body : Buffer.from(opts.body, 'utf8');
  return JSON.stringify({
    v: 1,
    source: opts.source,
    request_id: opts.requestId ?? 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
    received_ts: opts.receivedTs,
    signature: opts.signature ? Buffer.from(opts.signature, 'utf8').toString('base64') : '',
    body: body.toString('base64'),
  });
}

/** A Meta body signed with `appSecret`, wrapped in an envelope, as Firehose record data (base64). */
export function signedMetaRecordData(body: string, appSecret: string, receivedTs: number, requestId?: string): string {
  return envelopeRecordBytes({ source: 'meta', body, signature: signMetaBody(body, appSecret), receivedTs, requestId }).toString('base64');
}

/** Deterministic pseudo-random generator for building batches (mulberry32). */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A realistic mix of Meta webhook bodies: mostly status callbacks (some batched), a share of
 * taps of all four kinds. Returns body texts until about `targetBytes` of body is produced.
 */
export function realisticMetaBodies(targetBytes: number, seed = 1): string[] {
  const rand = seeded(seed);
  const bodies: string[] = [];
  const t0 = 1_763_000_000;
  let bytes = 0;
  let n = 0;
  const kinds = ['button_reply', 'list_reply', 'nfm_reply', 'quick_reply'] as const;
  const statuses = ['sent', 'delivered', 'read', 'failed'] as const;
  while (bytes < targetBytes) {
    n++;
    const user = `5511${String(900000000 + Math.floor(rand() * 99999999))}`;
    const out = `wamid.HBgNNTUxMTk${String(n).padStart(12, '0')}FQIAERgSQ0E5RkQ3MzJBMDk0RkY2MkEA`;
    let body: Record<string, unknown>;
    const roll = rand();
    if (roll < 0.25) {
      const k = kinds[Math.floor(rand() * kinds.length)]!;
      body = metaWebhook({
        taps: [{ id: `wamid.HBgNNTUxMTk${String(n).padStart(12, '0')}FQIAEhggQUFCQkNDREQ=`, from: user, timestamp: t0 + n, contextId: out, kind: k, buttonId: `btn_${Math.floor(rand() * 3)}`, title: rand() < 0.1 ? 'Sí, quiero 🎉' : 'Yes, tell me more' }],
      });
    } else {
      const count = rand() < 0.1 ? 1 + Math.floor(rand() * 20) : 1;
      const specs: MetaStatusSpec[] = [];
      for (let i = 0; i < count; i++) {
        specs.push({
          id: `${out}${i}`,
          status: statuses[Math.floor(rand() * (rand() < 0.97 ? 3 : 4))]!,
          timestamp: t0 + n,
          recipient: user,
          callback: rand() < 0.5 ? JSON.stringify({ campaign_id: 'black-friday-2026', template_name: 'bf_offer_v2' }) : undefined,
        });
      }
      body = metaWebhook({ statuses: specs });
    }
    const text = JSON.stringify(body);
    bodies.push(text);
    bytes += text.length;
  }
  return bodies;
}
