import { createHash, createHmac } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FirehoseTransformationEvent } from 'aws-lambda';
import { renderResponseTemplate, renderTemplate } from '../../../shared/apigw/render';
import type { ApiRequest } from '../../../shared/apigw/types';
import { decodeRecordData, type Envelope } from '../../../shared/envelope';
import { createPseudonymizer } from '../../../shared/pii';
import type { FlatRow } from '../../../shared/schema/types';
import { createTransform } from '../../../services/transform/handler';
import { findRoute, integrationPayload, loadTemplate } from '../../../services/ingest/routes';
import { rowsOfData } from '../../support/rows';
import { apiRequest } from '../../shared/apigw/request';

/*
 * The Twilio routes' request template rendered through shared/apigw as API Gateway would, and the
 * record it writes verified end to end by the transform. Expected signatures are computed here
 * with node:crypto over the signed text written out (URL, then names and values sorted), not
 * through shared/twilio-signature.
 */

const TOKEN = 'twilio-auth-token-for-tests';
const STREAM = 'wa-analytics-prod-raw';
const BASE = 'https://abc123defg.execute-api.eu-west-1.amazonaws.com/prod';
const T = 1_718_000_000_123;
const FORM = 'application/x-www-form-urlencoded';
const fixtures = join(__dirname, '../../fixtures/twilio');
const fixture = (name: string): Buffer => readFileSync(join(fixtures, name));
const inbound = findRoute('POST', '/webhooks/twilio')!;

/** The oracle: Twilio's signature of a form body, from the form's decoded pairs sorted by name, then value. */
function twilioOracle(url: string, body: Buffer): string {
  const pairs = [...new URLSearchParams(body.toString('utf8'))].sort(([a, av], [b, bv]) => (a === b ? (av < bv ? -1 : av > bv ? 1 : 0) : a < b ? -1 : 1));
  return createHmac('sha1', TOKEN).update(url + pairs.map(([n, v]) => n + v).join(''), 'utf8').digest('base64');
}

interface Put {
  envelope: Envelope;
  data: Buffer;
  header: Record<string, unknown>;
  /** Record.Data as the template rendered it (what Firehose gets). */
  recordData: string;
}

/** Renders the route's template for a method request (the body as API Gateway hands it: base64 for a form). */
function put(overrides: Partial<ApiRequest> & { body: Buffer }, base = BASE, contentType = FORM): Put {
  const route = findRoute('POST', overrides.resourcePath ?? '/webhooks/twilio') ?? inbound;
  const request = apiRequest({ resourcePath: '/webhooks/twilio', path: '/prod/webhooks/twilio', stage: 'prod', ...overrides, body: integrationPayload(route, overrides.body, contentType) });
  const firehose = JSON.parse(renderTemplate(loadTemplate(route.requestTemplate), request, { DeliveryStreamName: STREAM, TwilioBaseUrl: base }));
  expect(firehose.DeliveryStreamName).toBe(STREAM);
  const data = Buffer.from(firehose.Record.Data, 'base64');
  return { envelope: decodeRecordData(firehose.Record.Data), data, header: JSON.parse(data.toString('latin1', 0, data.indexOf('}') + 1)), recordData: firehose.Record.Data };
}

const transform = createTransform({ metaAppSecret: null, wasenderSecret: null, twilioAuthToken: TOKEN, timeZone: 'UTC', pseudonymize: createPseudonymizer('raw', undefined) });

/** The transform's rows for one record, as the Lambda makes them. */
async function rowsOf(recordData: string): Promise<FlatRow[]> {
  const event: FirehoseTransformationEvent = {
    invocationId: 'i',
    deliveryStreamArn: 'arn:aws:firehose:eu-west-1:123456789012:deliverystream/s',
    region: 'eu-west-1',
    records: [{ recordId: 'r1', approximateArrivalTimestamp: T, data: recordData }],
  };
  const [record] = (await transform(event)).records;
  expect(record!.result).toBe('Ok');
  return rowsOfData(record!.data!);
}

