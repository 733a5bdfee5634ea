import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderTemplate } from '../../../shared/apigw/render';
import type { ApiRequest } from '../../../shared/apigw/types';
import { decodeRecordData } from '../../../shared/envelope';
import { InputError } from '../../../shared/errors';
import { signMetaBody } from '../../../shared/signature';
import { envelopeRecord } from '../../../cli/ops/envelope';

// Read from disk here, not through the code under test: the test renders the API's own files.
const template = readFileSync(join(__dirname, '../../../services/ingest/templates/firehose-put.request.vtl'), 'utf8');
const twilioTemplate = readFileSync(join(__dirname, '../../../services/ingest/templates/twilio-put.request.vtl'), 'utf8');

/**
 * What API Gateway renders for a request as a sender makes it, on a real stage: an
 * application/json body is a binary media type there, handed to the template as base64
 * (contentHandling CONVERT_TO_TEXT).
 */
function apiGatewayRecordData(
  request: Partial<ApiRequest> & Pick<ApiRequest, 'resourcePath' | 'headers' | 'requestId' | 'requestTimeEpoch'> & { body: Buffer },
  twilioBaseUrl?: string,
): Buffer {
  const full: ApiRequest = { method: 'POST', path: `/prod${request.resourcePath}`, query: {}, stage: 'prod', sourceIp: '173.252.127.1', userAgent: 'facebookexternalua', ...request, body: request.body.toString('base64') };
  const text = twilioBaseUrl === undefined ? template : twilioTemplate;
  const rendered = JSON.parse(renderTemplate(text, full, { DeliveryStreamName: 'wa-analytics-prod-raw', TwilioBaseUrl: twilioBaseUrl ?? '' })) as { Record: { Data: string } };
  return Buffer.from(rendered.Record.Data, 'base64');
}

const T = 1_718_000_000_123;
const metaBody = Buffer.from(JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: '1', changes: [{ value: { note: 'Sí 🎉 "quoted" \\ back\nslash' }, field: 'messages' }] }] }), 'utf8');

