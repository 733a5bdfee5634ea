import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { normalizeWasender, type NormalizeContext } from '../../../shared/normalize';
import { quarantineReasons } from '../../../shared/normalize/reasons';
import { createPseudonymizer } from '../../../shared/pii';
import { flatRowColumns } from '../../../shared/schema/columns';
import type { FlatRow } from '../../../shared/schema/types';
import { fullRow } from '../../support/rows';

const RECEIVED = 1747776005000;
const REQUEST = 'req-7f3a';

function fixture(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(__dirname, '../../fixtures/wasender', name), 'utf8')) as Record<string, unknown>;
}

function context(overrides: Partial<NormalizeContext> = {}): NormalizeContext {
  return {
    source: 'wasender',
    receivedTs: RECEIVED,
    requestId: REQUEST,
    timeZone: 'UTC',
    pseudonymize: createPseudonymizer('raw', undefined),
    ...overrides,
  };
}

/** A full expected message row: every column, null unless given. */
function expected(fields: Partial<FlatRow>): FlatRow {
  return fullRow({ event_id: '', kind: 'message', source: 'wasender', received_ts: RECEIVED, request_id: REQUEST, ...fields });
}

const buttonReplyRow = expected({
  event_id: 'wasender:3EB0A1C2D3E4F5061728',
  kind: 'click',
  interaction: 'button_reply',
  wamid: '3EB0A1C2D3E4F5061728',
  context_wamid: 'BAE5F8A2C1D3E4B6',
  wa_id: '15551234567',
  button_id: 'btn_yes',
  button_title: 'Yes, book me in',
  event_ts: 1747775431000,
  event_date: '2025-05-20',
});

describe('normalizeWasender taps', () => {
  it('turns a buttonsResponseMessage into a button_reply click on the quoted message', () => {
    expect(normalizeWasender(fixture('messages-upsert-button-reply.json'), context())).toStrictEqual({ rows: [buttonReplyRow], problems: [] });
  });

  it('turns a listResponseMessage into a list_reply with the row id and title (string timestamp)', () => {
    expect(normalizeWasender(fixture('messages-upsert-list-reply.json'), context())).toStrictEqual({
      rows: [
        expected({
          event_id: 'wasender:3EB0B7E6D5C4B3A29180',
          kind: 'click',
          interaction: 'list_reply',
          wamid: '3EB0B7E6D5C4B3A29180',
          context_wamid: 'BAE5C0FFEE123456',
          wa_id: '15551230001',
          button_id: 'size_large',
          button_title: 'Large · 30 cm',
          event_ts: 1747775500000,
          event_date: '2025-05-20',
        }),
      ],
      problems: [],
    });
  });

  it('turns a templateButtonReplyMessage into a quick_reply (Long timestamp)', () => {
    expect(normalizeWasender(fixture('messages-upsert-template-reply.json'), context())).toStrictEqual({
      rows: [
        expected({
          event_id: 'wasender:3EB0C3D2E1F0A9B8C7D6',
          kind: 'click',
          interaction: 'quick_reply',
          wamid: '3EB0C3D2E1F0A9B8C7D6',
          context_wamid: 'BAE5AB12CD34EF56',
          wa_id: '447700900123',
          button_id: 'STOP_PROMOS',
          button_title: 'Stop promotions',
          event_ts: 1747775562000,
          event_date: '2025-05-20',
        }),
      ],
      problems: [],
    });
  });

  const flowParams = '{"flow_token":"ft_survey_0525","rating":"5","comment":"Ótimo atendimento"}';
  const flowRow = expected({
    event_id: 'wasender:3EB0D4C3B2A1F0E9D8C7',
    kind: 'click',
    interaction: 'nfm_reply',
    wamid: '3EB0D4C3B2A1F0E9D8C7',
    context_wamid: 'BAE5FEEDFACE0001',
    wa_id: '5511987654321',
    button_id: 'ft_survey_0525',
    button_title: 'Sent',
    flow_response: flowParams,
    event_ts: 1747775610000,
    event_date: '2025-05-20',
  });

  function flowWithParams(paramsJson: unknown): Record<string, unknown> {
    const body = fixture('messages-upsert-flow-reply.json');
    const msg = (body.data as { messages: { message: { interactiveResponseMessage: { nativeFlowResponseMessage: Record<string, unknown> } } }[] }).messages[0]!;
    msg.message.interactiveResponseMessage.nativeFlowResponseMessage.paramsJson = paramsJson;
    return body;
  }

  it('turns a nativeFlowResponseMessage into an nfm_reply keyed by flow_token, keeping paramsJson', () => {
    expect(normalizeWasender(fixture('messages-upsert-flow-reply.json'), context())).toStrictEqual({ rows: [flowRow], problems: [] });
  });

  it('keeps a Flow reply whose paramsJson is not JSON, without a button id', () => {
    const out = normalizeWasender(flowWithParams('{not json'), context());
    expect(out).toStrictEqual({ rows: [{ ...flowRow, button_id: null, flow_response: '{not json' }], problems: [] });
  });

  it('keeps a Flow reply whose params have no flow_token, without a button id', () => {
    const out = normalizeWasender(flowWithParams('{"id":"menu_1"}'), context());
    expect(out).toStrictEqual({ rows: [{ ...flowRow, button_id: null, flow_response: '{"id":"menu_1"}' }], problems: [] });
  });

  it('accepts Flow params that arrive already parsed', () => {
    const out = normalizeWasender(flowWithParams({ flow_token: 'ft_survey_0525' }), context());
    expect(out.rows[0]).toStrictEqual({ ...flowRow, flow_response: '{"flow_token":"ft_survey_0525"}' });
  });
});

