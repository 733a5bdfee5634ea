import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/*
 * A stand-in for a Slack incoming webhook, on 127.0.0.1, that refuses what Slack refuses and
 * also what Slack would accept but turn into a mention or a link the sender did not write.
 * The limits are written here from Slack's documentation, independently of shared/slack, so a
 * wrong number in the code under test cannot agree with itself:
 *   - at most 50 blocks per message (Block Kit reference, "Blocks");
 *   - header: a plain_text object of 1–150 characters;
 *   - section: text of 1–3,000 characters, or up to 10 fields of up to 2,000;
 *   - context: 1–10 elements, each text object 1–3,000 characters;
 *   - top-level `text`: Slack truncates past 40,000 characters; refused here past that;
 *   - all block text together: about 13,000 characters (Slack's `msg_blocks_too_long`, not in
 *     the reference; reported in slackapi/bolt-js#2509).
 * Control sequences: in every text field Slack reads `<…>` as a mention, a channel, a special
 * mention (`<!channel>`, `<!here>`, `<!everyone>`, `<!subteam^…>`) or a link (`<https://…|…>`),
 * and `&` as the start of `&amp;`/`&lt;`/`&gt;`. Any raw `<` or `>` is refused unless it is a link
 * to an allowed prefix, and so is an `&` that is not one of those entities. Where Slack would
 * auto-link or auto-mention (mrkdwn without `verbatim: true`, plain text, the top-level text), a
 * URL, `www.` or `@channel`/`@here`/`@everyone` outside inline code is refused too.
 */

export interface StandInOptions {
  /** URL prefixes a `<url|label>` link may point to (the dashboard). */
  readonly allowedLinkPrefixes?: readonly string[];
}

const MAX_BLOCKS = 50;
const HEADER_MAX = 150;
const TEXT_OBJECT_MAX = 3000;
const FIELD_MAX = 2000;
const MAX_FIELDS = 10;
const MAX_CONTEXT_ELEMENTS = 10;
const MESSAGE_TEXT_MAX = 40_000;
const BLOCKS_TOTAL_MAX = 13_000;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Problems in one text field's string (empty when Slack would show it as the sender wrote it). */
function textProblems(where: string, text: string, autoParsed: boolean, options: StandInOptions): string[] {
  const problems: string[] = [];
  const allowed = options.allowedLinkPrefixes ?? [];
  const rest = text.replace(/<([^<>]*)>/g, (sequence, inner: string) => {
    const url = inner.split('|')[0]!.replace(/&amp;/g, '&');
    if (!allowed.some((p) => url.startsWith(p))) problems.push(`${where}: unescaped control sequence ${sequence.slice(0, 60)}`);
    return '';
  });
  if (/[<>]/.test(rest)) problems.push(`${where}: unescaped < or >`);
  if (/&(?!amp;|lt;|gt;)/.test(rest)) problems.push(`${where}: unescaped &`);
  if (autoParsed) {
    const outsideCode = rest.replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
    if (/https?:\/\/|www\./i.test(outsideCode)) problems.push(`${where}: a URL Slack would link`);
    if (/@(channel|here|everyone)\b/i.test(outsideCode)) problems.push(`${where}: a mention Slack would parse`);
  }
  return problems;
}

/** A text object: its problems, and its length (counted against the block total). */
function textObject(where: string, value: unknown, max: number, options: StandInOptions, plainOnly = false): { problems: string[]; chars: number } {
  if (!isObj(value) || typeof value.text !== 'string') return { problems: [`${where}: not a text object`], chars: 0 };
  if (value.type !== 'plain_text' && (plainOnly || value.type !== 'mrkdwn')) return { problems: [`${where}: text type ${String(value.type)}`], chars: 0 };
  const text = value.text;
  const problems: string[] = [];
  if (text.length < 1 || text.length > max) problems.push(`${where}: ${text.length} characters (1–${max} allowed)`);
  problems.push(...textProblems(where, text, !(value.type === 'mrkdwn' && value.verbatim === true), options));
  return { problems, chars: text.length };
}

/**
 * Everything Slack (or a careful reader) would object to in a message: empty when the stand-in
 * accepts it. Exported so unit tests can check a payload without a server.
 */