describe('ops envelope', () => {
  it('is byte-for-byte the record the API template writes for a signed Meta body', () => {
    const signature = signMetaBody(metaBody, 'app-secret');
    const ours = envelopeRecord({ source: 'meta', body: metaBody, signature, requestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef', receivedTs: T });
    const api = apiGatewayRecordData({ resourcePath: '/webhooks/meta', headers: { 'X-Hub-Signature-256': signature, 'Content-Type': 'application/json' }, body: metaBody, requestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef', requestTimeEpoch: T });
    expect(ours.equals(api)).toBe(true);
    expect(decodeRecordData(ours.toString('base64'))).toEqual({ source: 'meta', body: metaBody, signature, requestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef', receivedTs: T });
  });

  it('matches the template for a WASenderApi body sent with a lower-case header (HTTP/2) and for a registry send', () => {
    const wasender = Buffer.from('{"event":"messages.upsert","timestamp":1718000000}');
    expect(
      envelopeRecord({ source: 'wasender', body: wasender, signature: 'wh-secret', requestId: 'r-2', receivedTs: T }).equals(
        apiGatewayRecordData({ resourcePath: '/webhooks/wasender', headers: { 'x-webhook-signature': 'wh-secret' }, body: wasender, requestId: 'r-2', requestTimeEpoch: T }),
      ),
    ).toBe(true);
    const send = Buffer.from('{"wamid":"wamid.S1","sent_at":"2024-06-10T06:13:20Z"}');
    expect(
      envelopeRecord({ source: 'registry', body: send, signature: null, requestId: 'r-3', receivedTs: T }).equals(
        apiGatewayRecordData({ resourcePath: '/sends', headers: { Authorization: 'AWS4-HMAC-SHA256 Credential=…' }, body: send, requestId: 'r-3', requestTimeEpoch: T }),
      ),
    ).toBe(true);
  });

  it('matches the template for posted conversions, routed to /conversions with no signature', () => {
    const conversions = Buffer.from('[{"conversion_id":"ord-1","wa_id":"+1 555-123-0001","name":"purchase","occurred_at":"2024-06-10T06:13:20Z","value":9.5,"currency":"EUR"}]');
    const ours = envelopeRecord({ source: 'conversions', body: conversions, signature: null, requestId: 'r-6', receivedTs: T });
    const api = apiGatewayRecordData({ resourcePath: '/conversions', headers: { Authorization: 'AWS4-HMAC-SHA256 Credential=…', 'X-Amz-Date': '20240610T061320Z' }, body: conversions, requestId: 'r-6', requestTimeEpoch: T });
    expect(ours.equals(api)).toBe(true);
    expect(decodeRecordData(ours.toString('base64'))).toEqual({ source: 'conversions', body: conversions, signature: null, requestId: 'r-6', receivedTs: T });
  });

  it('leaves the signature empty when the body came without one, as the API does', () => {
    const ours = envelopeRecord({ source: 'meta', body: metaBody, signature: null, requestId: 'r-4', receivedTs: T });
    expect(ours.equals(apiGatewayRecordData({ resourcePath: '/webhooks/meta', headers: {}, body: metaBody, requestId: 'r-4', requestTimeEpoch: T }))).toBe(true);
    expect(decodeRecordData(ours.toString('base64')).signature).toBeNull();
  });

  it('carries a body that is not UTF-8 byte for byte, as the API does', () => {
    const bytes = Buffer.from([0x7b, 0xff, 0xfe, 0x7d]);
    const ours = envelopeRecord({ source: 'meta', body: bytes, signature: null, requestId: 'r-5', receivedTs: T });
    expect(ours.equals(apiGatewayRecordData({ resourcePath: '/webhooks/meta', headers: {}, body: bytes, requestId: 'r-5', requestTimeEpoch: T }))).toBe(true);
    expect(decodeRecordData(ours.toString('base64')).body.equals(bytes)).toBe(true);
  });

  describe('for Twilio', () => {
    const form = Buffer.from('MessageSid=SM1f0e&MessageStatus=read&To=whatsapp%3A%2B15551234567');
    const base = 'https://hooks.example.com/wa';

    it('is byte-for-byte the record the Twilio template writes for the URL Twilio signed, query string included', () => {
      const url = `${base}/webhooks/twilio/status?tenant=acme&c=spring+sale`;
      const ours = envelopeRecord({ source: 'twilio', body: form, signature: 'c2ln', requestId: 'r-7', receivedTs: T, url });
      const api = apiGatewayRecordData(
        { resourcePath: '/webhooks/twilio/status', headers: { 'X-Twilio-Signature': 'c2ln', 'Content-Type': 'application/x-www-form-urlencoded' }, query: { tenant: 'acme', c: 'spring sale' }, body: form, requestId: 'r-7', requestTimeEpoch: T },
        base,
      );
      expect(ours.equals(api)).toBe(true);
      expect(decodeRecordData(ours.toString('base64'))).toEqual({ source: 'twilio', body: form, signature: 'c2ln', requestId: 'r-7', receivedTs: T, url });
    });

    it('picks the inbound route for an inbound URL', () => {
      const url = `${base}/webhooks/twilio`;
      expect(decodeRecordData(envelopeRecord({ source: 'twilio', body: form, signature: null, requestId: 'r-8', receivedTs: T, url }).toString('base64')).url).toBe(url);
    });

    it('records no url when it is not known, so a stage checking signatures says why it quarantines', () => {
      const envelope = decodeRecordData(envelopeRecord({ source: 'twilio', body: form, signature: 'c2ln', requestId: 'r-9', receivedTs: T }).toString('base64'));
      expect(envelope.source).toBe('twilio');
      expect(envelope.url).toBeUndefined();
      expect(envelope.body.equals(form)).toBe(true);
    });

    it('refuses a URL the API could not have recorded: another path, or a query string written otherwise', () => {
      expect(() => envelopeRecord({ source: 'twilio', body: form, signature: null, requestId: 'r', receivedTs: T, url: `${base}/hooks/in` })).toThrow(InputError);
      expect(() => envelopeRecord({ source: 'twilio', body: form, signature: null, requestId: 'r', receivedTs: T, url: `${base}/webhooks/twilio?c=spring%20sale` })).toThrow(
        /would be recorded as https:\/\/hooks\.example\.com\/wa\/webhooks\/twilio\?c=spring\+sale/,
      );
    });
  });
});
