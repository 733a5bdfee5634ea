import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import type { NormalizeContext } from '../../../shared/normalize/context';
import { normalizeMeta } from '../../../shared/normalize/meta';
import { createPseudonymizer } from '../../../shared/pii';
import { flatRowColumns } from '../../../shared/schema/columns';
import type { FlatRow } from '../../../shared/schema/types';

const PII_KEY = 'pii-key-for-tests';
const RECEIVED_TS = 1751553600000; // 2025-07-03T14:40:00Z
const REQUEST_ID = 'b3f1c9e2-6a4d-4e8b-9c1f-2d7e5a0b8c34';
const WABA = '102290129340398';
const PHONE_ID = '106540352242922';
const US = '16315551181';
const BR = '5511955550147';
const IN = '919555501234';

// any: tests reach into fixture bodies and break them freely; the normalizer sees them as unknown.
type Json = Record<string, any>;

/** A fresh parse of one fixture body, as the transform sees it. */
function fixture(name: string): Json {
  return JSON.parse(readFileSync(join(__dirname, '../../fixtures/meta', `${name}.json`), 'utf8')) as Json;
}

function context(timeZone = 'UTC', pii: 'hash' | 'raw' = 'hash', key = PII_KEY): NormalizeContext {
  return { source: 'meta', receivedTs: RECEIVED_TS, requestId: REQUEST_ID, timeZone, pseudonymize: createPseudonymizer(pii, key) };
}

const hmac = (waId: string, key = PII_KEY) => createHmac('sha256', key).update(waId, 'utf8').digest('hex');

/** Expected row: every column null except the context stamp and the given fields. */
function row(fields: Partial<FlatRow>): FlatRow {
  const empty = Object.fromEntries(flatRowColumns.map((c) => [c.name, null])) as unknown as FlatRow;
  return { ...empty, source: 'meta', received_ts: RECEIVED_TS, request_id: REQUEST_ID, ...fields };
}

const rowsOf = (name: string, ctx = context()) => normalizeMeta(fixture(name), ctx);
const firstMessage = (body: Json): Json => body.entry[0].changes[0].value.messages[0];
const firstStatus = (body: Json): Json => body.entry[0].changes[0].value.statuses[0];

describe('normalizeMeta: taps', () => {
  it('turns a reply button tap into a click row with every column', () => {
    expect(rowsOf('button-reply')).toStrictEqual({
      rows: [
        {
          event_id: 'meta:wamid.HBgNNTUxMTk1NTU1MDE0NxUCABIYFDNBMzA5RjdCQUE0OTIwMzc5QzI0AA==',
          kind: 'click',
          source: 'meta',
          interaction: 'button_reply',
          wamid: 'wamid.HBgNNTUxMTk1NTU1MDE0NxUCABIYFDNBMzA5RjdCQUE0OTIwMzc5QzI0AA==',
          context_wamid: 'wamid.HBgNNTUxMTk1NTU1MDE0NxUCABEYEjU0MERDRUE1Q0NFMUQ4RTUwQgA=',
          wa_id: hmac(BR),
          business_id: WABA,
          phone_number_id: PHONE_ID,
          button_id: 'confirm_order',
          button_title: 'Confirm order',
          status: null,
          error_code: null,
          campaign_id: null,
          template_name: null,
          buttons: null,
          flow_response: null,
          event_ts: 1750818600000,
          received_ts: RECEIVED_TS,
          event_date: '2025-06-25',
          request_id: REQUEST_ID,
          reason: null,
          raw_body: null,
          signature: null,
          conversion_name: null,
          value: null,
          currency: null,
          experiment_id: null,
          variant: null,
          experiment_split: null,
          request_url: null,
        },
      ],
      problems: [],
    });
  });

  it('fills the columns in schema order', () => {
    const [r] = rowsOf('button-reply').rows;
    expect(Object.keys(r!)).toStrictEqual(flatRowColumns.map((c) => c.name));
  });

  it('turns a list row selection into a click row and ignores the row description', () => {
    expect(rowsOf('list-reply').rows).toStrictEqual([
      row({
        event_id: 'meta:wamid.HBgMOTE5NTU1NTAxMjM0FQIAEhgUM0EyRTc3Qjk5QTM5RUYwRUNFMDcA',
        kind: 'click',
        interaction: 'list_reply',
        wamid: 'wamid.HBgMOTE5NTU1NTAxMjM0FQIAEhgUM0EyRTc3Qjk5QTM5RUYwRUNFMDcA',
        context_wamid: 'wamid.HBgMOTE5NTU1NTAxMjM0FQIAERgSMzA4QTgyOEMyNEFDQjlDQjVEAA==',
        wa_id: hmac(IN),
        business_id: WABA,
        phone_number_id: PHONE_ID,
        button_id: 'slot_evening',
        button_title: 'Evening 6-9 pm',
        event_ts: 1750790700000,
        event_date: '2025-06-24',
      }),
    ]);
  });

  it('turns a Flow reply into a click row keyed by its flow_token, keeping the response_json string', () => {
    const body = fixture('nfm-reply');
    const responseJson = firstMessage(body).interactive.nfm_reply.response_json as string;
    expect(normalizeMeta(body, context()).rows).toStrictEqual([
      row({
        event_id: 'meta:wamid.HBgLMTYzMTU1NTExODEVAgASGBQzQTEwODlEREFFNDJBM0YwQkE3NAA=',
        kind: 'click',
        interaction: 'nfm_reply',
        wamid: 'wamid.HBgLMTYzMTU1NTExODEVAgASGBQzQTEwODlEREFFNDJBM0YwQkE3NAA=',
        context_wamid: 'wamid.HBgLMTYzMTU1NTExODEVAgARGBJDQzlFMjc4MjZDOTdBMkZCMkYA',
        wa_id: hmac(US),
        business_id: WABA,
        phone_number_id: PHONE_ID,
        button_id: 'lead-form-2025-07:c7f3a1',
        button_title: 'Sent',
        flow_response: responseJson,
        event_ts: 1751551632000,
        event_date: '2025-07-03',
      }),
    ]);
    expect(responseJson).toBe(
      '{"flow_token":"lead-form-2025-07:c7f3a1","screen_0_name_0":"Kerry","screen_0_interest_1":"0_Solar_panels","screen_0_best_time_2":"1_Evening"}',
    );
  });

  it.each([
    ['is not JSON', '{"flow_token": "x"'],
    ['has no flow_token', '{"screen_0_name_0":"Kerry"}'],
    ['has a non-string flow_token', '{"flow_token":12345}'],
    ['is a JSON array', '["flow_token"]'],
  ])('keeps a Flow reply whose response_json %s, with a null button_id', (_, responseJson) => {
    const body = fixture('nfm-reply');
    firstMessage(body).interactive.nfm_reply.response_json = responseJson;
    const { rows, problems } = normalizeMeta(body, context());
    expect(problems).toStrictEqual([]);
    expect(rows.map((r) => [r.kind, r.interaction, r.button_id, r.button_title, r.flow_response])).toStrictEqual([
      ['click', 'nfm_reply', null, 'Sent', responseJson],
    ]);
  });

  it('turns a template quick-reply tap (type button) into a quick_reply click', () => {
    expect(rowsOf('quick-reply').rows).toStrictEqual([
      row({
        event_id: 'meta:wamid.HBgLMTYzMTU1NTExODEVAgASGBQzQTUwMDVFODhERUFCQjVGREY2MAA=',
        kind: 'click',
        interaction: 'quick_reply',
        wamid: 'wamid.HBgLMTYzMTU1NTExODEVAgASGBQzQTUwMDVFODhERUFCQjVGREY2MAA=',
        context_wamid: 'wamid.HBgLMTYzMTU1NTExODEVAgARGBI1QUJGMkVBNEZBQzdFNDhCMUUA',
        wa_id: hmac(US),
        business_id: WABA,
        phone_number_id: PHONE_ID,
        button_id: 'summer_sale_yes',
        button_title: 'Yes, show me',
        event_ts: 1751551635000,
        event_date: '2025-07-03',
      }),
    ]);
  });

  it('keeps emoji, accents and Devanagari in button ids and titles unchanged', () => {
    expect(rowsOf('unicode-titles').rows.map((r) => [r.interaction, r.button_id, r.button_title])).toStrictEqual([
      ['button_reply', 'btn_हाँ', '✅ हाँ, बुक करें'],
      ['list_reply', 'pão_de_queijo', '🧀 Pão de queijo 🇧🇷'],
    ]);
  });
});

