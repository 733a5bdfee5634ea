import type { FlatRow, Interaction, StatusName } from '../schema/types';
import { baseRow, epochMsFrom, eventIds, stampEventTime, type NormalizeContext, type NormalizeOutcome, type Problem } from './context';

/*
 * WASenderApi forwards Baileys events as `{event, timestamp, data, sessionId?}`. `sessionId` is
 * the session's API key in WASenderApi's examples, not a WhatsApp id, so `business_id` and
 * `phone_number_id` stay null. Hand-written guards only: this runs once per webhook at peak.
 */

type Obj = Record<string, unknown>;
type Out = { rows: FlatRow[]; problems: Problem[] };

const SOURCE = 'wasender' as const;

/** Content wrappers Baileys nests the real content in (disappearing, view-once, captioned docs). */
const WRAPPERS = ['ephemeralMessage', 'viewOnceMessage', 'viewOnceMessageV2', 'viewOnceMessageV2Extension', 'documentWithCaptionMessage'] as const;

/** Rows from one WASenderApi webhook payload (parsed JSON). Never throws. */
export function normalizeWasender(payload: unknown, ctx: NormalizeContext): NormalizeOutcome {
  const body = asObj(payload);
  if (body === null || typeof body.event !== 'string') {
    return { rows: [], problems: [{ reason: 'not_whatsapp', message: 'not a WASenderApi event: no string "event"' }] };
  }
  const out: Out = { rows: [], problems: [] };
  switch (body.event) {
    case 'messages.upsert':
    case 'messages.received':
      inboundMessages(body, ctx, out);
      break;
    case 'messages.update':
      eachUpdate(body, ctx, out, statusUpdate);
      break;
    case 'message-receipt.update':
      eachUpdate(body, ctx, out, receiptUpdate);
      break;
    default:
    // Session, QR code, chat, contact and group events carry no click analytics facts.
  }
  return out;
}

/** `messages.upsert` sends an array, `messages.received` one object; both are accepted for either. */
function inboundMessages(body: Obj, ctx: NormalizeContext, out: Out): void {
  const data = asObj(body.data);
  if (data === null) return bad(out, 'data is not an object');
  // WASenderApi's messages.received example has no messageTimestamp; the event time is then the top-level one.
  const fallbackTs = epochMsFrom(body.timestamp, 'auto');
  const messages = data.messages;
  if (Array.isArray(messages)) {
    for (let i = 0; i < messages.length; i++) inboundMessage(messages[i], i, fallbackTs, ctx, out);
  } else if (asObj(messages) !== null) {
    inboundMessage(messages, -1, fallbackTs, ctx, out);
  } else if (data.key !== undefined) {
    inboundMessage(data, -1, fallbackTs, ctx, out);
  } else {
    bad(out, 'data.messages is missing');
  }
}

function inboundMessage(value: unknown, index: number, fallbackTs: number | null, ctx: NormalizeContext, out: Out): void {
  const msg = asObj(value);
  if (msg === null) return bad(out, `${at('data.messages', index)} is not an object`);
  const key = asObj(msg.key);
  const wamid = key === null ? undefined : key.id;
  if (key === null || typeof wamid !== 'string' || wamid === '') return bad(out, `${at('data.messages', index)}.key.id is missing`);
  // Echo of what the business sent: its facts arrive as messages.update statuses, so no row here.
  if (key.fromMe === true) return;
  // Contacts' status stories, not messages to the business.
  if (key.remoteJid === 'status@broadcast') return;
  const eventTs = epochMsFrom(msg.messageTimestamp, 'auto') ?? fallbackTs;
  if (eventTs === null) return bad(out, `${at('data.messages', index)} has no timestamp`);

  const row = baseRow(ctx, 'message', eventIds.inbound(SOURCE, wamid));
  row.source = SOURCE;
  row.wamid = wamid;
  const user = senderUser(key);
  row.wa_id = user === null ? null : ctx.pseudonymize(user);
  const content = unwrap(asObj(msg.message));
  if (content !== null) fillContent(row, content);
  out.rows.push(stampEventTime(row, eventTs, ctx));
}

/** Turns the row into a click when the content is a tap; otherwise keeps the quoted message id. */
function fillContent(row: FlatRow, content: Obj): void {
  let c = asObj(content.buttonsResponseMessage);
  if (c !== null) return click(row, 'button_reply', c, text(c.selectedButtonId), text(c.selectedDisplayText));
  c = asObj(content.listResponseMessage);
  if (c !== null) {
    const reply = asObj(c.singleSelectReply);
    return click(row, 'list_reply', c, reply === null ? null : text(reply.selectedRowId), text(c.title));
  }
  c = asObj(content.templateButtonReplyMessage);
  if (c !== null) return click(row, 'quick_reply', c, text(c.selectedId), text(c.selectedDisplayText));
  c = asObj(content.interactiveResponseMessage);
  const flow = c === null ? null : asObj(c.nativeFlowResponseMessage);
  if (c !== null && flow !== null) {
    const bodyObj = asObj(c.body);
    const params = flowParams(flow.paramsJson);
    click(row, 'nfm_reply', c, params.token, bodyObj === null ? null : text(bodyObj.text));
    row.flow_response = params.json;
    return;
  }
  row.context_wamid = anyStanzaId(content);
}

