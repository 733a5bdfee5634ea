import { createHash, createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import type { Envelope } from '../../../shared/envelope';
import { normalizeConversions, normalizeMeta, processEnvelope, quarantineReasons, type NormalizeContext, type TransformSettings } from '../../../shared/normalize';
import { MAX_CONVERSIONS_PER_BODY } from '../../../shared/normalize/conversions';
import { createPseudonymizer, type PiiMode } from '../../../shared/pii';
import { flatRowColumns } from '../../../shared/schema/columns';
import type { FlatRow } from '../../../shared/schema/types';
import { fullRow } from '../../support/rows';

const RECEIVED = 1751553600000; // 2025-07-03T14:40:00Z
const REQUEST = 'req-conversions-01';
const KEY = 'test-pii-key';
/** The expected pseudonym, computed with node:crypto directly (not through the code under test). */
const hmac = (value: string) => createHmac('sha256', KEY).update(value, 'utf8').digest('hex');

const fixtureText = (path: string) => readFileSync(join(__dirname, '../../fixtures', path), 'utf8');
const fixture = (path: string): unknown => JSON.parse(fixtureText(path));

function context(overrides: Partial<NormalizeContext> = {}): NormalizeContext {
  return { source: 'conversions', receivedTs: RECEIVED, requestId: REQUEST, timeZone: 'UTC', pseudonymize: createPseudonymizer('raw', undefined), ...overrides };
}

/** A full expected conversion row: every column, null unless given. */
function conversion(fields: Partial<FlatRow>): FlatRow {
  return fullRow({ event_id: '', kind: 'conversion', source: 'conversions', received_ts: RECEIVED, request_id: REQUEST, ...fields });
}

/** One valid conversion with some fields replaced (undefined deletes a field). */
function item(fields: Record<string, unknown> = {}): Record<string, unknown> {
  const base: Record<string, unknown> = { conversion_id: 'c-1', wa_id: '16315551181', name: 'purchase', occurred_at: '2025-07-03T14:05:00Z', value: 19.99, currency: 'USD' };
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined) delete base[k];
    else base[k] = v;
  }
  return base;
}

const CONVERSION_REASONS = quarantineReasons.filter((r) => r.startsWith('conversion_'));