describe('normalizeWasender inbound messages', () => {
  const textRow = expected({
    event_id: 'wasender:3EB0E5F6A7B8C9D0E1F2',
    wamid: '3EB0E5F6A7B8C9D0E1F2',
    wa_id: '15551234567',
    event_ts: 1747775700000,
    event_date: '2025-05-20',
  });

  it('reads messages.received as one object, the user from cleanedSenderPn, the time from the envelope when the message has none', () => {
    expect(normalizeWasender(fixture('messages-received-text.json'), context())).toStrictEqual({ rows: [textRow], problems: [] });
  });

  it('gives the same row for a message sent as an upsert array or a received object', () => {
    const received = fixture('messages-received-text.json');
    const data = received.data as { messages: unknown };
    const asUpsert = { ...received, event: 'messages.upsert', data: { messages: [data.messages] } };
    const asReceivedArray = { ...received, data: { messages: [data.messages] } };
    const asUpsertObject = { ...received, event: 'messages.upsert' };
    for (const body of [asUpsert, asReceivedArray, asUpsertObject]) {
      expect(normalizeWasender(body, context())).toStrictEqual({ rows: [textRow], problems: [] });
    }
  });

  it('skips fromMe echoes and status stories; other contents become message rows with their quoted id', () => {
    expect(normalizeWasender(fixture('messages-upsert-mixed.json'), context())).toStrictEqual({
      rows: [
        expected({
          event_id: 'wasender:3EB0F1E2D3C4B5A69788',
          wamid: '3EB0F1E2D3C4B5A69788',
          context_wamid: 'BAE5F8A2C1D3E4B6',
          wa_id: '15551239999',
          event_ts: 1747775800000,
          event_date: '2025-05-20',
        }),
        expected({
          event_id: 'wasender:3EB0A9B8C7D6E5F40312',
          wamid: '3EB0A9B8C7D6E5F40312',
          wa_id: '15551230001',
          event_ts: 1747775900000,
          event_date: '2025-05-20',
        }),
        expected({
          event_id: 'wasender:3EB0123456789ABCDEF0',
          wamid: '3EB0123456789ABCDEF0',
          wa_id: '15551230001',
          event_ts: 1747775950000,
          event_date: '2025-05-20',
        }),
        expected({
          event_id: 'wasender:3EB0AAAABBBBCCCCDDDD',
          kind: 'click',
          interaction: 'button_reply',
          wamid: '3EB0AAAABBBBCCCCDDDD',
          context_wamid: 'BAE5F8A2C1D3E4B6',
          wa_id: '15551234567',
          button_id: 'btn_later',
          button_title: 'Maybe later 🕒',
          event_ts: 1747775990000,
          event_date: '2025-05-20',
        }),
      ],
      problems: [],
    });
  });

  it('takes the user from cleanedSenderPn, else senderPn, else remoteJid without its device suffix', () => {
    const userOf = (key: Record<string, unknown>): string | null => {
      const body = { event: 'messages.upsert', timestamp: 1747775432, data: { messages: [{ key: { id: 'ID1', fromMe: false, ...key }, messageTimestamp: 1747775431, message: { conversation: 'hi' } }] } };
      return normalizeWasender(body, context()).rows[0]!.wa_id;
    };
    expect(userOf({ remoteJid: '204581234567890@lid', senderPn: '15550000001@s.whatsapp.net', cleanedSenderPn: '15551234567' })).toBe('15551234567');
    expect(userOf({ remoteJid: '204581234567890@lid', senderPn: '15550000001@s.whatsapp.net' })).toBe('15550000001');
    expect(userOf({ remoteJid: '15551239999:12@s.whatsapp.net' })).toBe('15551239999');
    expect(userOf({ remoteJid: '15551239999@s.whatsapp.net' })).toBe('15551239999');
    expect(userOf({ remoteJid: '204581234567890@lid' })).toBe('204581234567890');
    expect(userOf({ remoteJid: '120363041234567890@g.us', participant: '15551230002@s.whatsapp.net' })).toBe('15551230002');
    expect(userOf({ remoteJid: 'not a jid' })).toBeNull();
    expect(userOf({})).toBeNull();
  });

  it('pseudonymizes the user with the keyed HMAC in hash mode', () => {
    const pseudonymize = createPseudonymizer('hash', 'test-pii-key');
    const row = normalizeWasender(fixture('messages-upsert-button-reply.json'), context({ pseudonymize })).rows[0]!;
    expect(row.wa_id).toBe(createHmac('sha256', 'test-pii-key').update('15551234567').digest('hex'));
  });

  it('dates events in the reporting time zone', () => {
    const row = normalizeWasender(fixture('messages-upsert-button-reply.json'), context({ timeZone: 'Asia/Kolkata' })).rows[0]!;
    expect([row.event_ts, row.event_date]).toEqual([1747775431000, '2025-05-21']);
  });

  it('fills every column of the schema, in schema order', () => {
    const row = normalizeWasender(fixture('messages-upsert-button-reply.json'), context()).rows[0]!;
    expect(Object.keys(row)).toEqual(flatRowColumns.map((c) => c.name));
  });
});