describe('normalizeMeta: other inbound messages', () => {
  const message = (_name: string, wamid: string, waId: string, eventTs: number, contextWamid: string | null = null) =>
    row({
      event_id: `meta:${wamid}`,
      kind: 'message',
      wamid,
      context_wamid: contextWamid,
      wa_id: hmac(waId),
      business_id: WABA,
      phone_number_id: PHONE_ID,
      event_ts: eventTs,
      event_date: '2025-07-03',
    });

  it('turns a text message into a message row', () => {
    expect(rowsOf('text').rows).toStrictEqual([message('text', 'wamid.HBgLMTYzMTU1NTExODEVAgASGBQzQUFDNzI0Qzc2QzQzRTAxOUE5QgA=', US, 1751551781000)]);
  });

  it('turns a reaction into a message row', () => {
    expect(rowsOf('reaction').rows).toStrictEqual([message('reaction', 'wamid.HBgNNTUxMTk1NTU1MDE0NxUCABIYFDNBQkMwMUJBRjI0RjMzNjNBNEYwAA==', BR, 1751551923000)]);
  });

  it('turns an image reply into a message row that keeps its context', () => {
    expect(rowsOf('image').rows).toStrictEqual([
      message(
        'image',
        'wamid.HBgNNTUxMTk1NTU1MDE0NxUCABIYFDNBNkMwM0U3NzBCOTkzOEVDNzMwAA==',
        BR,
        1751552040000,
        'wamid.HBgNNTUxMTk1NTU1MDE0NxUCABEYEkRGNUM0OEY3NzI3NjVBN0Q3QQA=',
      ),
    ]);
  });

  it('turns an unsupported message into a message row', () => {
    expect(rowsOf('unknown-type')).toStrictEqual({
      rows: [message('unsupported', 'wamid.HBgMOTE5NTU1NTAxMjM0FQIAEhgUM0EyODk0OThCQjYyMDA2NzRCNUQA', IN, 1751552101000)],
      problems: [],
    });
  });

  // `order` is a conversion (see "normalizeMeta: orders").
  it.each(['audio', 'document', 'location', 'contacts', 'sticker', 'video', 'system', 'unknown', 'a_future_type'])(
    'turns a %s message into a message row without interaction',
    (type) => {
      const body = fixture('text');
      firstMessage(body).type = type;
      const { rows, problems } = normalizeMeta(body, context());
      expect(problems).toStrictEqual([]);
      expect(rows.map((r) => [r.kind, r.interaction, r.button_id])).toStrictEqual([['message', null, null]]);
    },
  );

  it('turns an interactive message of an unknown interactive type into a message row', () => {
    const body = fixture('button-reply');
    firstMessage(body).interactive = { type: 'call_permission_reply', call_permission_reply: { response: 'accept' } };
    const { rows, problems } = normalizeMeta(body, context());
    expect(problems).toStrictEqual([]);
    expect(rows.map((r) => [r.kind, r.interaction, r.context_wamid])).toStrictEqual([
      ['message', null, 'wamid.HBgNNTUxMTk1NTU1MDE0NxUCABEYEjU0MERDRUE1Q0NFMUQ4RTUwQgA='],
    ]);
  });
});