describe('normalizeConversions: good conversions', () => {
  it('turns one posted conversion into a conversion row with every column', () => {
    expect(normalizeConversions(fixture('conversions/single.json'), context())).toStrictEqual({
      rows: [
        conversion({
          event_id: 'conversions:ord-2025-000187',
          // +55 11 95555-0147 as WhatsApp writes it.
          wa_id: '5511955550147',
          conversion_name: 'purchase',
          value: 149.9,
          currency: 'BRL',
          campaign_id: 'winter_boots_2025',
          // 2025-06-25T02:41:17-03:00 is 05:41:17 UTC.
          event_ts: 1750830077000,
          event_date: '2025-06-25',
        }),
      ],
      problems: [],
    });
  });

  it('fills the columns in schema order', () => {
    const [row] = normalizeConversions(fixture('conversions/single.json'), context()).rows;
    expect(Object.keys(row!)).toEqual(flatRowColumns.map((c) => c.name));
  });

  it('turns an array into rows: zones honoured, numeric ids as text, value and currency optional', () => {
    expect(normalizeConversions(fixture('conversions/batch.json'), context())).toStrictEqual({
      rows: [
        conversion({ event_id: 'conversions:ord-2025-000188', wa_id: '16315551181', conversion_name: 'purchase', value: 59.5, currency: 'USD', event_ts: 1751551500000, event_date: '2025-07-03' }),
        // 19:35:00.250 at +05:30 is 14:05:00.250 UTC.
        conversion({ event_id: 'conversions:4400912', wa_id: '919555501234', conversion_name: 'signup', event_ts: 1751551500250, event_date: '2025-07-03' }),
        conversion({
          event_id: 'conversions:jp-77',
          wa_id: '819012345678',
          conversion_name: 'purchase',
          value: 4800,
          currency: 'JPY',
          campaign_id: 'tokyo_launch',
          event_ts: 1751500800000,
          event_date: '2025-07-03',
        }),
        conversion({ event_id: 'conversions:lead-0001', wa_id: '5511955550147', conversion_name: 'lead', event_ts: 1751544000000, event_date: '2025-07-03' }),
      ],
      problems: [],
    });
  });

  it('takes a value of 0 and an upper- or lower-case currency code', () => {
    const rows = normalizeConversions([item({ conversion_id: 'a', value: 0, currency: 'eur' }), item({ conversion_id: 'b', currency: ' Gbp ' })], context()).rows;
    expect(rows.map((r) => [r.value, r.currency])).toEqual([
      [0, 'EUR'],
      [19.99, 'GBP'],
    ]);
  });

  it('treats an empty campaign as not given and keeps a numeric campaign as its text', () => {
    const rows = normalizeConversions([item({ conversion_id: 'a', campaign_id: '' }), item({ conversion_id: 'b', campaign_id: 20250703 })], context()).rows;
    expect(rows.map((r) => r.campaign_id)).toEqual([null, '20250703']);
  });

  it('dates a conversion in the reporting time zone', () => {
    // 05:41:17 UTC on 2025-06-25 is 22:41:17 on the 24th in Los Angeles.
    const [row] = normalizeConversions(fixture('conversions/single.json'), context({ timeZone: 'America/Los_Angeles' })).rows;
    expect([row!.event_ts, row!.event_date]).toEqual([1750830077000, '2025-06-24']);
  });

  it('makes nothing of an empty array', () => {
    expect(normalizeConversions([], context())).toStrictEqual({ rows: [], problems: [] });
  });

  it(`takes ${MAX_CONVERSIONS_PER_BODY} conversions in one body`, () => {
    const body = Array.from({ length: MAX_CONVERSIONS_PER_BODY }, (_, i) => item({ conversion_id: `c-${i}` }));
    const out = normalizeConversions(body, context());
    expect([out.rows.length, out.rows[499]!.event_id, out.problems]).toEqual([500, 'conversions:c-499', []]);
  });
});