describe('normalizeWasender statuses', () => {
  const status = (wamid: string, name: string, waId: string): FlatRow =>
    expected({
      event_id: `wasender:${wamid}:${name}`,
      kind: 'status',
      wamid,
      wa_id: waId,
      status: name,
      event_ts: 1747775431467,
      event_date: '2025-05-20',
    });

  it('maps WAMessageStatus 0/2/3/4/5 and skips PENDING, updates without a status and receipts of inbound messages', () => {
    expect(normalizeWasender(fixture('messages-update-statuses.json'), context())).toStrictEqual({
      rows: [
        status('BAE5F8A2C1D3E4B6', 'sent', '15551234567'),
        status('BAE5F8A2C1D3E4B6', 'delivered', '15551234567'),
        status('BAE5F8A2C1D3E4B6', 'read', '15551234567'),
        status('BAE5C0FFEE123456', 'played', '15551230001'),
        status('BAE5DEADBEEF0002', 'failed', '15551230002'),
      ],
      problems: [],
    });
  });

  it('reads a single update object, the user from remoteJid without its device suffix', () => {
    expect(normalizeWasender(fixture('messages-update-single.json'), context())).toStrictEqual({
      rows: [status('BAE5AB12CD34EF56', 'delivered', '447700900123')],
      problems: [],
    });
  });

  it('accepts statuses as numeric strings and Baileys enum names', () => {
    const names = ['ERROR', '2', 'DELIVERY_ACK', 'READ', 'PLAYED', 'PENDING', '1'].map((s) => {
      const body = { event: 'messages.update', timestamp: 1747775431467, data: { key: { id: 'X', remoteJid: '1@s.whatsapp.net', fromMe: true }, update: { status: s } } };
      return normalizeWasender(body, context()).rows.map((r) => r.status);
    });
    expect(names).toEqual([['failed'], ['sent'], ['delivered'], ['read'], ['played'], [], []]);
  });

  it('reads statuses sent as names (WASenderApi SDK shape), in an array or a single object', () => {
    expect(normalizeWasender(fixture('messages-update-status-names.json'), context())).toStrictEqual({
      rows: [
        status('3EB0C431C26A1D4A3F2C', 'delivered', '15551234567'),
        status('3EB0C431C26A1D4A3F2C', 'read', '15551234567'),
        status('3EB0D5E6F70812345678', 'played', '15551230001'),
        status('3EB0D5E6F70812345679', 'failed', '15551230002'),
      ],
      problems: [],
    });
    expect(normalizeWasender(fixture('messages-update-status-name-single.json'), context())).toStrictEqual({
      rows: [status('3EB0C431C26A1D4A3F2C', 'delivered', '15551234567')],
      problems: [],
    });
  });

  it('gives a status the same id whether it came as a number or as a name', () => {
    const numeric = { event: 'messages.update', timestamp: 1747775431467, data: { key: { id: 'N', remoteJid: '1@s.whatsapp.net', fromMe: true }, update: { status: 4 } } };
    const named = { ...numeric, data: { ...numeric.data, update: { status: 'read' } } };
    expect(normalizeWasender(named, context()).rows.map((r) => r.event_id)).toEqual(normalizeWasender(numeric, context()).rows.map((r) => r.event_id));
  });

  it('reports an unknown status, a status without message id and a missing timestamp as bad_shape', () => {
    const body = {
      event: 'messages.update',
      timestamp: 1747775431467,
      data: [
        { key: { id: 'A', remoteJid: '1@s.whatsapp.net', fromMe: true }, update: { status: 9 } },
        { key: { remoteJid: '1@s.whatsapp.net', fromMe: true }, update: { status: 3 } },
        { key: { id: 'C', remoteJid: '1@s.whatsapp.net', fromMe: true }, update: { status: 'constructor' } },
        'junk',
        { key: { id: 'E', remoteJid: '1@s.whatsapp.net', fromMe: true }, update: { status: 3 } },
      ],
    };
    expect(normalizeWasender(body, context())).toStrictEqual({
      rows: [status('E', 'delivered', '1')],
      problems: [
        { reason: 'bad_shape', message: 'data[0].update.status is not a known status' },
        { reason: 'bad_shape', message: 'data[1].key.id is missing' },
        { reason: 'bad_shape', message: 'data[2].update.status is not a known status' },
        { reason: 'bad_shape', message: 'data[3] is not an object' },
      ],
    });
    const { timestamp: _dropped, ...untimed } = body;
    expect(normalizeWasender({ ...untimed, data: body.data[4] }, context())).toStrictEqual({
      rows: [],
      problems: [{ reason: 'bad_shape', message: 'timestamp is missing' }],
    });
  });
});

