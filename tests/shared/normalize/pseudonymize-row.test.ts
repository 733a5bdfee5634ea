import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Envelope } from '../../../shared/envelope';
import { processEnvelope, pseudonymizeFlowResponse, type TransformSettings } from '../../../shared/normalize';
import { createPseudonymizer, type PiiMode } from '../../../shared/pii';
import type { Source } from '../../../shared/schema/types';
import { metaWebhook } from '../../support/webhooks';

const KEY = 'test-pii-key';
/** The expected pseudonym, computed here with node:crypto directly (not through the code under test). */
const hmac = (value: string) => createHmac('sha256', KEY).update(value, 'utf8').digest('hex');

const settings = (pii: PiiMode): TransformSettings => ({ metaAppSecret: null, wasenderSecret: null, timeZone: 'UTC', pseudonymize: createPseudonymizer(pii, KEY) });

function rows(source: Source, body: string | object, pii: PiiMode = 'hash') {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const envelope: Envelope = { source, body: Buffer.from(text), signature: null, requestId: 'r', receivedTs: 1_751_551_700_000 };
  return processEnvelope(envelope, settings(pii)).rows;
}

const fixture = (p: string) => readFileSync(join(__dirname, '../../fixtures', p), 'utf8');
const OUT = 'wamid.HBgNNTUxMTk4NzY1NDMyMRUCABEYEkE0RjMzQzI4QTdFN0Q3RjkwMAA=';
const IN = 'wamid.HBgNNTUxMTk4NzY1NDMyMRUCABIYFDNBMDM3QTc1MkUwNjBFQzE0NTFBAA==';
const USER = '5511987654321';

describe('hash mode pseudonymizes message ids in every row, the same way everywhere', () => {
  it('maps wamid, context_wamid and the wamid inside event_id with the keyed HMAC of wa_id', () => {
    const body = metaWebhook({
      statuses: [{ id: OUT, status: 'delivered', timestamp: 1_751_551_502, recipient: USER }],
      taps: [{ id: IN, from: USER, timestamp: 1_751_551_632, contextId: OUT, kind: 'button_reply', buttonId: 'yes', title: 'Yes' }],
    });
    const [tap, status] = rows('meta', body);
    expect(tap).toMatchObject({ kind: 'click', wamid: hmac(IN), context_wamid: hmac(OUT), event_id: `meta:${hmac(IN)}`, wa_id: hmac(USER) });
    expect(status).toMatchObject({ kind: 'status', wamid: hmac(OUT), event_id: `meta:${hmac(OUT)}:delivered`, wa_id: hmac(USER) });
  });

  it('gives a registry send the same pseudonymized wamid as the status and tap that refer to it (the joins still work)', () => {
    const [send] = rows('registry', { wamid: OUT, campaign_id: 'c', wa_id: '+55 11 98765-4321', sent_at: '2025-07-03T14:00:00Z' });
    const [tap] = rows('meta', metaWebhook({ taps: [{ id: IN, from: USER, timestamp: 1_751_551_632, contextId: OUT, kind: 'button_reply', buttonId: 'yes', title: 'Yes' }] }));
    expect(send).toMatchObject({ wamid: hmac(OUT), event_id: `registry:${hmac(OUT)}`, wa_id: hmac(USER) });
    expect(send!.wamid).toBe(tap!.context_wamid);
    expect(send!.wa_id).toBe(tap!.wa_id);
  });

  it('keeps dedupe: the same status delivered twice gets one (pseudonymized) event id', () => {
    const body = fixture('meta/status-delivered.json');
    expect(rows('meta', body)[0]!.event_id).toBe(rows('meta', body)[0]!.event_id);
    expect(rows('meta', body)[0]!.event_id).toBe(`meta:${hmac('wamid.HBgLMTYzMTU1NTExODEVAgARGBJCNDk2MkIyQTUwOTgzMkNDMjgA')}:delivered`);
  });

  it('pseudonymizes WASenderApi ids and the quoted message id too', () => {
    const [click] = rows('wasender', fixture('wasender/messages-upsert-flow-reply.json'));
    expect(click).toMatchObject({ wamid: hmac('3EB0D4C3B2A1F0E9D8C7'), context_wamid: hmac('BAE5FEEDFACE0001'), event_id: `wasender:${hmac('3EB0D4C3B2A1F0E9D8C7')}`, wa_id: hmac('5511987654321') });
    const [status] = rows('wasender', fixture('wasender/messages-update-single.json'));
    expect(status).toMatchObject({ wamid: hmac('BAE5AB12CD34EF56'), event_id: `wasender:${hmac('BAE5AB12CD34EF56')}:delivered` });
  });

  it('does not let a one-letter registry wamid rewrite the event id prefix', () => {
    const [send] = rows('registry', { wamid: 'r', sent_at: '2025-07-03T14:00:00Z' });
    expect(send!.event_id).toBe(`registry:${hmac('r')}`);
  });

  it('keeps every id as it came in raw mode', () => {
    const body = metaWebhook({ taps: [{ id: IN, from: USER, timestamp: 1_751_551_632, contextId: OUT, kind: 'nfm_reply', buttonId: 'ft', title: 'Sent' }] });
    const [tap] = rows('meta', body, 'raw');
    expect(tap).toMatchObject({ wamid: IN, context_wamid: OUT, event_id: `meta:${IN}`, wa_id: USER, flow_response: JSON.stringify({ flow_token: 'ft', rating: '5', comment: 'Great service' }) });
  });
});