describe('normalizeMeta: orders', () => {
  const ORDER = 'wamid.HBgNNTUxMTk1NTU1MDE0NxUCABIYFDNBNEQ3RjI5QjA1QzE4RTZBOTQ1AA==';
  /** The order fixture with its product items replaced. */
  const orderWith = (products: unknown): Json => {
    const body = fixture('order');
    firstMessage(body).order.product_items = products;
    return body;
  };
  const item = (fields: Json = {}): Json => ({ product_retailer_id: 'sku-1', quantity: 1, item_price: 10, currency: 'USD', ...fields });

  it('turns a catalog order into a conversion row named order, worth the sum of item_price × quantity', () => {
    expect(rowsOf('order')).toStrictEqual({
      rows: [
        row({
          event_id: `meta:${ORDER}`,
          kind: 'conversion',
          wamid: ORDER,
          context_wamid: 'wamid.HBgNNTUxMTk1NTU1MDE0NxUCABEYEjU0MERDRUE1Q0NFMUQ4RTUwQgA=',
          wa_id: hmac(BR),
          business_id: WABA,
          phone_number_id: PHONE_ID,
          conversion_name: 'order',
          // 2 × 189.90 + 3 × 24.30 = 379.80 + 72.90 (452.70000000000005 in floating point, rounded to cents).
          value: 452.7,
          currency: 'BRL',
          event_ts: 1750819500000,
          event_date: '2025-06-25',
        }),
      ],
      problems: [],
    });
  });

  it('gives the order the same user as the tap it follows', () => {
    expect(rowsOf('order').rows[0]!.wa_id).toBe(rowsOf('button-reply').rows[0]!.wa_id);
    expect(rowsOf('order', context('UTC', 'raw')).rows[0]!.wa_id).toBe(BR);
  });

  it('gives an order delivered twice one event id', () => {
    const later = { ...context(), receivedTs: RECEIVED_TS + 3_600_000, requestId: 'retry' };
    expect(normalizeMeta(fixture('order'), later).rows[0]!.event_id).toBe(rowsOf('order').rows[0]!.event_id);
  });

  it.each([
    ['0.1 × 3 in dollars', [item({ item_price: 0.1, quantity: 3 })], 0.3, 'USD'],
    ['yen, no minor unit', [item({ item_price: 1200, quantity: 2, currency: 'JPY' })], 2400, 'JPY'],
    ['prices and quantities written as decimal text', [item({ item_price: '12.50', quantity: '2', currency: 'eur' })], 25, 'EUR'],
    ['a free item', [item({ item_price: 0, quantity: 4 }), item({ item_price: 5, quantity: 1 })], 5, 'USD'],
    ['an empty cart', [], 0, null],
  ])('values %s', (_what, products, value, currency) => {
    const { rows, problems } = normalizeMeta(orderWith(products), context());
    expect(problems).toStrictEqual([]);
    expect(rows.map((r) => [r.kind, r.conversion_name, r.value, r.currency])).toStrictEqual([['conversion', 'order', value, currency]]);
  });

  it('quarantines an order priced in two currencies and keeps the rest of the webhook', () => {
    const { rows, problems } = rowsOf('order-mixed-currencies');
    expect(rows.map((r) => [r.kind, r.wamid])).toStrictEqual([['message', 'wamid.HBgLMTYzMTU1NTExODEVAgASGBQzQUI5MkQxRjc3RTA0QzVEOEUyMQA=']]);
    expect(problems).toStrictEqual([{ reason: 'conversion_mixed_currencies', message: 'entry[0].changes[0].value.messages[1] order prices its items in more than one currency' }]);
  });

  it.each([
    ['conversion_unknown_currency', [item({ currency: 'R$' })], 'order product_items[0].currency is not an ISO 4217 code'],
    ['conversion_unknown_currency', [item(), item({ currency: undefined })], 'order product_items[1].currency is not an ISO 4217 code'],
    ['conversion_bad_value', [item({ item_price: -10 })], 'order product_items[0] item_price or quantity is not a number ≥ 0'],
    ['conversion_bad_value', [item({ quantity: -1 })], 'order product_items[0] item_price or quantity is not a number ≥ 0'],
    ['conversion_bad_value', [item({ item_price: '-10' })], 'order product_items[0] item_price or quantity is not a number ≥ 0'],
    ['conversion_bad_value', [item({ item_price: 'ten' })], 'order product_items[0] item_price or quantity is not a number ≥ 0'],
    ['conversion_bad_value', [item({ quantity: undefined })], 'order product_items[0] item_price or quantity is not a number ≥ 0'],
    ['conversion_mixed_currencies', [item(), item({ currency: 'eur' })], 'order prices its items in more than one currency'],
    ['bad_shape', [item(), 'sku-2'], 'order product_items[1] is not an object'],
    ['bad_shape', undefined, 'order product_items is not an array'],
  ])('quarantines the body for %s: %j', (reason, products, message) => {
    const { rows, problems } = normalizeMeta(orderWith(products), context());
    expect(rows).toStrictEqual([]);
    expect(problems).toStrictEqual([{ reason, message: `entry[0].changes[0].value.messages[0] ${message}` }]);
  });

  it('quarantines an order whose order field is not an object as bad_shape', () => {
    const body = fixture('order');
    firstMessage(body).order = 'cart';
    expect(normalizeMeta(body, context()).problems).toStrictEqual([{ reason: 'bad_shape', message: 'entry[0].changes[0].value.messages[0] order is not an object' }]);
  });

  it('quarantines an order nobody sent as conversion_missing_user', () => {
    const body = fixture('order');
    delete firstMessage(body).from;
    body.entry[0].changes[0].value.contacts = [];
    expect(normalizeMeta(body, context())).toStrictEqual({
      rows: [],
      problems: [{ reason: 'conversion_missing_user', message: 'entry[0].changes[0].value.messages[0] order has no sender (from, from_user_id or a single contact)' }],
    });
  });

  it("takes the sender of an order from the change's only contact, like any message", () => {
    const body = fixture('order');
    delete firstMessage(body).from;
    expect(normalizeMeta(body, context()).rows.map((r) => [r.kind, r.wa_id])).toStrictEqual([['conversion', hmac(BR)]]);
  });
});