describe('normalizeWasender envelopes', () => {
  it.each(['session-status.json', 'chats-upsert.json'])('ignores %s: no rows, no problem', (name) => {
    expect(normalizeWasender(fixture(name), context())).toStrictEqual({ rows: [], problems: [] });
  });

  it.each(['qrcode.updated', 'contacts.upsert', 'groups.update', 'messages.delete', 'messages.reaction'])(
    'ignores the %s event',
    (event) => {
      expect(normalizeWasender({ event, timestamp: 1747775000, data: { messages: [{ key: { id: 'X' } }] } }, context())).toStrictEqual({ rows: [], problems: [] });
    },
  );

  it.each([null, 'messages.upsert', 42, true, [], [{ event: 'messages.upsert' }], {}, { event: 5 }, { data: {} }])('rejects %p as not_whatsapp', (payload) => {
    expect(normalizeWasender(payload, context())).toStrictEqual({
      rows: [],
      problems: [{ reason: 'not_whatsapp', message: 'not a WASenderApi event: no string "event"' }],
    });
  });

  it('gives a redelivered body the same event ids', () => {
    const first = normalizeWasender(fixture('messages-upsert-mixed.json'), context()).rows.map((r) => r.event_id);
    const again = normalizeWasender(fixture('messages-upsert-mixed.json'), context({ receivedTs: RECEIVED + 60_000, requestId: 'req-retry' })).rows.map((r) => r.event_id);
    expect(again).toEqual(first);
    expect(new Set(first).size).toBe(4);
  });
});

