import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import type { Envelope } from '../../../shared/envelope';
import { parseForm, type FormParam } from '../../../shared/form';
import { normalizeTwilio, processEnvelope, TWILIO_NO_URL_MESSAGE, type NormalizeContext, type TransformSettings } from '../../../shared/normalize';
import { createPseudonymizer } from '../../../shared/pii';
import type { FlatRow } from '../../../shared/schema/types';
import { fullRow, schemaProblems } from '../../support/rows';

const RECEIVED = 1747776005000; // 2025-05-20T21:20:05Z: 2025-05-21 in Asia/Tokyo
const REQUEST = 'req-tw-1';
const OUT = 'MM5cc44eecf7dab0d48d4529d0fa4af44d';
const USER = '15551234567';
const TOKEN = 'twilio-auth-token';
const HOOK = 'https://abc123.execute-api.eu-west-1.amazonaws.com/prod/webhooks/twilio';

const raw = (name: string): Buffer => readFileSync(join(__dirname, '../../fixtures/twilio', name));
const params = (name: string): FormParam[] => parseForm(raw(name))!;

function context(overrides: Partial<NormalizeContext> = {}): NormalizeContext {
  return { source: 'twilio', receivedTs: RECEIVED, requestId: REQUEST, timeZone: 'UTC', pseudonymize: createPseudonymizer('raw', undefined), ...overrides };
}

/** A full expected row: every column, null unless given; Twilio's rows happen when received. */
function expected(fields: Partial<FlatRow>): FlatRow {
  return fullRow({ event_id: '', kind: 'message', source: 'twilio', received_ts: RECEIVED, request_id: REQUEST, event_ts: RECEIVED, event_date: '2025-05-20', ...fields });
}

const tap = (sid: string, fields: Partial<FlatRow>): FlatRow =>
  expected({ event_id: `twilio:${sid}`, kind: 'click', wamid: sid, context_wamid: OUT, wa_id: USER, ...fields });

