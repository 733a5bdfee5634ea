import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderTemplate } from '../../../shared/apigw/render';
import type { ApiRequest } from '../../../shared/apigw/types';
import { FIREHOSE_MAX_RECORD_BYTES } from '../../../shared/apigw/firehose';
import { decodeRecordData, type Envelope } from '../../../shared/envelope';
import { signMetaBody, verifyMetaSignature, verifyWasenderSignature } from '../../../shared/signature';
import { integrationPayload, loadTemplate, routes } from '../../../services/ingest/routes';
import { putRecordLocally } from '../../../local/firehose-put';
import { apiRequest } from '../../shared/apigw/request';

const APP_SECRET = 'meta-app-secret-for-tests';
const STREAM = 'wa-analytics-dev-ingest';
const fixture = (path: string): Buffer => readFileSync(join(__dirname, '../../fixtures', path));
const metaRoute = routes.find((r) => r.id === 'MetaWebhookPost')!;

interface Rendered {
  firehose: { DeliveryStreamName: string; Record: { Data: string } };
  envelope: Envelope;
  /** Record.Data decoded: the record's bytes. */
  data: Buffer;
  /** The record's JSON header, parsed. */
  header: Record<string, unknown>;
}

/**
 * Renders the shared request template for a method request whose body is the raw bytes, handing
 * the template the payload API Gateway would (base64 for an application/json body), and decodes
 * the record.
 */
function put(overrides: Partial<ApiRequest> & { body: Buffer | string }, contentType: string | undefined = 'application/json'): Rendered {
  const raw = typeof overrides.body === 'string' ? Buffer.from(overrides.body, 'utf8') : overrides.body;
  const request = apiRequest({ ...overrides, body: integrationPayload(metaRoute, raw, contentType) });
  const firehose = JSON.parse(renderTemplate(loadTemplate('firehose-put.request.vtl'), request, { DeliveryStreamName: STREAM }));
  const data = Buffer.from(firehose.Record.Data, 'base64');
  const end = data.indexOf('}') + 1;
  return { firehose, envelope: decodeRecordData(firehose.Record.Data), data, header: JSON.parse(data.toString('latin1', 0, end)) };
}

