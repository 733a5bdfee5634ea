import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { normalizeRegistry, type NormalizeContext } from '../../../shared/normalize';
import { createPseudonymizer } from '../../../shared/pii';
import { flatRowColumns } from '../../../shared/schema/columns';
import type { FlatRow } from '../../../shared/schema/types';
import { fullRow } from '../../support/rows';

const RECEIVED = 1747775460000;
const REQUEST = 'req-sends-01';

function fixture(name: string): unknown {
  return JSON.parse(readFileSync(join(__dirname, '../../fixtures/registry', name), 'utf8'));
}

function context(overrides: Partial<NormalizeContext> = {}): NormalizeContext {
  return {
    source: 'registry',
    receivedTs: RECEIVED,
    requestId: REQUEST,
    timeZone: 'UTC',
    pseudonymize: createPseudonymizer('raw', undefined),
    ...overrides,
  };
}

/** A full expected send row: every column, null unless given. */
function send(fields: Partial<FlatRow>): FlatRow {
  return fullRow({ event_id: '', kind: 'send', source: 'registry', received_ts: RECEIVED, request_id: REQUEST, ...fields });
}

const singleRow = send({
  event_id: 'registry:BAE5F8A2C1D3E4B6',
  wamid: 'BAE5F8A2C1D3E4B6',
  wa_id: '15551234567',
  campaign_id: 'summer_sale_2025',
  template_name: 'summer_sale_slot_v2',
  buttons: '[{"id":"btn_yes","title":"Yes, book me in"},{"id":"btn_later","title":"Maybe later 🕒"},{"id":"STOP_PROMOS","title":"Stop promotions"}]',
  event_ts: 1747775400000,
  event_date: '2025-05-20',
});

/** One valid send with some fields replaced. */
function sendBody(fields: Record<string, unknown>): Record<string, unknown> {
  return { wamid: 'W1', wa_id: '15551230001', sent_at: '2025-05-20T21:10:00Z', ...fields };
}