describe('normalizeMeta: statuses', () => {
  const OUT_US = 'wamid.HBgLMTYzMTU1NTExODEVAgARGBJCNDk2MkIyQTUwOTgzMkNDMjgA';
  const status = (name: string, eventTs: number) =>
    row({
      event_id: `meta:${OUT_US}:${name}`,
      kind: 'status',
      wamid: OUT_US,
      wa_id: hmac(US),
      business_id: WABA,
      phone_number_id: PHONE_ID,
      status: name,
      event_ts: eventTs,
      event_date: '2025-07-03',
    });

  it.each([
    ['sent', 1751551500000],
    ['delivered', 1751551502000],
    ['read', 1751551560000],
  ])('turns a %s status into a status row', (name, eventTs) => {
    expect(rowsOf(`status-${name}`)).toStrictEqual({ rows: [status(name, eventTs)], problems: [] });
  });

  it('turns a played voice message status into a status row', () => {
    expect(rowsOf('status-played').rows).toStrictEqual([
      row({
        event_id: 'meta:wamid.HBgNNTUxMTk1NTU1MDE0NxUCABEYEjhDOTFCMEUzRTlFNzQ1QzU2NgA=:played',
        kind: 'status',
        wamid: 'wamid.HBgNNTUxMTk1NTU1MDE0NxUCABEYEjhDOTFCMEUzRTlFNzQ1QzU2NgA=',
        wa_id: hmac(BR),
        business_id: WABA,
        phone_number_id: PHONE_ID,
        status: 'played',
        event_ts: 1751553010000,
        event_date: '2025-07-03',
      }),
    ]);
  });

  it('keeps the first error code of a failed status', () => {
    expect(rowsOf('status-failed').rows).toStrictEqual([
      row({
        event_id: 'meta:wamid.HBgMOTE5NTU1NTAxMjM0FQIAERgSNTI3MzdGMzcwQTJCMjlFRTA0AA==:failed',
        kind: 'status',
        wamid: 'wamid.HBgMOTE5NTU1NTAxMjM0FQIAERgSNTI3MzdGMzcwQTJCMjlFRTA0AA==',
        wa_id: hmac(IN),
        business_id: WABA,
        phone_number_id: PHONE_ID,
        status: 'failed',
        error_code: 131026,
        event_ts: 1751551505000,
        event_date: '2025-07-03',
      }),
    ]);
  });

  it.each([
    ['a numeric string', '131049', 131049],
    ['not a number', 'oops', null],
    ['a fraction', 1.5, null],
    ['beyond int range', 2 ** 31, null],
  ])('reads an error code that is %s as %p', (_, code, expected) => {
    const body = fixture('status-failed');
    firstStatus(body).errors[0].code = code;
    expect(normalizeMeta(body, context()).rows[0]!.error_code).toBe(expected);
  });

  it('reads campaign and template from JSON callback data', () => {
    expect(rowsOf('status-callback-json').rows).toStrictEqual([
      row({
        event_id: 'meta:wamid.HBgNNTUxMTk1NTU1MDE0NxUCABEYEjU0MERDRUE1Q0NFMUQ4RTUwQgA=:delivered',
        kind: 'status',
        wamid: 'wamid.HBgNNTUxMTk1NTU1MDE0NxUCABEYEjU0MERDRUE1Q0NFMUQ4RTUwQgA=',
        wa_id: hmac(BR),
        business_id: WABA,
        phone_number_id: PHONE_ID,
        status: 'delivered',
        campaign_id: 'winter-sale-2025',
        template_name: 'order_confirmation_v2',
        event_ts: 1750818012000,
        event_date: '2025-06-25',
      }),
    ]);
  });

  it('reads the experiment arm from JSON callback data', () => {
    const body = fixture('status-callback-json');
    firstStatus(body).biz_opaque_callback_data = JSON.stringify({ campaign_id: 'winter-sale-2025', experiment_id: 'cta-copy-2026', variant: 'B' });
    const [r] = normalizeMeta(body, context()).rows;
    expect([r!.campaign_id, r!.template_name, r!.experiment_id, r!.variant]).toStrictEqual(['winter-sale-2025', null, 'cta-copy-2026', 'B']);
  });

  it('takes bare-string callback data as the campaign id, trimmed', () => {
    const [r] = rowsOf('status-callback-bare').rows;
    expect([r!.status, r!.campaign_id, r!.template_name]).toStrictEqual(['read', 'diwali-2025-wave-2', null]);
  });

  it('lowercases the status and keeps an unknown future status as sent', () => {
    const body = fixture('status-read');
    firstStatus(body).status = 'READ';
    expect(normalizeMeta(body, context()).rows.map((r) => [r.status, r.event_id])).toStrictEqual([['read', `meta:${OUT_US}:read`]]);
    firstStatus(body).status = 'deleted';
    expect(normalizeMeta(body, context()).rows.map((r) => [r.kind, r.status, r.event_id])).toStrictEqual([['status', 'deleted', `meta:${OUT_US}:deleted`]]);
  });
});

