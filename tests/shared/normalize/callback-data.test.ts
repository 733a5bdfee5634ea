import fc from 'fast-check';
import { parseCallbackData } from '../../../shared/normalize/callback-data';

const none = { campaign_id: null, template_name: null, experiment_id: null, variant: null };
/** The result with no experiment keys. */
const cb = (campaign_id: string | null, template_name: string | null) => ({ campaign_id, template_name, experiment_id: null, variant: null });

describe('parseCallbackData', () => {
  it('reads campaign_id and template_name from a JSON object', () => {
    expect(parseCallbackData('{"campaign_id":"winter-sale-2025","template_name":"order_confirmation_v2"}')).toStrictEqual(cb('winter-sale-2025', 'order_confirmation_v2'));
  });

  it('leaves the key a JSON object does not name as null', () => {
    expect(parseCallbackData('{"campaign_id":"july-restock"}')).toStrictEqual(cb('july-restock', null));
    expect(parseCallbackData('{"template_name":"restock_alert","source":"crm"}')).toStrictEqual(cb(null, 'restock_alert'));
  });

  it('takes a bare string as the campaign id, trimmed', () => {
    expect(parseCallbackData(' diwali-2025-wave-2 \n')).toStrictEqual(cb('diwali-2025-wave-2', null));
    expect(parseCallbackData('12345')).toStrictEqual(cb('12345', null));
  });

  it('trims the whole value and the values inside a JSON object', () => {
    expect(parseCallbackData('  { "campaign_id": "  spring ", "template_name": "\\tpromo_v1" }  ')).toStrictEqual(cb('spring', 'promo_v1'));
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
    expect(parseCallbackData('{"campaign_id":42,"template_name":"promo"}')).toStrictEqual(cb('42', 'promo'));
    expect(parseCallbackData('{"campaign_id":{"id":"x"},"template_name":true}')).toStrictEqual(none);
    expect(parseCallbackData('{"campaign_id":"  ","template_name":null}')).toStrictEqual(none);
  });

  it('keeps a string that only looks like JSON as a bare campaign id', () => {
    expect(parseCallbackData('{campaign:spring')).toStrictEqual(cb('{campaign:spring', null));
    expect(parseCallbackData('["a","b"]')).toStrictEqual(cb('["a","b"]', null));
  });

  it('does not read keys through a __proto__ key and does not pollute prototypes', () => {
    expect(parseCallbackData('{"__proto__":{"campaign_id":"evil","template_name":"evil"}}')).toStrictEqual(none);
    expect(({} as Record<string, unknown>).campaign_id).toBeUndefined();
  });

  it('keeps unicode text unchanged', () => {
    expect(parseCallbackData('{"campaign_id":"promoção-☀️","template_name":"ऑफ़र"}')).toStrictEqual(cb('promoção-☀️', 'ऑफ़र'));
  });

  it('reads the experiment arm a JSON object names, trimmed, numbers as text', () => {
    expect(parseCallbackData('{"campaign_id":"spring","experiment_id":" cta-copy-2026 ","variant":"B"}')).toStrictEqual({
      campaign_id: 'spring',
      template_name: null,
      experiment_id: 'cta-copy-2026',
      variant: 'B',
    });
    expect(parseCallbackData('{"experiment_id":7,"variant":["x"]}')).toStrictEqual({ ...none, experiment_id: '7' });
    // A bare string is a campaign id, never an experiment.
    expect(parseCallbackData('exp-1')).toStrictEqual(cb('exp-1', null));
  });

  it('never throws and always returns four strings-or-null', () => {
    const keys = ['campaign_id', 'template_name', 'experiment_id', 'variant'];
    const isCallbackData = (r: unknown) => {
      const o = r as Record<string, unknown>;
      return Object.keys(o).sort().join() === [...keys].sort().join() && keys.every((k) => o[k] === null || typeof o[k] === 'string');
    };
    fc.assert(fc.property(fc.oneof(fc.string(), fc.json(), fc.anything()), (v) => isCallbackData(parseCallbackData(v))));
  });
});