describe('normalizeWasender broken input', () => {
  it('keeps the good messages and reports each broken one', () => {
    expect(normalizeWasender(fixture('messages-upsert-partly-broken.json'), context())).toStrictEqual({
      rows: [buttonReplyRow],
      problems: [
        { reason: 'bad_shape', message: 'data.messages[1].key.id is missing' },
        { reason: 'bad_shape', message: 'data.messages[2] is not an object' },
      ],
    });
  });

  it.each([
    [{ event: 'messages.upsert', timestamp: 1, data: 'x' }, 'data is not an object'],
    [{ event: 'messages.upsert', timestamp: 1, data: {} }, 'data.messages is missing'],
    [{ event: 'messages.received', timestamp: 1, data: { messages: 7 } }, 'data.messages is missing'],
    [{ event: 'messages.update', timestamp: 1, data: null }, 'data is not an object or array'],
    [{ event: 'messages.upsert', data: { messages: [{ key: { id: 'A', remoteJid: '1@s.whatsapp.net' }, message: {} }] } }, 'data.messages[0] has no timestamp'],
  ])('reports %j as bad_shape', (payload, message) => {
    expect(normalizeWasender(payload, context())).toStrictEqual({ rows: [], problems: [{ reason: 'bad_shape', message }] });
  });

  it('reads __proto__ keys as plain data without touching prototypes', () => {
    const payload: unknown = JSON.parse(
      '{"event":"messages.upsert","timestamp":1,"data":{"messages":[{"__proto__":{"key":{"id":"P"}},"messageTimestamp":1},' +
        '{"key":{"id":"Q","__proto__":{"fromMe":true},"remoteJid":"15551230001@s.whatsapp.net"},"messageTimestamp":1747775431,"message":{"__proto__":{"buttonsResponseMessage":{"selectedButtonId":"evil"}}}}]}}',
    );
    expect(normalizeWasender(payload, context())).toStrictEqual({
      rows: [expected({ event_id: 'wasender:Q', wamid: 'Q', wa_id: '15551230001', event_ts: 1747775431000, event_date: '2025-05-20' })],
      problems: [{ reason: 'bad_shape', message: 'data.messages[0].key.id is missing' }],
    });
    expect(({} as Record<string, unknown>).key).toBeUndefined();
  });

  it('handles deep nesting and huge arrays', () => {
    let deep: unknown = { conversation: 'bottom' };
    for (let i = 0; i < 10_000; i++) deep = { ephemeralMessage: { message: deep } };
    const nested = normalizeWasender({ event: 'messages.upsert', timestamp: 1747775432, data: { messages: [{ key: { id: 'D', remoteJid: '1@s.whatsapp.net' }, message: deep }] } }, context());
    expect(nested.rows.map((r) => [r.kind, r.wamid])).toEqual([['message', 'D']]);

    const many = Array.from({ length: 50_000 }, (_, i) => ({ key: { id: `W${i}`, remoteJid: '1@s.whatsapp.net', fromMe: true }, update: { status: 3 } }));
    const out = normalizeWasender({ event: 'messages.update', timestamp: 1747775431467, data: many }, context());
    expect([out.rows.length, out.rows[49_999]!.event_id, out.problems.length]).toEqual([50_000, 'wasender:W49999:delivered', 0]);
  });

  it('never throws and only makes full rows or known problems, whatever the payload', () => {
    const events = fc.constantFrom('messages.upsert', 'messages.received', 'messages.update', 'session.status');
    const payloads = fc.oneof(
      fc.jsonValue(),
      fc.record({ event: events, timestamp: fc.jsonValue(), data: fc.jsonValue() }),
      fc.record({ event: events, timestamp: fc.integer({ min: 0, max: 2e12 }), data: fc.record({ messages: fc.array(fc.record({ key: fc.record({ id: fc.string(), fromMe: fc.boolean(), remoteJid: fc.string() }), message: fc.jsonValue(), messageTimestamp: fc.jsonValue() })) }) }),
    );
    const columns = flatRowColumns.map((c) => c.name);
    fc.assert(
      fc.property(payloads, (payload) => {
        const out = normalizeWasender(payload, context());
        for (const row of out.rows) expect(Object.keys(row)).toEqual(columns);
        for (const p of out.problems) expect(quarantineReasons).toContain(p.reason);
      }),
      { numRuns: 500 },
    );
  });
});