describe('normalizeTwilio inbound messages', () => {
  it('turns a template quick-reply tap (MessageType button) into a quick_reply on the replied message', () => {
    expect(normalizeTwilio(params('inbound-quick-reply.form'), context())).toStrictEqual({
      rows: [tap('SM1f0e2d3c4b5a69788796a5b4c3d2e1f0', { interaction: 'quick_reply', button_id: 'confirm_yes', button_title: 'Yes, book me in' })],
      problems: [],
    });
  });

  it('turns a reply button (MessageType interactive) into a button_reply', () => {
    expect(normalizeTwilio(params('inbound-button-reply.form'), context()).rows).toStrictEqual([
      tap('SM2a1b0c9d8e7f60514233425160718293', { interaction: 'button_reply', button_id: 'book_now', button_title: 'Book now' }),
    ]);
  });

  it('turns a list-picker reply into a list_reply with ListId and ListTitle (UTF-8 decoded)', () => {
    expect(normalizeTwilio(params('inbound-list-reply.form'), context()).rows).toStrictEqual([
      tap('SM3b2c1d0e9f8a71625344536271829304', { interaction: 'list_reply', button_id: 'size_large', button_title: 'Large · 30 cm' }),
    ]);
  });

  it('turns a Flow submission into an nfm_reply keyed by its flow_token, keeping the answers', () => {
    expect(normalizeTwilio(params('inbound-flow-reply.form'), context()).rows).toStrictEqual([
      tap('SM4c3d2e1f0a9b82736455647382930415', {
        interaction: 'nfm_reply',
        button_id: 'spring_survey',
        button_title: 'Sent',
        flow_response: '{"flow_token":"spring_survey","screen_0_rating":"5","screen_0_comment":"Great pizza & fast"}',
      }),
    ]);
  });

  it('reads a Flow answer wrapped as Meta sends it, or under FlowData, and keeps text that is not JSON', () => {
    const base = params('inbound-flow-reply.form').filter(([n]) => n !== 'InteractiveData');
    const wrapped: FormParam[] = [...base, ['FlowData', JSON.stringify({ name: 'flow', body: 'Sent', response_json: '{"flow_token":"t-9","q":"a"}' })]];
    expect(normalizeTwilio(wrapped, context()).rows[0]).toMatchObject({ interaction: 'nfm_reply', button_id: 't-9', flow_response: '{"flow_token":"t-9","q":"a"}' });
    const nfm: FormParam[] = [...base, ['InteractiveData', JSON.stringify({ type: 'nfm_reply', nfm_reply: { response_json: { flow_token: 't-8' } } })]];
    expect(normalizeTwilio(nfm, context()).rows[0]).toMatchObject({ interaction: 'nfm_reply', button_id: 't-8', flow_response: '{"flow_token":"t-8"}' });
    const text: FormParam[] = [...base, ['InteractiveData', 'not json']];
    expect(normalizeTwilio(text, context()).rows[0]).toMatchObject({ interaction: 'nfm_reply', button_id: null, flow_response: 'not json' });
  });

  it('makes a text message a message row with the user from WaId', () => {
    expect(normalizeTwilio(params('inbound-text.form'), context()).rows).toStrictEqual([
      expected({ event_id: 'twilio:SM5d4e3f2a1b0c93847566758493041526', wamid: 'SM5d4e3f2a1b0c93847566758493041526', wa_id: USER }),
    ]);
  });

  it('makes a media message a message row', () => {
    expect(normalizeTwilio(params('inbound-media.form'), context()).rows).toStrictEqual([
      expected({ event_id: 'twilio:MM6e5f4a3b2c1d04958677869504152637', wamid: 'MM6e5f4a3b2c1d04958677869504152637', wa_id: USER }),
    ]);
  });

  it('takes the user from From (digits, as WaId gives them) when there is no WaId', () => {
    const noWaId = params('inbound-quick-reply.form').filter(([n]) => n !== 'WaId');
    expect(normalizeTwilio(noWaId, context()).rows[0]!.wa_id).toBe(USER);
  });

  it('knows a tap by its ButtonPayload when Twilio sent no MessageType (older webhooks)', () => {
    const untyped = params('inbound-quick-reply.form').filter(([n]) => n !== 'MessageType');
    expect(normalizeTwilio(untyped, context()).rows[0]).toMatchObject({ kind: 'click', interaction: 'quick_reply', button_id: 'confirm_yes' });
  });

  it('pseudonymizes the user with the context and dates the row in the reporting time zone', () => {
    const ctx = context({ pseudonymize: createPseudonymizer('hash', 'k'), timeZone: 'Asia/Tokyo' });
    const [row] = normalizeTwilio(params('inbound-text.form'), ctx).rows;
    expect(row!.wa_id).toBe(createHmac('sha256', 'k').update(USER).digest('hex'));
    expect(row!.event_date).toBe('2025-05-21');
  });
});

describe('normalizeTwilio status callbacks', () => {
  const status = (s: string, fields: Partial<FlatRow> = {}): FlatRow =>
    expected({ event_id: `twilio:${OUT}:${s}`, kind: 'status', wamid: OUT, wa_id: USER, status: s, ...fields });

  it.each(['sent', 'delivered', 'read'])('makes a %s callback a status row for the user in To', (s) => {
    expect(normalizeTwilio(params(`status-${s}.form`), context())).toStrictEqual({ rows: [status(s)], problems: [] });
  });

  it('makes failed and undelivered one failed fact with the ErrorCode', () => {
    expect(normalizeTwilio(params('status-failed.form'), context()).rows).toStrictEqual([status('failed', { error_code: 63016 })]);
    expect(normalizeTwilio(params('status-undelivered.form'), context()).rows).toStrictEqual([status('failed', { error_code: 63024 })]);
  });

  it('makes no row of a status that is not a delivery fact (queued, accepted, sending, scheduled)', () => {
    expect(normalizeTwilio(params('status-queued.form'), context())).toStrictEqual({ rows: [], problems: [] });
    for (const s of ['accepted', 'sending', 'scheduled', 'canceled']) {
      const form = params('status-queued.form').map(([n, v]): FormParam => [n, n === 'MessageStatus' ? s : v]);
      expect(normalizeTwilio(form, context())).toStrictEqual({ rows: [], problems: [] });
    }
  });

  it('leaves out an error code that is not an int', () => {
    const form = params('status-failed.form').map(([n, v]): FormParam => [n, n === 'ErrorCode' ? '99999999999' : v]);
    expect(normalizeTwilio(form, context()).rows[0]!.error_code).toBeNull();
  });

  it('calls an unknown status a problem, keeping the body', () => {
    const form = params('status-sent.form').map(([n, v]): FormParam => [n, n === 'MessageStatus' ? 'teleported' : v]);
    expect(normalizeTwilio(form, context())).toStrictEqual({ rows: [], problems: [{ reason: 'bad_shape', message: 'MessageStatus "teleported" is not a known status' }] });
  });
});