describe('normalizeMeta: batches', () => {
  it('fans out every message and status of every entry and change, stamped with its own account and number', () => {
    const { rows, problems } = rowsOf('batch');
    expect(problems).toStrictEqual([]);
    expect(rows.map((r) => [r.kind, r.interaction ?? r.status, r.wamid, r.business_id, r.phone_number_id, r.campaign_id])).toStrictEqual([
      ['click', 'button_reply', 'wamid.HBgLMTYzMTU1NTExODEVAgASGBQzQUVBOTk5RjEyMjM3NzgyQkQ5NgA=', WABA, PHONE_ID, null],
      ['message', null, 'wamid.HBgLMTYzMTU1NTExODEVAgASGBQzQTQ4OUYxQ0NCQzU4MzExRUM5NwA=', WABA, PHONE_ID, null],
      ['status', 'delivered', 'wamid.HBgLMTYzMTU1NTExODEVAgARGBI0RDM1RDI4Mzk5NkVCQ0VEQzQA', WABA, PHONE_ID, 'july-restock'],
      ['status', 'read', 'wamid.HBgLMTYzMTU1NTExODEVAgARGBI0RDM1RDI4Mzk5NkVCQ0VEQzQA', WABA, PHONE_ID, 'july-restock'],
      ['click', 'quick_reply', 'wamid.HBgNNTUxMTk1NTU1MDE0NxUCABIYFDNBNTU0NTNCRDkxQkM0ODkxQjJCAA==', '204837261509117', '213906458812233', null],
      ['status', 'sent', 'wamid.HBgNNTUxMTk1NTU1MDE0NxUCABEYEkNCMThERjMyNTUyNEE0NUMxOAA=', '204837261509117', '213906458812233', null],
    ]);
  });

  it('makes no rows and no problem for a change that is not about messages', () => {
    expect(rowsOf('template-status-update')).toStrictEqual({ rows: [], problems: [] });
  });

  it('reads only changes whose field is messages, whatever the others carry', () => {
    const body = fixture('text');
    body.entry[0].changes[0].field = 'smb_message_echoes';
    expect(normalizeMeta(body, context())).toStrictEqual({ rows: [], problems: [] });
  });

  it('fans out a batch of 1000 statuses into 1000 rows', () => {
    const body = fixture('status-sent');
    const template = firstStatus(body);
    body.entry[0].changes[0].value.statuses = Array.from({ length: 1000 }, (_, i) => ({ ...template, id: `wamid.HBgLMTYzMTU1NTExODEVAgARGBI${i}` }));
    const { rows, problems } = normalizeMeta(body, context());
    expect(problems).toStrictEqual([]);
    expect(rows).toHaveLength(1000);
    expect(new Set(rows.map((r) => r.event_id)).size).toBe(1000);
  });
});

describe('normalizeMeta: dedupe keys', () => {
  it('gives the same event ids to the same body delivered twice at different times', () => {
    const first = normalizeMeta(fixture('batch'), context()).rows.map((r) => r.event_id);
    const retry = normalizeMeta(fixture('batch'), { ...context(), receivedTs: RECEIVED_TS + 3_600_000, requestId: 'retry' }).rows.map((r) => r.event_id);
    expect(retry).toStrictEqual(first);
    expect(new Set(first).size).toBe(6);
  });

  it('gives one tap the same id whether it arrives alone or inside a batch', () => {
    const alone = fixture('quick-reply');
    const batch = fixture('batch');
    firstMessage(alone).id = batch.entry[1].changes[0].value.messages[0].id;
    const id = normalizeMeta(alone, context()).rows[0]!.event_id;
    expect(normalizeMeta(batch, context()).rows.filter((r) => r.event_id === id)).toHaveLength(1);
  });

  it('gives each status of one outbound message its own id', () => {
    const ids = ['sent', 'delivered', 'read'].map((name) => rowsOf(`status-${name}`).rows[0]!.event_id);
    expect(ids).toStrictEqual([
      'meta:wamid.HBgLMTYzMTU1NTExODEVAgARGBJCNDk2MkIyQTUwOTgzMkNDMjgA:sent',
      'meta:wamid.HBgLMTYzMTU1NTExODEVAgARGBJCNDk2MkIyQTUwOTgzMkNDMjgA:delivered',
      'meta:wamid.HBgLMTYzMTU1NTExODEVAgARGBJCNDk2MkIyQTUwOTgzMkNDMjgA:read',
    ]);
  });
});