describe('normalizeWasender group receipts (message-receipt.update)', () => {
  const receipt = (wamid: string, name: string, waId: string, ts: number, participant: string | null): FlatRow =>
    expected({
      event_id: participant === null ? `wasender:${wamid}:${name}` : `wasender:${wamid}:${name}:${participant}`,
      kind: 'status',
      wamid,
      wa_id: waId,
      status: name,
      event_ts: ts,
      event_date: '2025-05-20',
    });

  it("makes each participant's delivery and read of a group message its own status fact", () => {
    expect(normalizeWasender(fixture('message-receipt-update-group.json'), context())).toStrictEqual({
      rows: [
        receipt('3EB0F1E2D3C4B5A69788', 'delivered', '15551234567', 1747775440000, '15551234567'),
        receipt('3EB0F1E2D3C4B5A69788', 'read', '15551234567', 1747775490000, '15551234567'),
        receipt('3EB0F1E2D3C4B5A69788', 'delivered', '447700900123', 1747775445000, '447700900123'),
      ],
      problems: [],
    });
  });

  it('reads the SDK shape (status and t); one-to-one it dedupes with the messages.update status', () => {
    const { rows, problems } = normalizeWasender(fixture('message-receipt-update-sdk.json'), context());
    expect(problems).toEqual([]);
    expect(rows).toStrictEqual([receipt('3EB0C431C26A1D4A3F2C', 'read', '15551234567', 1747775490000, null)]);
    const update = normalizeWasender(fixture('messages-update-status-names.json'), context()).rows.find((r) => r.status === 'read');
    expect(rows[0]!.event_id).toBe(update!.event_id);
  });

  it('pseudonymizes the participant in the id in hash mode', () => {
    const ctx = context({ pseudonymize: createPseudonymizer('hash', 'k') });
    const ids = normalizeWasender(fixture('message-receipt-update-group.json'), ctx).rows.map((r) => r.event_id);
    for (const id of ids) expect(id).not.toMatch(/15551234567|447700900123/);
    expect(ids[0]).toBe(`wasender:3EB0F1E2D3C4B5A69788:delivered:${createHmac('sha256', 'k').update('15551234567').digest('hex')}`);
  });

  it('reports a receipt without a receipt object or with an unknown status as bad_shape', () => {
    const body = {
      event: 'message-receipt.update',
      timestamp: 1747775500000,
      data: [
        { key: { id: 'A', remoteJid: '1@g.us', fromMe: true } },
        { key: { id: 'B', remoteJid: '1@g.us', fromMe: true }, receipt: { userJid: '2@s.whatsapp.net', status: 'seen-ish' } },
      ],
    };
    expect(normalizeWasender(body, context()).problems).toEqual([
      { reason: 'bad_shape', message: 'data[0].receipt is not an object' },
      { reason: 'bad_shape', message: 'data[1].receipt.status is not a known status' },
    ]);
  });
});