describe('normalizeConversions: bad conversions', () => {
  it('keeps the good conversions of an array and reports each bad one with its own reason and the item itself', () => {
    const body = fixture('conversions/partly-broken.json') as unknown[];
    const out = normalizeConversions(body, context());
    expect(out.rows).toStrictEqual([
      conversion({ event_id: 'conversions:ord-2025-000190', wa_id: '16315551181', conversion_name: 'purchase', value: 19.99, currency: 'USD', event_ts: 1751551500000, event_date: '2025-07-03' }),
      conversion({
        event_id: 'conversions:ord-2025-000199',
        wa_id: '5511955550147',
        conversion_name: 'purchase',
        value: 0,
        currency: 'BRL',
        campaign_id: 'winter_boots_2025',
        // 11:13 at -03:00 is 14:13 UTC.
        event_ts: 1751551980000,
        event_date: '2025-07-03',
      }),
    ]);
    expect(out.problems).toStrictEqual([
      { reason: 'conversion_missing_id', message: 'conversions[1].conversion_id is missing', item: body[1] },
      { reason: 'conversion_missing_user', message: 'conversions[2].wa_id is missing', item: body[2] },
      { reason: 'conversion_missing_name', message: 'conversions[3].name is missing', item: body[3] },
      { reason: 'conversion_bad_time', message: 'conversions[4].occurred_at is not an ISO-8601 time with a zone', item: body[4] },
      { reason: 'conversion_bad_value', message: 'conversions[5].value is not a number ≥ 0', item: body[5] },
      { reason: 'conversion_bad_value', message: 'conversions[6].value is not a number ≥ 0', item: body[6] },
      { reason: 'conversion_unknown_currency', message: 'conversions[7].currency is not an ISO 4217 code', item: body[7] },
      { reason: 'not_whatsapp', message: 'conversions[8] is not a conversion object', item: 'ord-2025-000198' },
    ]);
  });

  it.each([
    ['conversion_missing_id', { conversion_id: undefined }],
    ['conversion_missing_id', { conversion_id: '' }],
    ['conversion_missing_id', { conversion_id: '   ' }],
    ['conversion_missing_id', { conversion_id: null }],
    ['conversion_missing_id', { conversion_id: { id: 'c-1' } }],
    ['conversion_missing_id', { conversion_id: true }],
    ['conversion_missing_user', { wa_id: undefined }],
    ['conversion_missing_user', { wa_id: '' }],
    ['conversion_missing_user', { wa_id: null }],
    ['conversion_missing_user', { wa_id: ['16315551181'] }],
    ['conversion_missing_name', { name: undefined }],
    ['conversion_missing_name', { name: '' }],
    ['conversion_missing_name', { name: ' ' }],
    ['conversion_missing_name', { name: 7 }],
    ['conversion_bad_time', { occurred_at: undefined }],
    ['conversion_bad_time', { occurred_at: '2025-07-03T14:05:00' }],
    ['conversion_bad_time', { occurred_at: '2025-07-03' }],
    ['conversion_bad_time', { occurred_at: '2025-02-29T10:00:00Z' }],
    ['conversion_bad_time', { occurred_at: '2025-07-03T24:00:00Z' }],
    ['conversion_bad_time', { occurred_at: 1751551500000 }],
    ['conversion_bad_time', { occurred_at: 'yesterday' }],
    ['conversion_bad_value', { value: -0.01 }],
    ['conversion_bad_value', { value: '19.99' }],
    ['conversion_bad_value', { value: true }],
    ['conversion_bad_value', { value: { amount: 19.99 } }],
    ['conversion_unknown_currency', { currency: 'US$' }],
    ['conversion_unknown_currency', { currency: 'XYZ' }],
    ['conversion_unknown_currency', { currency: 'EURO' }],
    ['conversion_unknown_currency', { currency: '' }],
    ['conversion_unknown_currency', { currency: 840 }],
    ['bad_shape', { campaign_id: { id: 'summer' } }],
  ])('quarantines %s for %j, alone, keeping the item', (reason, fields) => {
    const bad = item(fields);
    const out = normalizeConversions(bad, context());
    expect(out.rows).toEqual([]);
    expect(out.problems).toEqual([{ reason, message: expect.stringMatching(/^conversion[. ]/), item: bad }]);
  });

  it('checks the id first, then the user, the name, the time, the value and the currency', () => {
    const reasonOf = (fields: Record<string, unknown>) => normalizeConversions(item(fields), context()).problems.map((p) => p.reason);
    const everythingWrong = { conversion_id: '', wa_id: '', name: '', occurred_at: 'now', value: -1, currency: 'US$' };
    expect(reasonOf(everythingWrong)).toEqual(['conversion_missing_id']);
    expect(reasonOf({ ...everythingWrong, conversion_id: 'c' })).toEqual(['conversion_missing_user']);
    expect(reasonOf({ ...everythingWrong, conversion_id: 'c', wa_id: '1' })).toEqual(['conversion_missing_name']);
    expect(reasonOf({ ...everythingWrong, conversion_id: 'c', wa_id: '1', name: 'n' })).toEqual(['conversion_bad_time']);
    expect(reasonOf({ value: -1, currency: 'US$' })).toEqual(['conversion_bad_value']);
  });

  it(`quarantines a body of more than ${MAX_CONVERSIONS_PER_BODY} conversions as a whole, with no item`, () => {
    const body = Array.from({ length: MAX_CONVERSIONS_PER_BODY + 1 }, (_, i) => item({ conversion_id: `c-${i}` }));
    expect(normalizeConversions(body, context())).toStrictEqual({
      rows: [],
      problems: [{ reason: 'conversion_batch_too_large', message: '501 conversions in one body, at most 500' }],
    });
  });

  it.each([null, 'ord-1', 42, true])('reports %p as not_whatsapp, for the whole body', (payload) => {
    expect(normalizeConversions(payload, context())).toStrictEqual({
      rows: [],
      problems: [{ reason: 'not_whatsapp', message: 'a conversions body is a conversion object or an array of them' }],
    });
  });

  it('reads __proto__ keys as plain data', () => {
    const payload: unknown = JSON.parse('[{"__proto__":{"conversion_id":"P"},"wa_id":"1","name":"n","occurred_at":"2025-07-03T14:05:00Z"}]');
    expect(normalizeConversions(payload, context()).problems.map((p) => p.reason)).toEqual(['conversion_missing_id']);
  });
});

