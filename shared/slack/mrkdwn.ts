import { terminalSafe } from '../text/terminal';

/*
 * Everything that puts a string into a Slack message. Slack reads `<…>` as a control sequence in
 * every text field (`<!channel>`, `<!here>`, `<@U…>` mention; `<https://…|label>` links), and
 * `&` starts an entity; its formatting reference says to escape exactly `&`, `<` and `>` as
 * `&amp;`, `&lt;`, `&gt;` and nothing else. `slackEscape` is the one function that does it, and
 * the block builders in this file are the only way text enters a message, so no field can miss it.
 */

/**
 * Slack's limits, from its Block Kit reference and the chat.postMessage / incoming webhook docs
 * (counted here in UTF-16 units, never fewer than the characters Slack counts):
 */
export const slackLimits = {
  /** Blocks in one message. */
  blocks: 50,
  /** A header block's plain_text. */
  headerChars: 150,
  /** A section block's text (and any text object: 3,000 at most). */
  sectionChars: 3000,
  /** Elements of a context block. */
  contextElements: 10,
  /**
   * The top-level `text`: Slack truncates past 40,000 characters and asks to keep it under
   * 4,000; it is the notification text, so the digest keeps it under 4,000.
   */
  textChars: 4000,
  /**
   * All block text together. Not in the reference, but Slack refuses messages whose blocks hold
   * about 13,000 characters or more (`msg_blocks_too_long`, slackapi/bolt-js#2509), so the
   * digest stays under 12,000.
   */
  blocksTotalChars: 12_000,
} as const;

const entities: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };
const ESCAPE_RE = /[&<>]/g;

/** `text` with Slack's three control characters escaped: the one escaping every field gets. */
export function slackEscape(text: string): string {
  return text.replace(ESCAPE_RE, (c) => entities[c]!);
}

/**
 * `slackEscape(text)` cut to at most `maxChars` characters (the last being `…` when cut), never
 * inside an entity or a surrogate pair: Slack counts the escaped text against its limits.
 */
export function slackEscapeWithin(text: string, maxChars: number): string {
  const escaped = slackEscape(text);
  if (escaped.length <= maxChars) return escaped;
  let out = '';
  for (const c of text) {
    const e = entities[c] ?? c;
    if (out.length + e.length > maxChars - 1) break;
    out += e;
  }
  return `${out}…`;
}

/** Display length of a data value inside a line (ids are short; a 20,000-character one is hostile). */
export const maxDataChars = 80;

/**
 * A value that came from the data (campaign id, template, button id), as it is shown: in inline
 * code, so Slack neither formats it (`*bold*`) nor turns a URL, `@channel` or a channel name in
 * it into a link or a mention; backticks swapped for `ˋ` so it cannot close the code span;
 * control characters and line breaks shown escaped (`\n`, `\x1b`); cut to `maxChars` characters.
 * The result is still raw text: the block builders escape it with the rest of the line.
 */
export function slackData(value: string | null | undefined, maxChars: number = maxDataChars): string {
  if (value === null || value === undefined || value === '') return '(none)';
  const chars = Array.from(terminalSafe(value).replace(/`/g, 'ˋ'));
  const shown = chars.length <= maxChars ? chars.join('') : `${chars.slice(0, maxChars - 1).join('')}…`;
  return `\`${shown}\``;
}

/** Block Kit: a header (plain text, at most 150 characters). */
export function headerBlock(text: string): Record<string, unknown> {
  return { type: 'header', text: { type: 'plain_text', text: slackEscapeWithin(text, slackLimits.headerChars) } };
}

/**
 * A mrkdwn text object. `verbatim` stops Slack from auto-linking URLs and channel names and
 * from parsing mentions in it; only `<…>` sequences would still work, and `slackEscape` leaves
 * none but those `link` adds.
 */
function mrkdwn(text: string): { type: 'mrkdwn'; text: string; verbatim: true } {
  return { type: 'mrkdwn', text, verbatim: true };
}

/** Block Kit: a section of escaped text (cut to 3,000 characters), then `suffix` (from `slackLink`). */
export function sectionBlock(text: string, suffix = ''): Record<string, unknown> {
  return { type: 'section', text: mrkdwn(slackEscapeWithin(text, slackLimits.sectionChars - suffix.length) + suffix) };
}

/** Block Kit: a context line of escaped text. */
export function contextBlock(text: string): Record<string, unknown> {
  return { type: 'context', elements: [mrkdwn(slackEscapeWithin(text, slackLimits.sectionChars))] };
}

export const dividerBlock: Readonly<Record<string, unknown>> = { type: 'divider' };

/**
 * A Slack link `<url|label>` to a URL this project built (the dashboard), the only control
 * sequence a message may carry. Null when the URL is not http(s); `|` and `>` cannot be escaped
 * inside a link, so the URL is percent-encoded by URL and the label escaped.
 */
export function slackLink(url: string, label: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return null;
  const href = parsed.href.replace(/\|/g, '%7C');
  return `<${slackEscape(href)}|${slackEscape(label.replace(/\|/g, '/'))}>`;
}

/** What Slack shows for escaped text: the three entities read back (for printing a message). */
export function slackUnescape(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/** Characters of every text object in some blocks: what Slack's total block limit counts. */
export function blockTextChars(blocks: readonly Record<string, unknown>[]): number {
  let total = 0;
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (value !== null && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) {
        if (k === 'text' && typeof v === 'string') total += v.length;
        else walk(v);
      }
    }
  };
  walk(blocks);
  return total;
}