describe('Flow answers in hash mode', () => {
  it('keeps the keys and the flow_token and replaces each value by its keyed HMAC', () => {
    const [click] = rows('meta', fixture('meta/nfm-reply.json'));
    expect(click!.button_id).toBe('lead-form-2025-07:c7f3a1');
    expect(JSON.parse(click!.flow_response!)).toEqual({
      flow_token: 'lead-form-2025-07:c7f3a1',
      screen_0_name_0: hmac('Kerry'),
      screen_0_interest_1: hmac('0_Solar_panels'),
      screen_0_best_time_2: hmac('1_Evening'),
    });
  });

  it('does the same for a WASenderApi Flow reply', () => {
    const [click] = rows('wasender', fixture('wasender/messages-upsert-flow-reply.json'));
    expect(JSON.parse(click!.flow_response!)).toEqual({ flow_token: 'ft_survey_0525', rating: hmac('5'), comment: hmac('Ótimo atendimento') });
  });

  it('walks nested objects and arrays, hashes numbers by their JSON text, keeps booleans and nulls', () => {
    const p = createPseudonymizer('hash', KEY);
    const json = JSON.stringify({ flow_token: 't', contact: { email: 'ana@example.com', phone: 5511912345678, optin: true }, picks: ['a', 2.5], note: null, nested: { flow_token: 'x' } });
    expect(JSON.parse(pseudonymizeFlowResponse(json, p))).toEqual({
      flow_token: 't',
      contact: { email: hmac('ana@example.com'), phone: hmac('5511912345678'), optin: true },
      picks: [hmac('a'), hmac('2.5')],
      note: null,
      // Only the top-level flow_token names the Flow; a nested one is an answer.
      nested: { flow_token: hmac('x') },
    });
  });

  it('hashes text that is not JSON as one value, and keeps a __proto__ key as a key', () => {
    const p = createPseudonymizer('hash', KEY);
    expect(pseudonymizeFlowResponse('not json: ana@example.com', p)).toBe(hmac('not json: ana@example.com'));
    expect(JSON.parse(pseudonymizeFlowResponse('{"__proto__":{"a":"b"}}', p))).toEqual(JSON.parse(`{"__proto__":{"a":"${hmac('b')}"}}`));
  });
});