describe('normalizeMeta: event date in the reporting time zone', () => {
  const dateOf = (name: string, timeZone: string, timestamp?: string) => {
    const body = fixture(name);
    if (timestamp !== undefined) firstMessage(body).timestamp = timestamp;
    return normalizeMeta(body, context(timeZone)).rows[0]!.event_date;
  };

  it('dates a tap at 02:30 UTC on the previous day in America/Sao_Paulo', () => {
    expect(dateOf('button-reply', 'UTC')).toBe('2025-06-25');
    expect(dateOf('button-reply', 'America/Sao_Paulo')).toBe('2025-06-24');
  });

  it('dates local midnight in America/Sao_Paulo on the new day', () => {
    expect(dateOf('button-reply', 'America/Sao_Paulo', '1750820399')).toBe('2025-06-24'); // 23:59:59 local
    expect(dateOf('button-reply', 'America/Sao_Paulo', '1750820400')).toBe('2025-06-25'); // 00:00:00 local
  });

  it('dates a tap at 18:45 UTC on the next day in Asia/Kolkata', () => {
    expect(dateOf('list-reply', 'UTC')).toBe('2025-06-24');
    expect(dateOf('list-reply', 'Asia/Kolkata')).toBe('2025-06-25');
  });

  it('dates local midnight in Asia/Kolkata on the new day', () => {
    expect(dateOf('list-reply', 'Asia/Kolkata', '1750789799')).toBe('2025-06-24'); // 23:59:59 local
    expect(dateOf('list-reply', 'Asia/Kolkata', '1750789800')).toBe('2025-06-25'); // 00:00:00 local
  });

  it('keeps event_ts in UTC milliseconds whatever the zone', () => {
    expect(normalizeMeta(fixture('list-reply'), context('Asia/Kolkata')).rows[0]!.event_ts).toBe(1750790700000);
  });
});

describe('normalizeMeta: pseudonymization', () => {
  it('stores the user as the 64-hex HMAC-SHA256 of the number with the key in hash mode', () => {
    const [click] = rowsOf('quick-reply').rows;
    expect(click!.wa_id).toBe(hmac(US));
    expect(click!.wa_id).toMatch(/^[0-9a-f]{64}$/);
    expect(rowsOf('quick-reply', context('UTC', 'hash', 'another-key')).rows[0]!.wa_id).toBe(hmac(US, 'another-key'));
    expect(hmac(US, 'another-key')).not.toBe(hmac(US));
  });

  it('gives a user the same pseudonym on taps and on statuses', () => {
    expect(rowsOf('status-read').rows[0]!.wa_id).toBe(rowsOf('quick-reply').rows[0]!.wa_id);
  });

  it('stores the raw number in raw mode', () => {
    expect(rowsOf('quick-reply', context('UTC', 'raw')).rows[0]!.wa_id).toBe(US);
    expect(rowsOf('status-failed', context('UTC', 'raw')).rows[0]!.wa_id).toBe(IN);
  });

  it('leaves wa_id null when the message has no sender and the change no single contact', () => {
    const body = fixture('text');
    delete firstMessage(body).from;
    delete body.entry[0].changes[0].value.contacts;
    expect(normalizeMeta(body, context()).rows.map((r) => r.wa_id)).toStrictEqual([null]);
  });
});

describe('normalizeMeta: group statuses', () => {
  const GROUP = '120363402111223344';
  const BSUID_US = 'US.13491208655302741918';
  const WAMID = 'wamid.HBgSMTIwMzYzNDAyMTExMjIzMzQ0FQIAERgSMUEyQjNDNEQ1RTZGN0E4QjlDAA==';

  it('takes the participant as the user, never the group, and the phone number before the business-scoped id', () => {
    const { rows, problems } = rowsOf('status-group-read', context('UTC', 'raw'));
    expect(problems).toEqual([]);
    expect(rows.map((r) => r.wa_id)).toEqual(['5511955550147', BSUID_US]);
    expect(rows.map((r) => r.wa_id)).not.toContain(GROUP);
  });

  it('makes two participants reading one message two facts, each id carrying its participant', () => {
    const rows = rowsOf('status-group-read').rows;
    expect(rows.map((r) => r.event_id)).toEqual([`meta:${WAMID}:read:${hmac('5511955550147')}`, `meta:${WAMID}:read:${hmac(BSUID_US)}`]);
    expect(new Set(rows.map((r) => r.event_id)).size).toBe(2);
    expect(rows.map((r) => [r.wamid, r.status, r.kind])).toEqual([
      [WAMID, 'read', 'status'],
      [WAMID, 'read', 'status'],
    ]);
  });

  it('gives the same participant the same id when the status is delivered again', () => {
    const once = rowsOf('status-group-read').rows.map((r) => r.event_id);
    const again = normalizeMeta(fixture('status-group-read'), { ...context(), receivedTs: RECEIVED_TS + 60_000, requestId: 'retry' }).rows.map((r) => r.event_id);
    expect(again).toEqual(once);
  });

  it('never puts the raw participant number into the id in hash mode', () => {
    for (const r of rowsOf('status-group-read').rows) expect(r.event_id).not.toMatch(/5511955550147|US\.1349/);
  });

  it('keeps a one-to-one status id unchanged (no participant part)', () => {
    expect(rowsOf('status-read').rows[0]!.event_id).toBe('meta:wamid.HBgLMTYzMTU1NTExODEVAgARGBJCNDk2MkIyQTUwOTgzMkNDMjgA:read');
  });

  it('reads a group status that names only the group as a fact about nobody, not about the group', () => {
    const body = fixture('status-group-read');
    const st = body.entry[0].changes[0].value.statuses[1];
    delete st.recipient_participant_user_id;
    const rows = normalizeMeta(body, context('UTC', 'raw')).rows;
    expect(rows[1]!.wa_id).toBeNull();
    expect(rows[1]!.event_id).toBe(`meta:${WAMID}:read:unknown`);
  });
});

