/*
 * What a terminal would act on instead of print: C0 controls (ESC starts colour, cursor and
 * title sequences, BEL rings, backspace rubs out what came before), DEL, C1 controls (U+009B is
 * a one-character CSI on terminals that honour C1), and the Unicode line separators and bidi
 * controls that reorder what is shown (the "Trojan Source" trick). Data from webhooks reaches
 * `query`, `flatten`, `detect` and the printed digest, so every one of these is shown escaped.
 */
// The controls but the line feed (UNSAFE_RE adds it): one list for both expressions.
const CONTROLS = '\\u0000-\\u0009\\u000b-\\u001f\\u007f-\\u009f\\u061c\\u200e\\u200f\\u2028\\u2029\\u202a-\\u202e\\u2066-\\u2069';
const UNSAFE_RE = new RegExp(`[${CONTROLS}\\n]`, 'g');
const UNSAFE_BUT_NEWLINE_RE = new RegExp(`[${CONTROLS}]`, 'g');

const named: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function hex(c: string, width: number): string {
  return c.charCodeAt(0).toString(16).padStart(width, '0');
}

const textEscape = (c: string): string => named[c] ?? (c.charCodeAt(0) <= 0xff ? `\\x${hex(c, 2)}` : `\\u${hex(c, 4)}`);

/**
 * `text` with every terminal control character shown as an escape (`\n`, `\t`, `\x1b`, `\x07`,
 * `\x9b`, `\u202e` …), so that data printed to a terminal is seen, never executed. With
 * `keepNewlines`, line feeds stay (for multi-line output whose lines are ours).
 */
export function terminalSafe(text: string, options: { keepNewlines?: boolean } = {}): string {
  return text.replace(options.keepNewlines ? UNSAFE_BUT_NEWLINE_RE : UNSAFE_RE, textEscape);
}

/**
 * JSON text made terminal-safe with JSON's own `\uXXXX` escapes, so it parses to the same value.
 * JSON.stringify already escapes C0 controls; DEL, C1 and the Unicode controls pass through it
 * raw, and can only occur inside strings there, where a `\u` escape means the same character.
 */
export function terminalSafeJson(json: string): string {
  return json.replace(UNSAFE_RE, (c) => `\\u${hex(c, 4)}`);
}