function click(row: FlatRow, interaction: Interaction, content: Obj, buttonId: string | null, title: string | null): void {
  row.kind = 'click';
  row.interaction = interaction;
  row.context_wamid = stanzaId(content);
  row.button_id = buttonId;
  row.button_title = title;
}

/** The Flow's `paramsJson` as stored, and its `flow_token` (null when absent or not JSON). */
function flowParams(value: unknown): { json: string | null; token: string | null } {
  let json: string | null = null;
  let parsed: unknown = value;
  if (typeof value === 'string') {
    json = value;
    try {
      parsed = JSON.parse(value);
    } catch {
      return { json, token: null };
    }
  } else if (asObj(value) !== null) {
    // Some forwarders hand the params over already parsed.
    json = JSON.stringify(value);
  }
  const params = asObj(parsed);
  return { json, token: params === null ? null : text(params.flow_token) };
}

/** Follows Baileys' wrapper messages (bounded) to the content that says what was sent. */
function unwrap(content: Obj | null): Obj | null {
  for (let depth = 0; content !== null && depth < 4; depth++) {
    let inner: Obj | null = null;
    for (const name of WRAPPERS) {
      const wrapper = asObj(content[name]);
      if (wrapper !== null) {
        inner = asObj(wrapper.message);
        break;
      }
    }
    if (inner === null) return content;
    content = inner;
  }
  return content;
}

function stanzaId(content: Obj): string | null {
  const info = asObj(content.contextInfo);
  const id = info === null ? undefined : info.stanzaId;
  return typeof id === 'string' && id !== '' ? id : null;
}

/** The quoted message id of whatever content type carries one (text replies, media replies …). */
function anyStanzaId(content: Obj): string | null {
  let seen = 0;
  for (const name in content) {
    if (++seen > 32) break; // a message has one content type and a few extras; don't walk junk
    const part = asObj(content[name]);
    const id = part === null ? null : stanzaId(part);
    if (id !== null) return id;
  }
  return null;
}

type UpdateReader = (value: unknown, index: number, eventTs: number | null, ctx: NormalizeContext, out: Out) => void;

/**
 * `messages.update` (`{key, update:{status}}`) and `message-receipt.update` (`{key, receipt}`):
 * `data` is one object or an array of them; each is read with the event's top-level timestamp.
 */
function eachUpdate(body: Obj, ctx: NormalizeContext, out: Out, read: UpdateReader): void {
  const eventTs = epochMsFrom(body.timestamp, 'auto');
  const data = body.data;
  if (Array.isArray(data)) {
    for (let i = 0; i < data.length; i++) read(data[i], i, eventTs, ctx, out);
  } else if (asObj(data) !== null) {
    read(data, -1, eventTs, ctx, out);
  } else {
    bad(out, 'data is not an object or array');
  }
}

function statusUpdate(value: unknown, index: number, eventTs: number | null, ctx: NormalizeContext, out: Out): void {
  const item = asObj(value);
  if (item === null) return bad(out, `${at('data', index)} is not an object`);
  const update = asObj(item.update);
  const status = statusFrom(update === null ? undefined : update.status);
  if (status === 'skip') return;
  if (status === 'invalid') return bad(out, `${at('data', index)}.update.status is not a known status`);
  const key = asObj(item.key);
  const wamid = key === null ? undefined : key.id;
  if (key === null || typeof wamid !== 'string' || wamid === '') return bad(out, `${at('data', index)}.key.id is missing`);
  // fromMe:false means a receipt for an inbound message (the business read it): not an outbound
  // message's status, and as one it would invent a sent message in the CTR cohorts.
  if (key.fromMe === false) return;
  if (eventTs === null) return bad(out, 'timestamp is missing');

  const row = baseRow(ctx, 'status', eventIds.status(SOURCE, wamid, status));
  row.source = SOURCE;
  row.wamid = wamid;
  row.status = status;
  const user = chatUser(key);
  row.wa_id = user === null ? null : ctx.pseudonymize(user);
  out.rows.push(stampEventTime(row, eventTs, ctx));
}

/**
 * Baileys `WAMessageStatus` as a number or numeric string (WASenderApi's docs), its enum name, or
 * the lower-case status name WASenderApi's SDK types and examples use (`"delivered"`, `"read"`, …).
 */