export function checkSlackMessage(payload: unknown, options: StandInOptions = {}): string[] {
  if (!isObj(payload)) return ['invalid_payload: not a JSON object'];
  const problems: string[] = [];
  if (typeof payload.text !== 'string' || payload.text === '') problems.push('invalid_payload: no text');
  else {
    if (payload.text.length > MESSAGE_TEXT_MAX) problems.push(`msg_too_long: text of ${payload.text.length} characters`);
    problems.push(...textProblems('text', payload.text, true, options).map((p) => `invalid_payload: ${p}`));
  }
  const blocks = payload.blocks;
  if (blocks === undefined) return problems;
  if (!Array.isArray(blocks)) return [...problems, 'invalid_blocks: blocks is not an array'];
  if (blocks.length > MAX_BLOCKS) problems.push(`invalid_blocks: ${blocks.length} blocks (at most ${MAX_BLOCKS})`);
  let total = 0;
  const add = (r: { problems: string[]; chars: number }) => {
    problems.push(...r.problems.map((p) => `invalid_blocks: ${p}`));
    total += r.chars;
  };
  blocks.forEach((block: unknown, i) => {
    const where = `blocks[${i}]`;
    if (!isObj(block)) return void problems.push(`invalid_blocks: ${where} is not an object`);
    switch (block.type) {
      case 'header':
        add(textObject(`${where}.text`, block.text, HEADER_MAX, options, true));
        break;
      case 'section':
        if (block.text !== undefined) add(textObject(`${where}.text`, block.text, TEXT_OBJECT_MAX, options));
        if (block.fields !== undefined) {
          if (!Array.isArray(block.fields) || block.fields.length > MAX_FIELDS) problems.push(`invalid_blocks: ${where}.fields`);
          else block.fields.forEach((f: unknown, j) => add(textObject(`${where}.fields[${j}]`, f, FIELD_MAX, options)));
        }
        if (block.text === undefined && block.fields === undefined) problems.push(`invalid_blocks: ${where} has no text`);
        break;
      case 'context':
        if (!Array.isArray(block.elements) || block.elements.length < 1 || block.elements.length > MAX_CONTEXT_ELEMENTS) problems.push(`invalid_blocks: ${where}.elements`);
        else block.elements.forEach((e: unknown, j) => add(textObject(`${where}.elements[${j}]`, e, TEXT_OBJECT_MAX, options)));
        break;
      case 'divider':
        break;
      default:
        problems.push(`invalid_blocks: ${where} has type ${String(block.type)}`);
    }
  });
  if (total > BLOCKS_TOTAL_MAX) problems.push(`msg_blocks_too_long: ${total} characters of block text`);
  return problems;
}

/** What the stand-in received. */
export interface StandInPost {
  readonly payload: unknown;
  readonly problems: string[];
}

export interface SlackStandIn {
  /** The webhook URL to post to. */
  readonly url: string;
  readonly posts: StandInPost[];
  /** Payloads answered 200. */
  accepted(): Obj[];
  close(): Promise<void>;
}

/**
 * Starts the stand-in on 127.0.0.1: 200 `ok` for a message it accepts, 400 with Slack's error
 * name (`invalid_blocks`, `invalid_payload`, `msg_too_long`, `msg_blocks_too_long`) otherwise.
 * Bodies over 1 MiB are refused without being read whole.
 */
export async function startSlackStandIn(options: StandInOptions = {}): Promise<SlackStandIn> {
  const posts: StandInPost[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= 1024 * 1024) chunks.push(c);
    });
    req.on('end', () => {
      let payload: unknown;
      let problems: string[];
      try {
        if (size > 1024 * 1024) throw new Error('too large');
        payload = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        problems = checkSlackMessage(payload, options);
      } catch {
        payload = undefined;
        problems = ['invalid_payload: not JSON'];
      }
      posts.push({ payload, problems });
      if (problems.length === 0) {
        res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      } else {
        res.writeHead(400, { 'content-type': 'text/plain' }).end(problems[0]!.split(':')[0]);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/services/T000/B000/standin`;
  return {
    url,
    posts,
    accepted: () => posts.filter((p) => p.problems.length === 0).map((p) => p.payload as Obj),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