describe('normalizeMeta: users known only by a business-scoped id', () => {
  const BSUID = 'US.13491208655302741918';

  it('takes recipient_user_id when a status has no recipient_id, pseudonymized like a number', () => {
    expect(rowsOf('status-delivered-bsuid', context('UTC', 'raw')).rows[0]!.wa_id).toBe(BSUID);
    const [status] = rowsOf('status-delivered-bsuid').rows;
    expect(status!.wa_id).toBe(hmac(BSUID));
    expect(status!.event_id).toBe('meta:wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUFERjg0NDEzNDdFODU3MUMxMAA=:delivered');
  });

  it('takes from_user_id when a tap has no from', () => {
    const [click] = rowsOf('button-reply-bsuid').rows;
    expect(click).toMatchObject({ kind: 'click', interaction: 'button_reply', button_id: 'color_blue', wa_id: hmac(BSUID) });
  });

  it("falls back to the change's only contact (wa_id, else user_id) when the message names no user", () => {
    expect(rowsOf('text-contact-user-id-only', context('UTC', 'raw')).rows[0]!.wa_id).toBe(BSUID);
    const body = fixture('text-contact-user-id-only');
    body.entry[0].changes[0].value.contacts[0].wa_id = '16505551234';
    expect(normalizeMeta(body, context('UTC', 'raw')).rows[0]!.wa_id).toBe('16505551234');
  });

  it('prefers the phone number when both are present', () => {
    const body = fixture('status-delivered-bsuid');
    body.entry[0].changes[0].value.statuses[0].recipient_id = '16505551234';
    expect(normalizeMeta(body, context('UTC', 'raw')).rows[0]!.wa_id).toBe('16505551234');
  });

  it('treats an empty from as absent', () => {
    const body = fixture('button-reply-bsuid');
    firstMessage(body).from = '';
    expect(normalizeMeta(body, context('UTC', 'raw')).rows[0]!.wa_id).toBe(BSUID);
  });

  it('reports a user id field that is not a string as bad_shape', () => {
    const body = fixture('status-delivered-bsuid');
    body.entry[0].changes[0].value.statuses[0].recipient_user_id = 42;
    expect(normalizeMeta(body, context()).problems).toEqual([expect.objectContaining({ reason: 'bad_shape', message: expect.stringContaining('recipient_user_id is not a string') })]);
  });
});

describe('normalizeMeta: problems', () => {
  const notWhatsApp = { rows: [], problems: [{ reason: 'not_whatsapp', message: 'object is not whatsapp_business_account' }] };

  it.each([
    ['null', null],
    ['a string', 'whatsapp_business_account'],
    ['a number', 42],
    ['an array', [{ object: 'whatsapp_business_account', entry: [] }]],
    ['an empty object', {}],
    ['a Page webhook', { object: 'page', entry: [{ id: '1', time: 1751551632, messaging: [] }] }],
  ])('reports not_whatsapp and no rows for %s', (_, payload) => {
    expect(normalizeMeta(payload, context())).toStrictEqual(notWhatsApp);
  });

  it('reports bad_shape when entry is not an array', () => {
    expect(normalizeMeta({ object: 'whatsapp_business_account', entry: { id: WABA } }, context())).toStrictEqual({
      rows: [],
      problems: [{ reason: 'bad_shape', message: 'entry is not an array' }],
    });
  });

  it('keeps the rows of good entries and reports the broken ones', () => {
    const body = fixture('batch');
    body.entry.unshift('garbage', { id: WABA, changes: { field: 'messages' } });
    body.entry[2].changes.push({ field: 'messages', value: 'nope' }, { value: {} });
    const { rows, problems } = normalizeMeta(body, context());
    expect(rows).toHaveLength(6);
    expect(problems).toStrictEqual([
      { reason: 'bad_shape', message: 'entry[0] is not an object' },
      { reason: 'bad_shape', message: 'entry[1].changes is not an array' },
      { reason: 'bad_shape', message: 'entry[2].changes[3].value is not an object' },
      { reason: 'bad_shape', message: 'entry[2].changes[4] has no field' },
    ]);
  });

  it('reports a messages list that is not an array and still reads the statuses', () => {
    const body = fixture('batch');
    body.entry[1].changes[0].value.messages = { id: 'x' };
    const { rows, problems } = normalizeMeta(body, context());
    expect(rows.map((r) => r.kind)).toStrictEqual(['click', 'message', 'status', 'status', 'status']);
    expect(problems).toStrictEqual([{ reason: 'bad_shape', message: 'entry[1].changes[0].value.messages is not an array' }]);
  });

  it.each([
    ['not an object', () => 'wamid.x', 'is not an object'],
    ['without id', (m: Json) => ({ ...m, id: undefined }), 'has no id'],
    ['with an empty id', (m: Json) => ({ ...m, id: '' }), 'has no id'],
    ['with a numeric id', (m: Json) => ({ ...m, id: 123 }), 'has no id'],
    ['without timestamp', (m: Json) => ({ ...m, timestamp: undefined }), 'timestamp is not epoch seconds'],
    ['with an ISO timestamp', (m: Json) => ({ ...m, timestamp: '2025-07-03T14:07:12Z' }), 'timestamp is not epoch seconds'],
    ['with a millisecond timestamp', (m: Json) => ({ ...m, timestamp: '1751551632000' }), 'timestamp is not epoch seconds'],
    ['with a negative timestamp', (m: Json) => ({ ...m, timestamp: '-1751551632' }), 'timestamp is not epoch seconds'],
    ['with a numeric sender', (m: Json) => ({ ...m, from: 16315551181 }), 'from is not a string'],
    ['with a string context', (m: Json) => ({ ...m, context: 'wamid.x' }), 'context is not an object'],
    ['with a numeric context id', (m: Json) => ({ ...m, context: { id: 7 } }), 'context.id is not a string'],
    ['with a string interactive', (m: Json) => ({ ...m, interactive: 'button_reply' }), 'interactive is not an object'],
    ['without its button_reply', (m: Json) => ({ ...m, interactive: { type: 'button_reply' } }), 'button_reply is not an object'],
    [
      'with a numeric reply id',
      (m: Json) => ({ ...m, interactive: { type: 'button_reply', button_reply: { id: 1, title: 'One' } } }),
      'button_reply.id or .title is not a string',
    ],
  ])('skips a message %s with a bad_shape problem and keeps the others', (_, breakIt, message) => {
    const body = fixture('batch');
    const messages = body.entry[0].changes[0].value.messages as Json[];
    messages[0] = breakIt(messages[0]!) as Json;
    const { rows, problems } = normalizeMeta(body, context());
    expect(rows).toHaveLength(5);
    expect(rows[0]!.wamid).toBe('wamid.HBgLMTYzMTU1NTExODEVAgASGBQzQTQ4OUYxQ0NCQzU4MzExRUM5NwA=');
    expect(problems).toStrictEqual([{ reason: 'bad_shape', message: `entry[0].changes[0].value.messages[0] ${message}` }]);
  });

  it.each([
    ['without id', { id: undefined }, 'has no id'],
    ['without status', { status: undefined }, 'has no status'],
    ['with a numeric status', { status: 2 }, 'has no status'],
    ['with a bad timestamp', { timestamp: 'yesterday' }, 'timestamp is not epoch seconds'],
    ['with a numeric recipient', { recipient_id: 16315551181 }, 'recipient_id is not a string'],
  ])('skips a status %s with a bad_shape problem and keeps the others', (_, change, message) => {
    const body = fixture('batch');
    const statuses = body.entry[0].changes[1].value.statuses as Json[];
    statuses[1] = { ...statuses[1], ...change };
    const { rows, problems } = normalizeMeta(body, context());
    expect(rows.map((r) => r.status)).toStrictEqual([null, null, 'delivered', null, 'sent']);
    expect(problems).toStrictEqual([{ reason: 'bad_shape', message: `entry[0].changes[1].value.statuses[1] ${message}` }]);
  });

  it('tolerates numeric epoch seconds', () => {
    const body = fixture('text');
    firstMessage(body).timestamp = 1751551781;
    expect(normalizeMeta(body, context()).rows.map((r) => r.event_ts)).toStrictEqual([1751551781000]);
  });

  it('lists at most 100 problems for a huge broken batch and counts the rest', () => {
    const body = fixture('text');
    body.entry[0].changes[0].value.messages = Array.from({ length: 50_000 }, () => 42);
    const { rows, problems } = normalizeMeta(body, context());
    expect(rows).toStrictEqual([]);
    expect(problems).toHaveLength(101);
    expect(problems[100]).toStrictEqual({ reason: 'bad_shape', message: '49900 more broken parts not listed' });
  });
});