describe('normalizeTwilio refusals', () => {
  it('calls a form without MessageSid not a WhatsApp webhook', () => {
    expect(normalizeTwilio(params('inbound-text.form').filter(([n]) => n !== 'MessageSid' && n !== 'SmsSid'), context()).problems).toEqual([
      { reason: 'not_whatsapp', message: 'no MessageSid: not a Twilio messaging webhook' },
    ]);
  });

  it('calls an SMS (no whatsapp: address, no WaId) not a WhatsApp message', () => {
    const sms = params('inbound-text.form')
      .filter(([n]) => n !== 'WaId')
      .map(([n, v]): FormParam => [n, v.replace('whatsapp:', '')]);
    expect(normalizeTwilio(sms, context()).problems.map((p) => p.reason)).toEqual(['not_whatsapp']);
  });

  it('never throws and gives schema-complete rows for any parameters', () => {
    const names = fc.constantFrom('MessageSid', 'SmsSid', 'From', 'To', 'WaId', 'MessageType', 'MessageStatus', 'ButtonPayload', 'ButtonText', 'ListId', 'ListTitle', 'InteractiveData', 'FlowData', 'ErrorCode', 'OriginalRepliedMessageSid', 'Body');
    const values = fc.oneof(fc.string(), fc.constantFrom('whatsapp:+15551234567', 'sent', 'failed', 'undelivered', 'queued', 'button', 'interactive', '{"flow_token":1}', '{"nfm_reply":{"response_json":"{"}}', '63016', ''));
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.oneof(names, fc.string()), values), { maxLength: 12 }), (form) => {
        const out = normalizeTwilio(form, context({ pseudonymize: createPseudonymizer('hash', 'k') }));
        for (const row of out.rows) expect(schemaProblems(row as unknown as Record<string, unknown>)).toEqual([]);
        expect(out.rows.length + out.problems.length).toBeLessThanOrEqual(1);
      }),
      { numRuns: 500, seed: 17 },
    );
  });
});

