import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderTemplate } from '../../../shared/apigw/render';
import type { ApiRequest } from '../../../shared/apigw/types';
import { decodeRecordData, type Envelope } from '../../../shared/envelope';
import { signMetaBody, verifyMetaSignature, verifyWasenderSignature } from '../../../shared/signature';
import { loadTemplate } from '../../../services/ingest/routes';
import { apiRequest } from '../../shared/apigw/request';

const APP_SECRET = 'meta-app-secret-for-tests';
const STREAM = 'wa-analytics-dev-ingest';
const fixture = (path: string): Buffer => readFileSync(join(__dirname, '../../fixtures', path));

/** Renders the shared request template and returns the Firehose request and the decoded envelope. */
function put(request: ApiRequest): { firehose: { DeliveryStreamName: string; Record: { Data: string } }; envelope: Envelope; raw: unknown } {
  const firehose = JSON.parse(renderTemplate(loadTemplate('firehose-put.request.vtl'), request, { DeliveryStreamName: STREAM }));
  const raw: unknown = JSON.parse(Buffer.from(firehose.Record.Data, 'base64').toString('utf8'));
  return { firehose, envelope: decodeRecordData(firehose.Record.Data), raw };
}

describe('firehose-put.request.vtl', () => {
  it('renders exactly a PutRecord request for the configured stream', () => {
    const { firehose } = put(apiRequest({ body: '{}' }));
    expect(Object.keys(firehose)).toEqual(['DeliveryStreamName', 'Record']);
    expect(Object.keys(firehose.Record)).toEqual(['Data']);
    expect(firehose.DeliveryStreamName).toBe(STREAM);
  });

  it('wraps a Meta webhook so the body bytes and signature verify end to end', () => {
    const body = fixture('meta/unicode-titles.json');
    const signature = signMetaBody(body, APP_SECRET);
    const request = apiRequest({ resourcePath: '/webhooks/meta', headers: { 'X-Hub-Signature-256': signature, 'Content-Type': 'application/json' }, body });
    const { envelope, raw } = put(request);
    expect(raw).toEqual({
      v: 1,
      source: 'meta',
      request_id: '6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b',
      received_ts: 1_717_171_717_171,
      signature: Buffer.from(signature, 'utf8').toString('base64'),
      body: body.toString('base64'),
    });
    const received = Buffer.from(envelope.bodyB64, 'base64');
    expect(received.equals(body)).toBe(true);
    expect(envelope.signature).toBe(signature);
    expect(verifyMetaSignature(received, envelope.signature, APP_SECRET)).toBe('ok');
  });

  it('keeps accented text, emoji and VTL-looking text in the body untouched', () => {
    const body = Buffer.from('{"text":"Olá, é 🙂 🇧🇷 ✅ हाँ","vtl":"$context.requestId #set($x = 1) ${DeliveryStreamName}","q":"\\"\\\\\\n"}\r\n', 'utf8');
    const { envelope } = put(apiRequest({ headers: { 'x-hub-signature-256': signMetaBody(body, APP_SECRET) }, body }));
    expect(Buffer.from(envelope.bodyB64, 'base64').equals(body)).toBe(true);
    expect(verifyMetaSignature(Buffer.from(envelope.bodyB64, 'base64'), envelope.signature, APP_SECRET)).toBe('ok');
  });

  it('finds the Meta signature whatever the header-name case', () => {
    for (const name of ['X-Hub-Signature-256', 'x-hub-signature-256', 'X-HUB-SIGNATURE-256']) {
      expect(put(apiRequest({ headers: { [name]: 'sha256=00' }, body: '{}' })).envelope.signature).toBe('sha256=00');
    }
  });

  it('wraps a WASenderApi webhook with its X-Webhook-Signature', () => {
    const body = fixture('wasender/messages-upsert-button-reply.json');
    const request = apiRequest({ resourcePath: '/webhooks/wasender', path: '/local/webhooks/wasender', headers: { 'x-webhook-signature': 'whsec-ünïcode-🙂' }, body });
    const { envelope } = put(request);
    expect(envelope.source).toBe('wasender');
    expect(Buffer.from(envelope.bodyB64, 'base64').equals(body)).toBe(true);
    expect(envelope.signature).toBe('whsec-ünïcode-🙂');
    expect(verifyWasenderSignature(envelope.signature, 'whsec-ünïcode-🙂')).toBe('ok');
  });

  it('wraps a registry send with no signature, even if a signature header is present', () => {
    const body = fixture('registry/send-single.json');
    const request = apiRequest({ resourcePath: '/sends', path: '/local/sends', headers: { 'X-Hub-Signature-256': 'sha256=ff' }, body });
    const { envelope, raw } = put(request);
    expect(envelope.source).toBe('registry');
    expect(envelope.signature).toBeNull();
    expect((raw as { signature: string }).signature).toBe('');
    expect(Buffer.from(envelope.bodyB64, 'base64').equals(body)).toBe(true);
  });

  it('records a missing signature header as absent', () => {
    expect(put(apiRequest({ body: '{}' })).envelope.signature).toBeNull();
  });

  it('still yields a parseable envelope for a hostile signature header', () => {
    const hostile = 'sha256="}\n{"v":2,\\"x\\"\r\n\'single\' \\ $context.requestId #end ${X}';
    const body = Buffer.from('{"entry":[]}');
    const { envelope } = put(apiRequest({ headers: { 'X-Hub-Signature-256': hostile }, body }));
    expect(envelope.source).toBe('meta');
    expect(envelope.signature).toBe(hostile);
    expect(Buffer.from(envelope.bodyB64, 'base64').equals(body)).toBe(true);
    expect(verifyMetaSignature(body, envelope.signature, APP_SECRET)).toBe('bad');
  });

  it('gives an empty body an empty body field rather than failing', () => {
    const { raw } = put(apiRequest({ body: Buffer.alloc(0) }));
    expect((raw as { body: string }).body).toBe('');
  });

  it('leaves the source empty for a path that is not a route, so the record is rejected downstream', () => {
    const text = renderTemplate(loadTemplate('firehose-put.request.vtl'), apiRequest({ resourcePath: '/elsewhere', body: '{}' }), { DeliveryStreamName: STREAM });
    const firehose = JSON.parse(text);
    const raw = JSON.parse(Buffer.from(firehose.Record.Data, 'base64').toString('utf8'));
    expect(raw.source).toBe('');
    expect(() => decodeRecordData(firehose.Record.Data)).toThrow('unknown source');
  });
});
