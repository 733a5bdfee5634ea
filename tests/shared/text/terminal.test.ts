import { terminalSafe, terminalSafeJson } from '../../../shared/text/terminal';

describe('terminal-safe text', () => {
  it('escapes every C0 and C1 control, DEL, line separators and bidi controls', () => {
    const all = [...Array.from({ length: 0x20 }, (_, i) => i), 0x7f, ...Array.from({ length: 0x20 }, (_, i) => 0x80 + i), 0x061c, 0x200e, 0x200f, 0x2028, 0x2029, 0x202a, 0x202e, 0x2066, 0x2069];
    const text = String.fromCharCode(...all);
    const safe = terminalSafe(text);
    expect(safe).toMatch(/^[\x20-\x7e]+$/);
    expect(safe.startsWith('\\x00\\x01')).toBe(true);
    expect(safe).toContain('\\t\\n\\x0b\\x0c\\r');
    expect(safe).toContain('\\x1b\\x1c');
    expect(safe).toContain('\\x7f\\x80');
    expect(safe.endsWith('\\x9f\\u061c\\u200e\\u200f\\u2028\\u2029\\u202a\\u202e\\u2066\\u2069')).toBe(true);
  });

  it('leaves printable text alone, accents and emoji included', () => {
    expect(terminalSafe('Sí 🎉 — Ótimo \\ 100%')).toBe('Sí 🎉 — Ótimo \\ 100%');
  });

  it('keeps line feeds when asked, and nothing else', () => {
    expect(terminalSafe('a\n\x1b[31mb\r', { keepNewlines: true })).toBe('a\n\\x1b[31mb\\r');
  });

  it('keeps JSON parseable to the same value', () => {
    const value = { s: 'x\u007f\u009b\u202ey\u2028', n: 1 };
    const json = terminalSafeJson(JSON.stringify(value));
    expect(json).toBe('{"s":"x\\u007f\\u009b\\u202ey\\u2028","n":1}');
    expect(JSON.parse(json)).toEqual(value);
  });
});