describe('firehose-put.request.vtl', () => {
  it('renders exactly a PutRecord request for the configured stream', () => {
    const { firehose } = put({ body: '{}' });
    expect(Object.keys(firehose)).toEqual(['DeliveryStreamName', 'Record']);
    expect(Object.keys(firehose.Record)).toEqual(['Data']);
    expect(firehose.DeliveryStreamName).toBe(STREAM);
  });

  it('writes a version-2 record: the JSON header, then the body bytes once', () => {
    const body = fixture('meta/unicode-titles.json');
    const signature = signMetaBody(body, APP_SECRET);
    const { envelope, data, header } = put({ resourcePath: '/webhooks/meta', headers: { 'X-Hub-Signature-256': signature, 'Content-Type': 'application/json' }, body });
    expect(header).toEqual({
      v: 2,
      source: 'meta',
      request_id: '6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b',
      received_ts: 1_717_171_717_171,
      signature: Buffer.from(signature, 'utf8').toString('base64'),
    });
    const headerBytes = data.indexOf('}') + 1;
    // Padded so that base64(header) + base64(body) is one valid base64 string.
    expect(headerBytes % 3).toBe(0);
    expect(data.subarray(headerBytes).equals(body)).toBe(true);
    expect(data.length).toBe(headerBytes + body.length);
    expect(envelope.body.equals(body)).toBe(true);
    expect(envelope.signature).toBe(signature);
    expect(verifyMetaSignature(envelope.body, envelope.signature, APP_SECRET)).toBe('ok');
  });

  it('pads the header to a multiple of 3 bytes whatever the lengths of its fields', () => {
    for (const requestId of ['a', 'ab', 'abc', 'abcd']) {
      for (const sig of ['', 'x', 'xy', 'xyz']) {
        const body = Buffer.from(`{"n":"${requestId}${sig}"}`);
        const { data, envelope } = put({ requestId, headers: sig === '' ? {} : { 'X-Hub-Signature-256': sig }, body });
        expect((data.indexOf('}') + 1) % 3).toBe(0);
        expect(envelope.requestId).toBe(requestId);
        expect(envelope.signature).toBe(sig === '' ? null : sig);
        expect(envelope.body.equals(body)).toBe(true);
      }
    }
  });

  it('keeps accented text, emoji and VTL-looking text in the body untouched', () => {
    const body = Buffer.from('{"text":"Olá, é 🙂 🇧🇷 ✅ हाँ","vtl":"$context.requestId #set($x = 1) ${DeliveryStreamName}","q":"\\"\\\\\\n"}\r\n', 'utf8');
    const { envelope } = put({ headers: { 'x-hub-signature-256': signMetaBody(body, APP_SECRET) }, body });
    expect(envelope.body.equals(body)).toBe(true);
    expect(verifyMetaSignature(envelope.body, envelope.signature, APP_SECRET)).toBe('ok');
  });

  it('carries bytes that are not UTF-8 (and gzip bytes) exactly, so their signature still verifies', () => {
    const notUtf8 = Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0xc3, 0x28, 0x22, 0x7d]);
    const gzip = Buffer.from('1f8b0800000000000003ab56ca48cd2cc9c84f55b252cacf4e55aa0500d0e0f1e511000000', 'hex');
    for (const body of [notUtf8, gzip]) {
      const { envelope } = put({ headers: { 'X-Hub-Signature-256': signMetaBody(body, APP_SECRET) }, body });
      expect(envelope.body.equals(body)).toBe(true);
      expect(verifyMetaSignature(envelope.body, envelope.signature, APP_SECRET)).toBe('ok');
    }
  });

  it('stores a body of 1,000 KiB less the header in one record, within Firehose’s limit', () => {
    const header = put({ body: '' }).data.length;
    const body = Buffer.alloc(FIREHOSE_MAX_RECORD_BYTES - header, 0x20);
    const { data, envelope } = put({ body });
    expect(data.length).toBe(FIREHOSE_MAX_RECORD_BYTES);
    expect(envelope.body.length).toBe(body.length);
    expect(body.length).toBeGreaterThan(990 * 1024);
  });

  it('finds the Meta signature whatever the header-name case', () => {
    for (const name of ['X-Hub-Signature-256', 'x-hub-signature-256', 'X-HUB-SIGNATURE-256']) {
      expect(put({ headers: { [name]: 'sha256=00' }, body: '{}' }).envelope.signature).toBe('sha256=00');
    }
  });

  it('wraps a WASenderApi webhook with its X-Webhook-Signature', () => {
    const body = fixture('wasender/messages-upsert-button-reply.json');
    const { envelope } = put({ resourcePath: '/webhooks/wasender', path: '/local/webhooks/wasender', headers: { 'x-webhook-signature': 'whsec-ünïcode-🙂' }, body });
    expect(envelope.source).toBe('wasender');
    expect(envelope.body.equals(body)).toBe(true);
    expect(envelope.signature).toBe('whsec-ünïcode-🙂');
    expect(verifyWasenderSignature(envelope.signature, 'whsec-ünïcode-🙂')).toBe('ok');
  });

  it('wraps a registry send with no signature, even if a signature header is present', () => {
    const body = fixture('registry/send-single.json');
    const { envelope, header } = put({ resourcePath: '/sends', path: '/local/sends', headers: { 'X-Hub-Signature-256': 'sha256=ff' }, body });
    expect(envelope.source).toBe('registry');
    expect(envelope.signature).toBeNull();
    expect(header.signature).toBe('');
    expect(envelope.body.equals(body)).toBe(true);
  });

  it('wraps posted conversions as source conversions with no signature, whatever headers came', () => {
    const body = fixture('conversions/partly-broken.json');
    const { envelope, header } = put({ resourcePath: '/conversions', path: '/local/conversions', headers: { 'X-Hub-Signature-256': 'sha256=ff', 'X-Webhook-Signature': 's' }, body });
    expect(header).toMatchObject({ v: 2, source: 'conversions', signature: '' });
    expect(envelope.source).toBe('conversions');
    expect(envelope.signature).toBeNull();
    expect(envelope.body.equals(body)).toBe(true);
  });

  it('records a missing signature header as absent', () => {
    expect(put({ body: '{}' }).envelope.signature).toBeNull();
  });

  it('still yields a parseable envelope for a hostile signature header', () => {
    const hostile = 'sha256="}\n{"v":2,\\"x\\"\r\n\'single\' \\ $context.requestId #end ${X}';
    const body = Buffer.from('{"entry":[]}');
    const { envelope } = put({ headers: { 'X-Hub-Signature-256': hostile }, body });
    expect(envelope.source).toBe('meta');
    expect(envelope.signature).toBe(hostile);
    expect(envelope.body.equals(body)).toBe(true);
    expect(verifyMetaSignature(body, envelope.signature, APP_SECRET)).toBe('bad');
  });

  it('gives an empty body an empty envelope body rather than failing', () => {
    expect(put({ body: Buffer.alloc(0) }).envelope.body.length).toBe(0);
  });

  it('renders a request Firehose refuses for a body API Gateway hands over as text, never a wrong record', async () => {
    // No Content-Type: API Gateway picks the application/json template but reads the body as
    // text, not as a binary media type; Firehose then answers SerializationException (a 500).
    const raw = Buffer.from('{"entry":[]}');
    const request = apiRequest({ body: integrationPayload(metaRoute, raw, undefined) });
    const rendered = renderTemplate(loadTemplate('firehose-put.request.vtl'), request, { DeliveryStreamName: STREAM });
    const stored: Buffer[] = [];
    const answer = await putRecordLocally(rendered, STREAM, { put: async (d) => void stored.push(d) }, 1, () => undefined);
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body).__type).toBe('SerializationException');
    expect(stored).toEqual([]);
  });

  it('leaves the source empty for a path that is not a route, so the record is rejected downstream', () => {
    const { firehose, header } = (() => {
      const request = apiRequest({ resourcePath: '/elsewhere', body: integrationPayload(metaRoute, Buffer.from('{}'), 'application/json') });
      const f = JSON.parse(renderTemplate(loadTemplate('firehose-put.request.vtl'), request, { DeliveryStreamName: STREAM }));
      const d = Buffer.from(f.Record.Data, 'base64');
      return { firehose: f, header: JSON.parse(d.toString('latin1', 0, d.indexOf('}') + 1)) };
    })();
    expect(header.source).toBe('');
    expect(() => decodeRecordData(firehose.Record.Data)).toThrow('unknown source');
  });
});