describe('normalizeMeta: hostile input', () => {
  it('does not read entries through a __proto__ key', () => {
    const payload: unknown = JSON.parse(`{"object":"whatsapp_business_account","__proto__":{"entry":${JSON.stringify(fixture('text').entry)}}}`);
    expect(normalizeMeta(payload, context())).toStrictEqual({ rows: [], problems: [{ reason: 'bad_shape', message: 'entry is not an array' }] });
  });

  it('reads a message carrying __proto__ and constructor keys without polluting prototypes', () => {
    const text = JSON.stringify(fixture('quick-reply')).replace('"button":{', '"button":{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},');
    const { rows, problems } = normalizeMeta(JSON.parse(text), context());
    expect(problems).toStrictEqual([]);
    expect(rows.map((r) => r.button_id)).toStrictEqual(['summer_sale_yes']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('reports deeply nested junk without throwing', () => {
    const depth = 100_000;
    const entry: unknown = JSON.parse('['.repeat(depth) + ']'.repeat(depth));
    expect(normalizeMeta({ object: 'whatsapp_business_account', entry }, context()).problems).toStrictEqual([
      { reason: 'bad_shape', message: 'entry[0] is not an object' },
    ]);
    const body = fixture('nfm-reply');
    firstMessage(body).interactive.nfm_reply.response_json = `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
    expect(normalizeMeta(body, context()).rows.map((r) => r.button_id)).toStrictEqual([null]);
  });

  it('reports a payload whose getters throw instead of throwing', () => {
    const payload = {
      object: 'whatsapp_business_account',
      get entry(): unknown {
        throw new Error('boom');
      },
    };
    expect(normalizeMeta(payload, context())).toStrictEqual({ rows: [], problems: [{ reason: 'bad_shape', message: 'payload could not be read' }] });
  });

  it('reports a revoked proxy instead of throwing', () => {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    expect(normalizeMeta(proxy, context()).problems).toStrictEqual([{ reason: 'bad_shape', message: 'payload could not be read' }]);
  });

  it('never throws and returns only complete rows for any JSON under a WhatsApp envelope', () => {
    const columns = flatRowColumns.map((c) => c.name);
    const entryArb = fc.oneof(fc.jsonValue(), fc.array(fc.record({ id: fc.string(), changes: fc.array(fc.record({ field: fc.constant('messages'), value: fc.jsonValue() })) })));
    fc.assert(
      fc.property(entryArb, (entry) => {
        const { rows, problems } = normalizeMeta({ object: 'whatsapp_business_account', entry }, context());
        return rows.every((r) => Object.keys(r).join() === columns.join()) && problems.every((p) => p.reason === 'bad_shape');
      }),
    );
  });
});