function statusFrom(value: unknown): StatusName | 'skip' | 'invalid' {
  switch (typeof value === 'string' ? value.toLowerCase() : value) {
    case 0: case '0': case 'error': case 'failed': return 'failed';
    case 2: case '2': case 'server_ack': case 'sent': return 'sent';
    case 3: case '3': case 'delivery_ack': case 'delivered': return 'delivered';
    case 4: case '4': case 'read': return 'read';
    case 5: case '5': case 'played': return 'played';
    // PENDING is not yet a fact about delivery; an update without a status is an edit or similar.
    case 1: case '1': case 'pending': case undefined: case null: return 'skip';
    default: return 'invalid';
  }
}

const RECEIPT_TIMES = [
  ['receiptTimestamp', 'delivered'],
  ['readTimestamp', 'read'],
  ['playedTimestamp', 'played'],
] as const;

/**
 * One `message-receipt.update` item: a receipt from one user of an outbound message (in a group,
 * one per participant). Baileys' receipt carries `receiptTimestamp` (delivered), `readTimestamp`
 * and `playedTimestamp`; WASenderApi's SDK types carry `status` and `t`. Each is a status fact;
 * in a group the participant is part of its id.
 */
function receiptUpdate(value: unknown, index: number, fallbackTs: number | null, ctx: NormalizeContext, out: Out): void {
  const item = asObj(value);
  if (item === null) return bad(out, `${at('data', index)} is not an object`);
  const key = asObj(item.key);
  const wamid = key === null ? undefined : key.id;
  if (key === null || typeof wamid !== 'string' || wamid === '') return bad(out, `${at('data', index)}.key.id is missing`);
  // A receipt for an inbound message (fromMe false) is the business reading it: not a fact of ours.
  if (key.fromMe === false) return;
  const receipt = asObj(item.receipt);
  if (receipt === null) return bad(out, `${at('data', index)}.receipt is not an object`);
  const user = jidUser(receipt.userJid) ?? chatUser(key);
  const inGroup = typeof key.remoteJid === 'string' && key.remoteJid.endsWith('@g.us');
  const facts: { status: StatusName; ts: number | null }[] = [];
  if (receipt.status !== undefined) {
    const status = statusFrom(receipt.status);
    if (status === 'invalid') return bad(out, `${at('data', index)}.receipt.status is not a known status`);
    if (status !== 'skip') facts.push({ status, ts: epochMsFrom(receipt.t, 'auto') });
  } else {
    for (const [field, status] of RECEIPT_TIMES) {
      if (receipt[field] !== undefined && receipt[field] !== null) facts.push({ status, ts: epochMsFrom(receipt[field], 'auto') });
    }
  }
  const wa = user === null ? null : ctx.pseudonymize(user);
  for (const fact of facts) {
    const eventTs = fact.ts ?? fallbackTs;
    if (eventTs === null) return bad(out, `${at('data', index)}.receipt has no timestamp`);
    // One-to-one, a receipt is the same fact as the messages.update status: the same id dedupes them.
    const row = baseRow(ctx, 'status', eventIds.status(SOURCE, wamid, fact.status, inGroup ? (wa ?? 'unknown') : null));
    row.wamid = wamid;
    row.status = fact.status;
    row.wa_id = wa;
    out.rows.push(stampEventTime(row, eventTs, ctx));
  }
}

/** Who sent an inbound message: WASenderApi's cleaned phone number first, else the chat's. */
function senderUser(key: Obj): string | null {
  return jidUser(key.cleanedSenderPn) ?? jidUser(key.senderPn) ?? chatUser(key);
}

/** The user of a one-to-one chat; in a group, the participant rather than the group. */
function chatUser(key: Obj): string | null {
  const remote = key.remoteJid;
  if (typeof remote === 'string' && remote.endsWith('@g.us')) return jidUser(key.participant);
  return jidUser(remote);
}

/**
 * The number of a JID (`15551234567:3@s.whatsapp.net` -> `15551234567`), or a bare number.
 * A `…@lid` JID gives the LID: still one stable id per user when no phone number is sent.
 */
function jidUser(value: unknown): string | null {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value > 0 ? String(value) : null;
  if (typeof value !== 'string') return null;
  let end = value.indexOf('@');
  if (end < 0) end = value.length;
  const colon = value.indexOf(':');
  if (colon >= 0 && colon < end) end = colon;
  const start = value.charCodeAt(0) === 43 /* + */ ? 1 : 0;
  if (end <= start) return null;
  for (let i = start; i < end; i++) {
    const c = value.charCodeAt(i);
    if (c < 48 || c > 57) return null;
  }
  return start === 0 && end === value.length ? value : value.slice(start, end);
}

function asObj(value: unknown): Obj | null {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Obj) : null;
}

/** A display or id value: strings as sent, numbers as their decimal text, anything else null. */
function text(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return null;
}

function at(path: string, index: number): string {
  return index < 0 ? path : `${path}[${index}]`;
}

function bad(out: Out, message: string): void {
  out.problems.push({ reason: 'bad_shape', message });
}