describe('normalizeRegistry', () => {
  it('turns one send into a send row with its buttons in display order', () => {
    expect(normalizeRegistry(fixture('send-single.json'), context())).toStrictEqual({ rows: [singleRow], problems: [] });
  });

  it('turns an array of sends into rows: zones honoured, numbers coerced, phone numbers normalized, optional fields null', () => {
    expect(normalizeRegistry(fixture('send-batch.json'), context())).toStrictEqual({
      rows: [
        send({
          event_id: 'registry:wamid.HBgLMTU1NTEyMzAwMDEVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA',
          wamid: 'wamid.HBgLMTU1NTEyMzAwMDEVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA',
          wa_id: '15551230001',
          campaign_id: 'summer_sale_2025',
          template_name: 'pizza_size_menu',
          buttons: '[{"id":"size_small","title":"Small · 20 cm"},{"id":"size_large","title":"Large · 30 cm"}]',
          event_ts: 1747775112345,
          event_date: '2025-05-20',
        }),
        send({
          event_id: 'registry:BAE5AB12CD34EF56',
          wamid: 'BAE5AB12CD34EF56',
          wa_id: '447700900123',
          campaign_id: '20250520',
          buttons: '[{"id":"1","title":"مرحبا"},{"id":"2","title":"Stop promotions"}]',
          event_ts: 1747775100000,
          event_date: '2025-05-20',
        }),
        send({
          event_id: 'registry:BAE5FEEDFACE0001',
          wamid: 'BAE5FEEDFACE0001',
          wa_id: '5511987654321',
          event_ts: 1747774800500,
          event_date: '2025-05-20',
        }),
      ],
      problems: [],
    });
  });

  it('keeps the good sends of a batch and reports each broken one', () => {
    const out = normalizeRegistry(fixture('send-partly-broken.json'), context());
    expect(out).toStrictEqual({
      rows: [
        send({
          event_id: 'registry:BAE5DEADBEEF0002',
          wamid: 'BAE5DEADBEEF0002',
          wa_id: '15551230002',
          campaign_id: 'summer_sale_2025',
          buttons: '[{"id":"btn_yes","title":"Yes"}]',
          event_ts: 1747775400000,
          event_date: '2025-05-20',
        }),
      ],
      problems: [
        { reason: 'bad_shape', message: 'sends[1].wamid is missing' },
        { reason: 'bad_shape', message: 'sends[2].sent_at is not an ISO-8601 time with a zone' },
        { reason: 'bad_shape', message: 'sends[3].sent_at is not an ISO-8601 time with a zone' },
        { reason: 'bad_shape', message: 'sends[4].buttons is not an array of {id, title} with string ids and titles' },
        { reason: 'bad_shape', message: 'sends[5] is not an object' },
      ],
    });
  });

  it.each([null, 'BAE5F8A2C1D3E4B6', 42, true])('rejects %p as not_whatsapp', (payload) => {
    expect(normalizeRegistry(payload, context())).toStrictEqual({
      rows: [],
      problems: [{ reason: 'not_whatsapp', message: 'a registry body is a send object or an array of them' }],
    });
  });

  it('makes nothing of an empty array', () => {
    expect(normalizeRegistry([], context())).toStrictEqual({ rows: [], problems: [] });
  });

  it.each([
    ['2025-05-20T21:10Z', 1747775400000],
    ['2025-05-21T02:40:00+0530', 1747775400000],
    ['2025-05-21T02:40:00+05', 1747777200000],
    ['2025-05-20t21:10:00z', 1747775400000],
    ['2025-05-20 21:10:00Z', 1747775400000],
    ['2025-05-20T21:10:00.123456789Z', 1747775400123],
    ['2024-02-29T00:00:00Z', 1709164800000],
  ])('reads sent_at %s', (sentAt, epochMs) => {
    expect(normalizeRegistry(sendBody({ sent_at: sentAt }), context()).rows.map((r) => r.event_ts)).toEqual([epochMs]);
  });

  it.each([
    '2025-05-20T21:10:00',
    '2025-05-20',
    '2025-02-29T00:00:00Z',
    '2025-13-01T00:00:00Z',
    '2025-05-20T24:00:00Z',
    '2025-05-20T21:60:00Z',
    '2025-05-20T21:10:00+25:00',
    '1969-12-31T23:59:59Z',
    'yesterday',
    1747775400000,
    null,
  ])('rejects sent_at %p', (sentAt) => {
    expect(normalizeRegistry(sendBody({ sent_at: sentAt }), context())).toStrictEqual({
      rows: [],
      problems: [{ reason: 'bad_shape', message: 'send.sent_at is not an ISO-8601 time with a zone' }],
    });
  });

  it('keeps only id and title of each button, a missing title as null, an empty list as []', () => {
    const buttonsOf = (buttons: unknown): string | null => normalizeRegistry(sendBody({ buttons }), context()).rows[0]!.buttons;
    expect(buttonsOf([{ title: 'Yes', id: 'y', index: 0 }, { id: 'n' }])).toBe('[{"id":"y","title":"Yes"},{"id":"n","title":null}]');
    expect(buttonsOf([])).toBe('[]');
    expect(buttonsOf(null)).toBeNull();
  });

  it.each([
    [{ buttons: 'btn_yes' }, 'send.buttons is not an array of {id, title} with string ids and titles'],
    [{ buttons: [{ title: 'Yes' }] }, 'send.buttons is not an array of {id, title} with string ids and titles'],
    [{ buttons: ['btn_yes'] }, 'send.buttons is not an array of {id, title} with string ids and titles'],
    [{ buttons: [{ id: ['btn_yes'], title: 'Yes' }] }, 'send.buttons is not an array of {id, title} with string ids and titles'],
    [{ campaign_id: { name: 'summer' } }, 'send.campaign_id is not a string'],
    [{ template_name: true }, 'send.template_name is not a string'],
    [{ wa_id: ['15551230001'] }, 'send.wa_id is not a string'],
    [{ wamid: 12345 }, 'send.wamid is missing'],
    [{ wamid: '' }, 'send.wamid is missing'],
  ])('reports %j as bad_shape', (fields, message) => {
    expect(normalizeRegistry(sendBody(fields), context())).toStrictEqual({ rows: [], problems: [{ reason: 'bad_shape', message }] });
  });

  it('treats empty campaign and template as not given, and keeps a recipient that is not a phone number as sent', () => {
    const row = normalizeRegistry(sendBody({ campaign_id: '', template_name: '', wa_id: '204581234567890@lid' }), context()).rows[0]!;
    expect([row.campaign_id, row.template_name, row.wa_id]).toEqual([null, null, '204581234567890@lid']);
  });

  it("keeps the experiment and variant a send names, and quarantines the send whose arm is not text", () => {
    const row = normalizeRegistry(sendBody({ experiment_id: 'cta-copy-2026', variant: 'control' }), context()).rows[0]!;
    expect([row.experiment_id, row.variant]).toEqual(['cta-copy-2026', 'control']);
    expect(normalizeRegistry(sendBody({}), context()).rows[0]!).toMatchObject({ experiment_id: null, variant: null });
    const broken = normalizeRegistry([sendBody({ wamid: 'W1', variant: { arm: 'B' } }), sendBody({ wamid: 'W2', experiment_id: 12, variant: 'B' })], context());
    expect(broken.rows.map((r) => [r.wamid, r.experiment_id, r.variant])).toEqual([['W2', '12', 'B']]);
    expect(broken.problems).toEqual([{ reason: 'bad_shape', message: 'sends[0].variant is not a string' }]);
  });

  it('keeps the split a send declares as JSON in variant order, so the same split is the same text', () => {
    const row = normalizeRegistry(sendBody({ experiment_id: 'cta-copy-2026', variant: 'b', split: { control: 2, b: 1 } }), context()).rows[0]!;
    expect(row.experiment_split).toBe('{"b":1,"control":2}');
    expect(normalizeRegistry(sendBody({ experiment_id: 'cta-copy-2026', variant: 'b' }), context()).rows[0]!.experiment_split).toBeNull();
  });

  it.each([
    [{ split: [0.5, 0.5] }, 'send.split is not an object of variant -> positive share'],
    [{ split: {} }, 'send.split is not an object of variant -> positive share'],
    [{ split: { control: 0.5, b: 0 } }, 'send.split is not an object of variant -> positive share'],
    [{ split: { control: '0.5', b: 0.5 } }, 'send.split is not an object of variant -> positive share'],
    [{ variant: undefined, split: { control: 0.5, b: 0.5 } }, 'send.split needs experiment_id and variant'],
    [{ variant: 'c', split: { control: 0.5, b: 0.5 } }, 'send.split does not name its variant "c"'],
  ])('reports the split of %j as bad_shape', (fields, message) => {
    const body = sendBody({ experiment_id: 'cta-copy-2026', variant: 'b', ...fields });
    expect(normalizeRegistry(body, context())).toStrictEqual({ rows: [], problems: [{ reason: 'bad_shape', message }] });
  });

  it('pseudonymizes the recipient so that +1 555-123-0001 and 15551230001 are the same user', () => {
    const pseudonymize = createPseudonymizer('hash', 'test-pii-key');
    const ids = ['+1 555-123-0001', '15551230001', 15551230001].map((wa_id) => normalizeRegistry(sendBody({ wa_id }), context({ pseudonymize })).rows[0]!.wa_id);
    expect(ids[0]).toMatch(/^[0-9a-f]{64}$/);
    expect(ids).toEqual([ids[0], ids[0], ids[0]]);
  });

  it('gives a resent registry entry the same event id', () => {
    const first = normalizeRegistry(fixture('send-single.json'), context()).rows[0]!.event_id;
    const again = normalizeRegistry(fixture('send-single.json'), context({ receivedTs: RECEIVED + 5000, requestId: 'req-sends-02' })).rows[0]!.event_id;
    expect([first, again]).toEqual(['registry:BAE5F8A2C1D3E4B6', 'registry:BAE5F8A2C1D3E4B6']);
  });

  it('dates a send in the reporting time zone', () => {
    const row = normalizeRegistry(fixture('send-single.json'), context({ timeZone: 'Asia/Kolkata' })).rows[0]!;
    expect(row.event_date).toBe('2025-05-21');
  });

  it('reads __proto__ keys as plain data', () => {
    const payload: unknown = JSON.parse('[{"__proto__":{"wamid":"P"},"sent_at":"2025-05-20T21:10:00Z"},{"wamid":"Q","sent_at":"2025-05-20T21:10:00Z","buttons":[{"__proto__":{"id":"x"},"title":"t"}]}]');
    expect(normalizeRegistry(payload, context())).toStrictEqual({
      rows: [],
      problems: [
        { reason: 'bad_shape', message: 'sends[0].wamid is missing' },
        { reason: 'bad_shape', message: 'sends[1].buttons is not an array of {id, title} with string ids and titles' },
      ],
    });
  });

  it('handles a huge batch', () => {
    const sends = Array.from({ length: 50_000 }, (_, i) => sendBody({ wamid: `W${i}` }));
    const out = normalizeRegistry(sends, context());
    expect([out.rows.length, out.rows[49_999]!.event_id, out.problems.length]).toEqual([50_000, 'registry:W49999', 0]);
  });

  it('never throws and only makes full send rows, whatever the payload', () => {
    const columns = flatRowColumns.map((c) => c.name);
    const sendLike = fc.record(
      { wamid: fc.jsonValue(), sent_at: fc.oneof(fc.date({ noInvalidDate: true }).map((d) => d.toISOString()), fc.jsonValue()), wa_id: fc.jsonValue(), buttons: fc.jsonValue(), campaign_id: fc.jsonValue() },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), sendLike, fc.array(sendLike)), (payload) => {
        const out = normalizeRegistry(payload, context());
        for (const row of out.rows) {
          expect(Object.keys(row)).toEqual(columns);
          expect([row.kind, typeof row.wamid, typeof row.event_ts]).toEqual(['send', 'string', 'number']);
        }
        for (const p of out.problems) expect(['bad_shape', 'not_whatsapp']).toContain(p.reason);
      }),
      { numRuns: 500 },
    );
  });
});
