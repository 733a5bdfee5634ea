import fc from 'fast-check';
import { parseCallbackData } from '../../../shared/normalize/callback-data';

const none = { campaign_id: null, template_name: null };

describe('parseCallbackData', () => {
  it('reads campaign_id and template_name from a JSON object', () => {
    expect(parseCallbackData('{"campaign_id":"winter-sale-2025","template_name":"order_confirmation_v2"}')).toStrictEqual({
      campaign_id: 'winter-sale-2025',
      template_name: 'order_confirmation_v2',
    });
  });

  it('leaves the key a JSON object does not name as null', () => {
    expect(parseCallbackData('{"campaign_id":"july-restock"}')).toStrictEqual({ campaign_id: 'july-restock', template_name: null });
    expect(parseCallbackData('{"template_name":"restock_alert","source":"crm"}')).toStrictEqual({ campaign_id: null, template_name: 'restock_alert' });
  });

  it('takes a bare string as the campaign id, trimmed', () => {
    expect(parseCallbackData(' diwali-2025-wave-2 \n')).toStrictEqual({ campaign_id: 'diwali-2025-wave-2', template_name: null });
    expect(parseCallbackData('12345')).toStrictEqual({ campaign_id: '12345', template_name: null });
  });

  it('trims the whole value and the values inside a JSON object', () => {
    expect(parseCallbackData('  { "campaign_id": "  spring ", "template_name": "\\tpromo_v1" }  ')).toStrictEqual({
      campaign_id: 'spring',
      template_name: 'promo_v1',
    });
  });

  it('gives nulls for an empty or blank string', () => {
    expect(parseCallbackData('')).toStrictEqual(none);
    expect(parseCallbackData('   \t\n')).toStrictEqual(none);
  });

  it('gives nulls for a value that is not a string', () => {
    for (const value of [undefined, null, 42, true, { campaign_id: 'x' }, ['x']]) expect(parseCallbackData(value)).toStrictEqual(none);
  });

  it('gives nulls for a JSON object without campaign_id or template_name', () => {
    expect(parseCallbackData('{}')).toStrictEqual(none);
    expect(parseCallbackData('{"utm_source":"newsletter"}')).toStrictEqual(none);
  });

  it('turns numeric ids into text and ignores other value types and blank values', () => {
    expect(parseCallbackData('{"campaign_id":42,"template_name":"promo"}')).toStrictEqual({ campaign_id: '42', template_name: 'promo' });
    expect(parseCallbackData('{"campaign_id":{"id":"x"},"template_name":true}')).toStrictEqual(none);
    expect(parseCallbackData('{"campaign_id":"  ","template_name":null}')).toStrictEqual(none);
  });

  it('keeps a string that only looks like JSON as a bare campaign id', () => {
    expect(parseCallbackData('{campaign:spring')).toStrictEqual({ campaign_id: '{campaign:spring', template_name: null });
    expect(parseCallbackData('["a","b"]')).toStrictEqual({ campaign_id: '["a","b"]', template_name: null });
  });

  it('does not read keys through a __proto__ key and does not pollute prototypes', () => {
    expect(parseCallbackData('{"__proto__":{"campaign_id":"evil","template_name":"evil"}}')).toStrictEqual(none);
    expect(({} as Record<string, unknown>).campaign_id).toBeUndefined();
  });

  it('keeps unicode text unchanged', () => {
    expect(parseCallbackData('{"campaign_id":"promoção-☀️","template_name":"ऑफ़र"}')).toStrictEqual({ campaign_id: 'promoção-☀️', template_name: 'ऑफ़र' });
  });

  it('never throws and always returns a string-or-null pair', () => {
    const isPair = (r: unknown) => {
      const o = r as Record<string, unknown>;
      return Object.keys(o).length === 2 && (o.campaign_id === null || typeof o.campaign_id === 'string') && (o.template_name === null || typeof o.template_name === 'string');
    };
    fc.assert(fc.property(fc.oneof(fc.string(), fc.json(), fc.anything()), (v) => isPair(parseCallbackData(v))));
  });
});
