import fc from 'fast-check';
import { formValue, parseForm } from '../../shared/form';

const parse = (text: string) => parseForm(Buffer.from(text, 'latin1'));

describe('parseForm', () => {
  it('decodes + as a space and percent-escapes as UTF-8', () => {
    expect(parse('Body=Caf%C3%A9+au+lait&To=whatsapp%3A%2B14155238886')).toEqual([
      ['Body', 'Café au lait'],
      ['To', 'whatsapp:+14155238886'],
    ]);
  });

  it('keeps repeated names in the order sent, and names without a value', () => {
    expect(parse('a=2&b=x&a=1&flag&c=')).toEqual([
      ['a', '2'],
      ['b', 'x'],
      ['a', '1'],
      ['flag', ''],
      ['c', ''],
    ]);
  });

  it('keeps = inside a value and skips empty pieces', () => {
    expect(parse('&&q=a=b&&')).toEqual([['q', 'a=b']]);
    expect(parse('')).toEqual([]);
  });

  it.each([
    ['JSON', '{"MessageSid":"SM1"}'],
    ['a raw space', 'Body=hi there'],
    ['a lone percent', 'Body=50%'],
    ['a percent with one hex digit', 'Body=%4'],
    ['a percent with non-hex digits', 'Body=%zz'],
    ['an escape of invalid UTF-8', 'Body=%FF%FE'],
    ['a raw non-ASCII byte', 'Body=caf\u00e9'],
    ['a control byte', 'Body=a\nb'],
  ])('refuses %s', (_name, text) => {
    expect(parse(text)).toBeNull();
  });

  it('reads back what URLSearchParams writes, in order', () => {
    const pair = fc.tuple(fc.string({ unit: 'grapheme', maxLength: 12 }), fc.string({ unit: 'grapheme', maxLength: 24 }));
    fc.assert(
      fc.property(fc.array(pair, { maxLength: 8 }), (pairs) => {
        const written = new URLSearchParams(pairs).toString();
        expect(parseForm(Buffer.from(written, 'utf8'))).toEqual(pairs);
      }),
      { numRuns: 300, seed: 1717 },
    );
  });

  it('gives the first value of a name, or null', () => {
    const form = parse('a=1&a=2')!;
    expect(formValue(form, 'a')).toBe('1');
    expect(formValue(form, 'b')).toBeNull();
  });
});