describe('normalizeConversions: dedupe keys and users', () => {
  it('gives the same conversion posted twice the same event id', () => {
    const first = normalizeConversions(fixture('conversions/single.json'), context()).rows[0]!;
    const again = normalizeConversions(fixture('conversions/single.json'), context({ receivedTs: RECEIVED + 86_400_000, requestId: 'req-conversions-02' })).rows[0]!;
    expect([first.event_id, again.event_id]).toEqual(['conversions:ord-2025-000187', 'conversions:ord-2025-000187']);
    // Inside a batch too, and with the id written as a number or as its text.
    const batch = normalizeConversions([item({ conversion_id: 4400912 }), item({ conversion_id: '4400912', value: 5 })], context()).rows;
    expect(batch.map((r) => r.event_id)).toEqual(['conversions:4400912', 'conversions:4400912']);
  });

  it('pseudonymizes the user like the taps: the same hash as the Meta from of the same number', () => {
    const pseudonymize = createPseudonymizer('hash', KEY);
    const ids = ['+55 11 95555-0147', '5511955550147', 5511955550147].map(
      (wa_id) => normalizeConversions(item({ wa_id }), context({ pseudonymize })).rows[0]!.wa_id,
    );
    const tap = normalizeMeta(fixture('meta/button-reply.json'), { ...context({ pseudonymize }), source: 'meta' }).rows[0]!;
    expect(tap.kind).toBe('click');
    expect(ids).toEqual([hmac('5511955550147'), hmac('5511955550147'), hmac('5511955550147')]);
    expect(tap.wa_id).toBe(ids[0]);
  });

  it('keeps a user id that is not a phone number as sent (a business-scoped id), hashed in hash mode', () => {
    const pseudonymize = createPseudonymizer('hash', KEY);
    expect(normalizeConversions(item({ wa_id: 'BR.1f3a9c0e2b' }), context()).rows[0]!.wa_id).toBe('BR.1f3a9c0e2b');
    expect(normalizeConversions(item({ wa_id: 'BR.1f3a9c0e2b' }), context({ pseudonymize })).rows[0]!.wa_id).toBe(hmac('BR.1f3a9c0e2b'));
  });

  it('never throws; makes only full conversion rows, and one row or one problem per item', () => {
    const columns = flatRowColumns.map((c) => c.name);
    const conversionLike = fc.record(
      {
        conversion_id: fc.oneof(fc.string(), fc.integer(), fc.jsonValue()),
        wa_id: fc.oneof(fc.string(), fc.jsonValue()),
        name: fc.oneof(fc.string(), fc.jsonValue()),
        occurred_at: fc.oneof(fc.date({ noInvalidDate: true, min: new Date(0) }).map((d) => d.toISOString()), fc.jsonValue()),
        value: fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.jsonValue()),
        currency: fc.oneof(fc.constantFrom('USD', 'eur', 'XYZ', ''), fc.jsonValue()),
        campaign_id: fc.jsonValue(),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(fc.array(fc.oneof(conversionLike, fc.jsonValue()), { maxLength: 20 }), (payload) => {
        const out = normalizeConversions(payload, context());
        for (const row of out.rows) {
          expect(Object.keys(row)).toEqual(columns);
          expect([row.kind, typeof row.conversion_name, typeof row.wa_id, typeof row.event_ts]).toEqual(['conversion', 'string', 'string', 'number']);
          if (row.value !== null) expect(row.value).toBeGreaterThanOrEqual(0);
        }
        expect(out.rows.length + out.problems.length).toBe(payload.length);
        for (const p of out.problems) {
          expect([...CONVERSION_REASONS, 'bad_shape', 'not_whatsapp']).toContain(p.reason);
          expect(payload).toContain(p.item);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('processEnvelope: posted conversions', () => {
  const settings = (pii: PiiMode = 'hash'): TransformSettings => ({ metaAppSecret: 'app-secret', wasenderSecret: 'ws-secret', timeZone: 'UTC', pseudonymize: createPseudonymizer(pii, KEY) });
  const envelope = (body: string | Buffer): Envelope => ({ source: 'conversions', body: Buffer.from(body), signature: null, requestId: REQUEST, receivedTs: RECEIVED });
  const decoded = (row: FlatRow): unknown => JSON.parse(Buffer.from(row.raw_body!, 'base64').toString('utf8'));

  it('lands the good conversions and writes one quarantine row per bad item, whose raw_body is that item', () => {
    const text = fixtureText('conversions/partly-broken.json');
    const items = JSON.parse(text) as unknown[];
    const result = processEnvelope(envelope(text), settings());
    const good = result.rows.filter((r) => r.kind === 'conversion');
    const kept = result.rows.filter((r) => r.kind === 'quarantine');
    expect(good.map((r) => [r.event_id, r.wa_id])).toEqual([
      ['conversions:ord-2025-000190', hmac('16315551181')],
      ['conversions:ord-2025-000199', hmac('5511955550147')],
    ]);
    expect(kept.map((r) => r.reason)).toEqual([
      'conversion_missing_id',
      'conversion_missing_user',
      'conversion_missing_name',
      'conversion_bad_time',
      'conversion_bad_value',
      'conversion_bad_value',
      'conversion_unknown_currency',
      'not_whatsapp',
    ]);
    expect(kept.map(decoded)).toEqual([1, 2, 3, 4, 5, 6, 7, 8].map((i) => items[i]));
    for (const row of kept) {
      expect(row).toMatchObject({ source: 'conversions', signature: null, request_id: REQUEST, received_ts: RECEIVED, event_date: '2025-07-03' });
      // The id hashes the item's own bytes (base64) and the empty signature.
      expect(row.event_id).toBe(`quarantine:conversions:${createHash('sha256').update(row.raw_body!).update('\0').digest('hex').slice(0, 40)}`);
    }
    expect(new Set(kept.map((r) => r.event_id)).size).toBe(8);
    expect(result.quarantined).toBe('conversion_missing_id');
  });

  it('gives a bad item replayed alone the same quarantine row: requeue of an item dedupes with the original', () => {
    const result = processEnvelope(envelope(fixtureText('conversions/partly-broken.json')), settings());
    for (const row of result.rows.filter((r) => r.kind === 'quarantine')) {
      const again = processEnvelope(envelope(Buffer.from(row.raw_body!, 'base64')), settings());
      expect(again.rows).toEqual([row]);
    }
  });

  it('lands a repaired item as a conversion once it is replayed', () => {
    const result = processEnvelope(envelope(fixtureText('conversions/partly-broken.json')), settings('raw'));
    const missingName = result.rows.find((r) => r.reason === 'conversion_missing_name')!;
    const repaired = { ...(decoded(missingName) as object), name: 'purchase' };
    expect(processEnvelope(envelope(JSON.stringify(repaired)), settings('raw')).rows).toMatchObject([
      { kind: 'conversion', event_id: 'conversions:ord-2025-000193', conversion_name: 'purchase', wa_id: '16315551181' },
    ]);
  });

  it('quarantines a body of 501 conversions as one row holding the whole body', () => {
    const text = JSON.stringify(Array.from({ length: 501 }, (_, i) => item({ conversion_id: `c-${i}` })));
    const result = processEnvelope(envelope(text), settings());
    expect(result.rows).toHaveLength(1);
    expect(result.rows[0]).toMatchObject({ kind: 'quarantine', reason: 'conversion_batch_too_large', raw_body: Buffer.from(text).toString('base64') });
    expect(result.quarantined).toBe('conversion_batch_too_large');
  });

  it('quarantines a body that is not JSON as malformed_json, and checks no signature (IAM authorizes the route)', () => {
    expect(processEnvelope(envelope('{"conversion_id":'), settings()).rows).toMatchObject([{ kind: 'quarantine', reason: 'malformed_json' }]);
    expect(processEnvelope(envelope(fixtureText('conversions/single.json')), settings()).rows).toMatchObject([{ kind: 'conversion', wa_id: hmac('5511955550147') }]);
  });

  it('hash mode touches only wa_id of a conversion row: its event id keeps the business conversion id', () => {
    const [hashed] = processEnvelope(envelope(fixtureText('conversions/single.json')), settings('hash')).rows;
    const [raw] = processEnvelope(envelope(fixtureText('conversions/single.json')), settings('raw')).rows;
    expect(hashed).toStrictEqual({ ...raw!, wa_id: hmac('5511955550147') });
    expect(raw!.wa_id).toBe('5511955550147');
  });
});

describe('processEnvelope: WhatsApp orders', () => {
  const APP_SECRET = 'app-secret';
  const settings: TransformSettings = { metaAppSecret: APP_SECRET, wasenderSecret: null, timeZone: 'UTC', pseudonymize: createPseudonymizer('hash', KEY) };
  const signed = (text: string): Envelope => ({
    source: 'meta',
    body: Buffer.from(text),
    signature: `sha256=${createHmac('sha256', APP_SECRET).update(text).digest('hex')}`,
    requestId: REQUEST,
    receivedTs: RECEIVED,
  });
  const ORDER = 'wamid.HBgNNTUxMTk1NTU1MDE0NxUCABIYFDNBNEQ3RjI5QjA1QzE4RTZBOTQ1AA==';

  it('stores an order like a tap in hash mode: pseudonymized wamid in its event id, the same user as a posted conversion', () => {
    const [order] = processEnvelope(signed(fixtureText('meta/order.json')), settings).rows;
    const [posted] = processEnvelope({ ...signed(fixtureText('conversions/single.json')), source: 'conversions', signature: null }, settings).rows;
    expect(order).toMatchObject({ kind: 'conversion', event_id: `meta:${hmac(ORDER)}`, wamid: hmac(ORDER), conversion_name: 'order', value: 452.7, currency: 'BRL' });
    expect(order!.wa_id).toBe(hmac('5511955550147'));
    expect(posted!.wa_id).toBe(order!.wa_id);
  });

  it('keeps the signed webhook whole when its order is bad: one quarantine row with the body and signature, the good rows still land', () => {
    const text = fixtureText('meta/order-mixed-currencies.json');
    const envelope = signed(text);
    const result = processEnvelope(envelope, settings);
    expect(result.rows.map((r) => [r.kind, r.reason])).toEqual([
      ['message', null],
      ['quarantine', 'conversion_mixed_currencies'],
    ]);
    expect(result.rows[1]).toMatchObject({ source: 'meta', raw_body: Buffer.from(text).toString('base64'), signature: envelope.signature });
  });
});
