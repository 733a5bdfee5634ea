import fc from 'fast-check';
import { base64DecodedLength, decodeBase64Strict } from '../../shared/base64';

// The rule as a regular expression: the independent oracle the decoder must agree with.
const STRICT_RE = /^[A-Za-z0-9+/]*={0,2}$/;
const oracle = (text: string): boolean => text.length % 4 === 0 && STRICT_RE.test(text);

describe('decodeBase64Strict', () => {
  it('decodes padded standard base64 to the bytes it encodes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const text = Buffer.from(bytes).toString('base64');
        expect(base64DecodedLength(text)).toBe(bytes.length);
        expect(decodeBase64Strict(text)).toEqual(Buffer.from(bytes));
      }),
    );
  });

  it('accepts exactly the texts the regular expression accepts, whatever characters they hold', () => {
    const alphabet = [...'ABCXYZabcxyz0189+/=-_ !\\"\n\u00e9\u0141\u0149', ...'\u{1F642}'.split('')];
    const chars = fc.constantFrom(...alphabet);
    fc.assert(
      fc.property(fc.array(chars, { maxLength: 16 }), (parts) => {
        const text = parts.join('');
        const decoded = decodeBase64Strict(text);
        expect(decoded !== null).toBe(oracle(text));
        if (decoded !== null) expect(decoded).toEqual(Buffer.from(text, 'base64'));
      }),
      { numRuns: 5000 },
    );
  });

  it('refuses base64url, misplaced padding and unpadded text', () => {
    expect(decodeBase64Strict('ab-_')).toBeNull();
    expect(decodeBase64Strict('AB==CDEF')).toBeNull();
    expect(decodeBase64Strict('A===')).toBeNull();
    expect(decodeBase64Strict('QUJD\n')).toBeNull();
    expect(decodeBase64Strict('QUI')).toBeNull();
    // Node alone would read these as the ASCII letter of their low byte.
    expect(decodeBase64Strict('QU\u0149=')).toBeNull();
    expect(decodeBase64Strict('A\ude42AA')).toBeNull();
    expect(decodeBase64Strict('')).toEqual(Buffer.alloc(0));
    expect(decodeBase64Strict('QUI=')?.toString()).toBe('AB');
  });
});