describe('twilio-put.request.vtl', () => {
  it('writes a version-2 record of source twilio: header with the signature and the URL Twilio signed, then the form bytes once', () => {
    const body = fixture('inbound-quick-reply.form');
    const signature = twilioOracle(`${BASE}/webhooks/twilio`, body);
    const { envelope, data, header } = put({ headers: { 'X-Twilio-Signature': signature, 'Content-Type': `${FORM}; charset=UTF-8` }, body, requestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef', requestTimeEpoch: T });
    expect(header).toEqual({
      v: 2,
      source: 'twilio',
      request_id: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
      received_ts: T,
      signature: Buffer.from(signature).toString('base64'),
      url: Buffer.from(`${BASE}/webhooks/twilio`).toString('base64'),
    });
    const headerBytes = data.indexOf('}') + 1;
    expect(headerBytes % 3).toBe(0);
    expect(data.subarray(headerBytes).equals(body)).toBe(true);
    expect(envelope).toEqual({ source: 'twilio', body, signature, requestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef', receivedTs: T, url: `${BASE}/webhooks/twilio` });
  });

  it('records the status callback route under the same source, with its own path in the URL', () => {
    const { envelope } = put({ resourcePath: '/webhooks/twilio/status', path: '/prod/webhooks/twilio/status', body: fixture('status-read.form') });
    expect(envelope.source).toBe('twilio');
    expect(envelope.url).toBe(`${BASE}/webhooks/twilio/status`);
  });

  it('finds X-Twilio-Signature whatever the header-name case', () => {
    for (const name of ['X-Twilio-Signature', 'x-twilio-signature', 'X-TWILIO-SIGNATURE']) {
      expect(put({ headers: { [name]: 'c2lnbmF0dXJl' }, body: Buffer.from('MessageSid=SM1') }).envelope.signature).toBe('c2lnbmF0dXJl');
    }
    expect(put({ body: Buffer.from('MessageSid=SM1') }).envelope.signature).toBeNull();
  });

  it('rebuilds the query string from the decoded map, in its order, URL-encoded as Java does', () => {
    const query = { campaign: 'spring sale', 'ü': 'a/b*c~', bodySHA256: '0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620' };
    const { envelope } = put({ query, body: Buffer.from('MessageSid=SM1') });
    // URLEncoder: space as +, / and ~ escaped, * kept, UTF-8 bytes as upper-case %XX.
    expect(envelope.url).toBe(`${BASE}/webhooks/twilio?campaign=spring+sale&%C3%BC=a%2Fb*c%7E&bodySHA256=0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620`);
    expect(put({ query: { flag: '' }, body: Buffer.alloc(0) }).envelope.url).toBe(`${BASE}/webhooks/twilio?flag=`);
  });

  it('pads the header to a multiple of 3 bytes whatever the lengths of the request id, signature and URL', () => {
    for (const requestId of ['a', 'ab', 'abc']) {
      for (const sig of ['', 'x', 'xy', 'xyz']) {
        for (const base of ['https://h.example', 'https://hh.example', 'https://hhh.example/p']) {
          const body = Buffer.from(`MessageSid=SM${requestId}${sig}`);
          const { data, envelope } = put({ requestId, headers: sig === '' ? {} : { 'X-Twilio-Signature': sig }, body }, base);
          expect((data.indexOf('}') + 1) % 3).toBe(0);
          expect(envelope.body.equals(body)).toBe(true);
          expect(envelope.url).toBe(`${base}/webhooks/twilio`);
        }
      }
    }
  });

  it('leaves the url empty when the base is empty (the ops path with no URL to record)', () => {
    const { envelope, header } = put({ body: Buffer.from('MessageSid=SM1') }, '');
    expect(header.url).toBe('');
    expect(envelope.url).toBeUndefined();
  });

  it('leaves the source empty for a path that is not a Twilio route, so the record is rejected downstream', () => {
    const request = apiRequest({ resourcePath: '/webhooks/meta', body: Buffer.from('e30=') });
    const rendered = JSON.parse(renderTemplate(loadTemplate('twilio-put.request.vtl'), request, { DeliveryStreamName: STREAM, TwilioBaseUrl: BASE }));
    expect(() => decodeRecordData(rendered.Record.Data)).toThrow('unknown source');
  });

  it('answers a stored record with an empty TwiML response, as Twilio expects of an inbound webhook', () => {
    const ok = inbound.integrationResponses.find((r) => r.statusCode === 200)!;
    expect(ok.contentType).toBe('text/xml');
    expect(renderResponseTemplate(loadTemplate(ok.template), apiRequest(), '{"RecordId":"r1"}').body).toBe('<?xml version="1.0" encoding="UTF-8"?><Response/>');
  });
});

describe('a Twilio webhook through the template and the transform', () => {
  const expectedRows: Record<string, Partial<FlatRow>[]> = {
    'inbound-quick-reply.form': [{ kind: 'click', interaction: 'quick_reply', button_id: 'confirm_yes', wamid: 'SM1f0e2d3c4b5a69788796a5b4c3d2e1f0', context_wamid: 'MM5cc44eecf7dab0d48d4529d0fa4af44d' }],
    'inbound-button-reply.form': [{ kind: 'click', interaction: 'button_reply', button_id: 'book_now', wamid: 'SM2a1b0c9d8e7f60514233425160718293' }],
    'inbound-list-reply.form': [{ kind: 'click', interaction: 'list_reply', button_id: 'size_large', wamid: 'SM3b2c1d0e9f8a71625344536271829304' }],
    'inbound-flow-reply.form': [{ kind: 'click', interaction: 'nfm_reply', wamid: 'SM4c3d2e1f0a9b82736455647382930415' }],
    'inbound-text.form': [{ kind: 'message', wamid: 'SM5d4e3f2a1b0c93847566758493041526' }],
    'inbound-media.form': [{ kind: 'message', wamid: 'MM6e5f4a3b2c1d04958677869504152637' }],
    'status-sent.form': [{ kind: 'status', status: 'sent', wamid: 'MM5cc44eecf7dab0d48d4529d0fa4af44d' }],
    'status-delivered.form': [{ kind: 'status', status: 'delivered', wamid: 'MM5cc44eecf7dab0d48d4529d0fa4af44d' }],
    'status-read.form': [{ kind: 'status', status: 'read', wamid: 'MM5cc44eecf7dab0d48d4529d0fa4af44d' }],
    'status-failed.form': [{ kind: 'status', status: 'failed', error_code: 63016, wamid: 'MM5cc44eecf7dab0d48d4529d0fa4af44d' }],
    'status-undelivered.form': [{ kind: 'status', status: 'failed', error_code: 63024, wamid: 'MM5cc44eecf7dab0d48d4529d0fa4af44d' }],
    // Not an outbound fact: stored, no row.
    'status-queued.form': [],
  };

  it('covers every Twilio fixture', () => {
    expect(Object.keys(expectedRows).sort()).toEqual(readdirSync(fixtures).sort());
  });

  it.each(Object.entries(expectedRows))('a signed %s becomes its rows, with the receive time as event time', async (name, expected) => {
    const path = name.startsWith('status-') ? '/webhooks/twilio/status' : '/webhooks/twilio';
    const body = fixture(name);
    const { recordData } = put({ resourcePath: path, path: `/prod${path}`, headers: { 'X-Twilio-Signature': twilioOracle(`${BASE}${path}`, body) }, body, requestTimeEpoch: T });
    const rows = await rowsOf(recordData);
    expect(rows).toEqual(expected.map((e) => expect.objectContaining({ ...e, source: 'twilio', wa_id: '15551234567', event_ts: T, received_ts: T, event_date: '2024-06-10' })));
  });

  it('quarantines a forged body (signed with another token) and an unsigned one, keeping the body for replay', async () => {
    const body = fixture('inbound-quick-reply.form');
    const forged = createHmac('sha1', 'another-token').update(`${BASE}/webhooks/twilio`).digest('base64');
    for (const [headers, reason] of [[{ 'X-Twilio-Signature': forged }, 'bad_signature'], [{}, 'missing_signature']] as const) {
      const rows = await rowsOf(put({ headers, body }).recordData);
      expect(rows).toEqual([expect.objectContaining({ kind: 'quarantine', source: 'twilio', reason, raw_body: body.toString('base64') })]);
    }
  });

  it('quarantines a body signed for another URL: the record carries the URL the API was called at', async () => {
    const body = fixture('status-read.form');
    const signedForOther = twilioOracle('https://hooks.example.com/webhooks/twilio/status', body);
    const rows = await rowsOf(put({ resourcePath: '/webhooks/twilio/status', headers: { 'X-Twilio-Signature': signedForOther }, body }).recordData);
    expect(rows).toEqual([expect.objectContaining({ kind: 'quarantine', reason: 'bad_signature' })]);
    // With the stage's base set to that domain, the same request verifies.
    const good = await rowsOf(put({ resourcePath: '/webhooks/twilio/status', headers: { 'X-Twilio-Signature': signedForOther }, body }, 'https://hooks.example.com').recordData);
    expect(good).toEqual([expect.objectContaining({ kind: 'status', status: 'read' })]);
  });

  it('verifies a URL with a query string that re-encodes identically, and one signed with the default port', async () => {
    const body = fixture('status-delivered.form');
    const withQuery = await rowsOf(
      put({ resourcePath: '/webhooks/twilio/status', query: { tenant: 'acme', c: 'spring' }, headers: { 'X-Twilio-Signature': twilioOracle(`${BASE}/webhooks/twilio/status?tenant=acme&c=spring`, body) }, body }).recordData,
    );
    expect(withQuery).toEqual([expect.objectContaining({ kind: 'status', status: 'delivered' })]);
    const port = BASE.replace('.amazonaws.com/', '.amazonaws.com:443/');
    const withPort = await rowsOf(put({ resourcePath: '/webhooks/twilio/status', headers: { 'X-Twilio-Signature': twilioOracle(`${port}/webhooks/twilio/status`, body) }, body }).recordData);
    expect(withPort).toEqual([expect.objectContaining({ kind: 'status', status: 'delivered' })]);
  });

  it('checks a JSON body signed through bodySHA256 (then quarantines it as not a form, not as a bad signature)', async () => {
    const json = Buffer.from('{"MessageSid":"SM9","MessageStatus":"read"}');
    const sha = createHash('sha256').update(json).digest('hex');
    const url = `${BASE}/webhooks/twilio/status?bodySHA256=${sha}`;
    const signature = createHmac('sha1', TOKEN).update(url).digest('base64');
    const { envelope, recordData } = put({ resourcePath: '/webhooks/twilio/status', query: { bodySHA256: sha }, headers: { 'X-Twilio-Signature': signature }, body: json }, BASE, 'application/json');
    expect(envelope.url).toBe(url);
    expect(envelope.body.equals(json)).toBe(true);
    expect(await rowsOf(recordData)).toEqual([expect.objectContaining({ kind: 'quarantine', reason: 'malformed_form' })]);
    const tampered = Buffer.from('{"MessageSid":"SM9","MessageStatus":"failed"}');
    const bad = put({ resourcePath: '/webhooks/twilio/status', query: { bodySHA256: sha }, headers: { 'X-Twilio-Signature': signature }, body: tampered }, BASE, 'application/json');
    expect(await rowsOf(bad.recordData)).toEqual([expect.objectContaining({ kind: 'quarantine', reason: 'bad_signature' })]);
  });
});