describe('processEnvelope for twilio', () => {
  const settings = (token: string | null): TransformSettings => ({ metaAppSecret: null, wasenderSecret: null, twilioAuthToken: token, timeZone: 'UTC', pseudonymize: createPseudonymizer('raw', undefined) });
  /** X-Twilio-Signature by Twilio's published algorithm, with node:crypto: URL + sorted name/value pairs. */
  const sign = (body: Buffer, url: string, token = TOKEN): string => {
    const pairs = [...new URLSearchParams(body.toString('latin1'))].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return createHmac('sha1', token).update(url + pairs.map(([n, v]) => n + v).join(''), 'utf8').digest('base64');
  };
  const envelope = (body: Buffer, signature: string | null, url: string | null = HOOK): Envelope => ({
    source: 'twilio',
    body,
    signature,
    requestId: REQUEST,
    receivedTs: RECEIVED,
    ...(url === null ? {} : { url }),
  });

  it.each(['inbound-quick-reply.form', 'inbound-list-reply.form', 'inbound-flow-reply.form', 'inbound-text.form', 'inbound-media.form', 'status-delivered.form', 'status-undelivered.form'])(
    'keeps the rows of a correctly signed %s',
    (name) => {
      const body = raw(name);
      const result = processEnvelope(envelope(body, sign(body, HOOK)), settings(TOKEN));
      expect(result.quarantined).toBeNull();
      expect(result.rows).toStrictEqual(normalizeTwilio(parseForm(body)!, context()).rows);
      expect(result.rows).toHaveLength(1);
    },
  );

  it('accepts a signature Twilio made over the URL with :443', () => {
    const body = raw('status-read.form');
    const with443 = HOOK.replace('.com/', '.com:443/');
    expect(processEnvelope(envelope(body, sign(body, with443)), settings(TOKEN)).quarantined).toBeNull();
  });

  it('quarantines a forged or unsigned body with the original bytes and signature', () => {
    const body = raw('inbound-quick-reply.form');
    const forged = processEnvelope(envelope(body, sign(body, HOOK, 'guessed-token')), settings(TOKEN));
    expect(forged.quarantined).toBe('bad_signature');
    expect(forged.rows).toHaveLength(1);
    expect(forged.rows[0]).toMatchObject({ kind: 'quarantine', reason: 'bad_signature', raw_body: body.toString('base64'), signature: sign(body, HOOK, 'guessed-token') });
    const tampered = Buffer.from(body.toString('latin1').replace('confirm_yes', 'confirm_no'), 'latin1');
    expect(processEnvelope(envelope(tampered, sign(body, HOOK)), settings(TOKEN)).quarantined).toBe('bad_signature');
    // Signed for this URL, received on another.
    expect(processEnvelope(envelope(body, sign(body, HOOK), `${HOOK}/status`), settings(TOKEN)).quarantined).toBe('bad_signature');
    expect(processEnvelope(envelope(body, null), settings(TOKEN)).quarantined).toBe('missing_signature');
  });

  it('keeps the URL Twilio signed on the quarantine row, so the body verifies again from the row alone once the token is right', () => {
    const body = raw('inbound-quick-reply.form');
    // Signed with the account's new token while the transform still had the old one.
    const [row] = processEnvelope(envelope(body, sign(body, HOOK, 'rotated-token')), settings('old-token')).rows;
    expect(row).toMatchObject({ kind: 'quarantine', reason: 'bad_signature', request_url: HOOK, signature: sign(body, HOOK, 'rotated-token') });
    const again: Envelope = { source: 'twilio', body: Buffer.from(row!.raw_body!, 'base64'), signature: row!.signature, requestId: row!.request_id, receivedTs: row!.received_ts, url: row!.request_url };
    const result = processEnvelope(again, settings('rotated-token'));
    expect(result.quarantined).toBeNull();
    expect(result.rows).toMatchObject([{ kind: 'click', interaction: 'quick_reply', button_id: 'confirm_yes', request_id: REQUEST, received_ts: RECEIVED, request_url: null }]);
  });

  it('quarantines as bad_signature, saying why, a record without the signed URL when a token is set', () => {
    const body = raw('status-sent.form');
    const result = processEnvelope(envelope(body, sign(body, HOOK), null), settings(TOKEN));
    expect(result.quarantined).toBe('bad_signature');
    expect(result.message).toBe(TWILIO_NO_URL_MESSAGE);
  });

  it('does not check signatures without a token, as for Meta', () => {
    const body = raw('status-sent.form');
    expect(processEnvelope(envelope(body, 'forged', null), settings(null)).quarantined).toBeNull();
  });

  it('quarantines a body that is not a form as malformed_form, and one without MessageSid as not_whatsapp', () => {
    expect(processEnvelope(envelope(Buffer.from('{"MessageSid":"SM1"}'), null), settings(null)).quarantined).toBe('malformed_form');
    expect(processEnvelope(envelope(Buffer.from('From=whatsapp%3A%2B1&Body=hi'), null), settings(null)).quarantined).toBe('not_whatsapp');
  });

  it('pseudonymizes the ids of Twilio rows in hash mode, the status and its tap still joining', () => {
    const hashed = { ...settings(null), pseudonymize: createPseudonymizer('hash', 'k') };
    const [click] = processEnvelope(envelope(raw('inbound-quick-reply.form'), null), hashed).rows;
    const [status] = processEnvelope(envelope(raw('status-delivered.form'), null), hashed).rows;
    const h = (v: string) => createHmac('sha256', 'k').update(v).digest('hex');
    expect(click).toMatchObject({ wamid: h('SM1f0e2d3c4b5a69788796a5b4c3d2e1f0'), context_wamid: h(OUT), event_id: `twilio:${h('SM1f0e2d3c4b5a69788796a5b4c3d2e1f0')}` });
    expect(status).toMatchObject({ wamid: h(OUT), event_id: `twilio:${h(OUT)}:delivered` });
  });
});
