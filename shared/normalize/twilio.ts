import { formValue, type FormParam } from '../form';
import type { FlatRow, Interaction, StatusName } from '../schema/types';
import { baseRow, eventIds, stampEventTime, type NormalizeContext, type NormalizeOutcome } from './context';

/*
 * Twilio's WhatsApp webhooks (Programmable Messaging), already parsed from their form body (see
 * shared/form.ts), to flat rows. Two kinds of request reach us, told apart by `MessageStatus`:
 *
 * - The incoming message webhook (Twilio docs, "Twilio's request to your incoming message Webhook
 *   URL", messaging/guides/webhook-request): `MessageSid`, `From`/`To` as `whatsapp:+<number>`,
 *   `Body`, `NumMedia`/`MediaUrl<n>`, and for WhatsApp `WaId` (the user's number, digits only),
 *   `ProfileName`, `MessageType` (`text`, `image`, …, `button` for a template quick-reply tap,
 *   `interactive` for a reply to an interactive message), `ButtonPayload`/`ButtonText` (the tapped
 *   button's id and label), `OriginalRepliedMessageSid` (the message replied to or tapped on).
 *   List-picker replies carry `ListId`/`ListTitle` and Flow submissions `InteractiveData`/`FlowData`:
 *   those names are the ones issue #17 gives; the Twilio pages reachable while writing this did not
 *   show their shapes, so the Flow payload is read leniently (see flowAnswer).
 * - The status callback (same docs, "Outbound message status in status callbacks"): `MessageSid`,
 *   `MessageStatus`, `From` (the business) and `To` (the user), `ErrorCode` when it failed.
 *
 * Neither carries a timestamp (Twilio's form has no event time), so every row's event time is the
 * time the API received the request. Campaign and experiment come from the send registry (a send
 * through Twilio registers with its `MessageSid` as the wamid), never from the form. The business
 * number and `AccountSid` are not Meta's WABA and phone-number ids, so those columns stay null.
 * Unknown parameters are ignored: Twilio adds parameters without notice.
 */

const SOURCE = 'twilio' as const;
const WHATSAPP = 'whatsapp:';
const INT_RE = /^-?\d{1,10}$/;

/** Twilio's `MessageStatus` values that are facts about an outbound message, as our statuses. */
const STATUS: Readonly<Record<string, StatusName>> = { sent: 'sent', delivered: 'delivered', read: 'read', failed: 'failed', undelivered: 'failed' };
/**
 * Statuses that are not yet (or never) a fact about delivery: the message is still with Twilio
 * (`queued`, `accepted`, `scheduled`, `sending`), was withdrawn (`canceled`), or is an inbound
 * message on its way (`receiving`). `partially_delivered` is a multi-part SMS status.
 */
const NOT_A_FACT = new Set(['queued', 'accepted', 'scheduled', 'sending', 'canceled', 'receiving', 'partially_delivered']);

const problem = (message: string, reason: 'bad_shape' | 'not_whatsapp' = 'bad_shape'): NormalizeOutcome => ({ rows: [], problems: [{ reason, message }] });

/**
 * Whether a Twilio form is a status callback (else an incoming message): inbound webhooks carry
 * `SmsStatus=received` and no `MessageStatus`; status callbacks carry both.
 */
export function isTwilioStatusCallback(params: readonly FormParam[]): boolean {
  const status = (formValue(params, 'MessageStatus') ?? '').toLowerCase();
  return status !== '' && status !== 'received';
}

/** Rows from one Twilio webhook's form parameters. Never throws. */
export function normalizeTwilio(params: readonly FormParam[], ctx: NormalizeContext): NormalizeOutcome {
  const sid = formValue(params, 'MessageSid') ?? formValue(params, 'SmsSid');
  if (sid === null || sid.trim() === '') return problem('no MessageSid: not a Twilio messaging webhook', 'not_whatsapp');
  const from = formValue(params, 'From');
  const to = formValue(params, 'To');
  const waId = formValue(params, 'WaId');
  // The same URL can serve a Messaging Service's SMS too: those are not WhatsApp facts.
  if (!from?.startsWith(WHATSAPP) && !to?.startsWith(WHATSAPP) && (waId === null || waId === '')) {
    return problem('neither From nor To is a whatsapp: address: not a WhatsApp message', 'not_whatsapp');
  }
  const twilioStatus = (formValue(params, 'MessageStatus') ?? '').toLowerCase();
  if (!isTwilioStatusCallback(params)) return inbound(params, sid, waId, from, ctx);
  const status = STATUS[twilioStatus];
  if (status !== undefined) return outboundStatus(params, sid, status, to, ctx);
  if (NOT_A_FACT.has(twilioStatus)) return { rows: [], problems: [] };
  return problem(`MessageStatus "${twilioStatus.slice(0, 40)}" is not a known status`);
}

/** The user's number, digits only like `WaId` (and Meta's wa_id): `whatsapp:+1555…` -> `1555…`. */
function userNumber(address: string | null): string | null {
  if (address === null || !address.startsWith(WHATSAPP)) return null;
  const number = address.slice(WHATSAPP.length).trim();
  const digits = number.startsWith('+') ? number.slice(1) : number;
  return digits === '' ? null : digits;
}

function nonEmpty(value: string | null): string | null {
  return value === null || value === '' ? null : value;
}

function inbound(params: readonly FormParam[], sid: string, waId: string | null, from: string | null, ctx: NormalizeContext): NormalizeOutcome {
  const row = baseRow(ctx, 'message', eventIds.inbound(SOURCE, sid));
  row.wamid = sid;
  const user = nonEmpty(waId) ?? userNumber(from);
  row.wa_id = user === null ? null : ctx.pseudonymize(user);
  row.context_wamid = nonEmpty(formValue(params, 'OriginalRepliedMessageSid'));
  fillTap(row, params);
  return { rows: [stampEventTime(row, ctx.receivedTs, ctx)], problems: [] };
}

/** Makes the row a click when the message is a tap: quick reply, reply button, list row or Flow. */
function fillTap(row: FlatRow, params: readonly FormParam[]): void {
  const type = (formValue(params, 'MessageType') ?? '').toLowerCase();
  const payload = nonEmpty(formValue(params, 'ButtonPayload'));
  const text = nonEmpty(formValue(params, 'ButtonText'));
  const listId = nonEmpty(formValue(params, 'ListId'));
  const flow = nonEmpty(formValue(params, 'InteractiveData')) ?? nonEmpty(formValue(params, 'FlowData'));
  if (listId !== null) return click(row, 'list_reply', listId, nonEmpty(formValue(params, 'ListTitle')));
  if (flow !== null && (type === 'interactive' || type === '')) {
    const answer = flowAnswer(flow);
    click(row, 'nfm_reply', answer.token, nonEmpty(formValue(params, 'Body')));
    row.flow_response = answer.json;
    return;
  }
  if (payload === null && text === null) return;
  if (type === 'interactive') return click(row, 'button_reply', payload, text);
  // `button` is a template's quick-reply button (Meta's type `button`); before Twilio sent
  // MessageType, a tap was known by its ButtonPayload alone, and it was a template's.
  if (type === 'button' || type === '') return click(row, 'quick_reply', payload, text);
}

function click(row: FlatRow, interaction: Interaction, buttonId: string | null, title: string | null): void {
  row.kind = 'click';
  row.interaction = interaction;
  row.button_id = buttonId;
  row.button_title = title;
}

type Obj = Record<string, unknown>;
const asObj = (v: unknown): Obj | null => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : null);

/**
 * A Flow submission's `response_json` and its `flow_token`. The parameter may hold the answers
 * themselves (`{"flow_token":…,…}`), or Meta's reply wrapped (`{"response_json":"…"}`, or
 * `{"nfm_reply":{"response_json":…}}`); text that is not JSON is kept as sent, without a token.
 */
function flowAnswer(value: string): { json: string; token: string | null } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return { json: value, token: null };
  }
  let obj = asObj(parsed);
  const nfm = obj === null ? null : asObj(obj.nfm_reply);
  if (nfm !== null) obj = nfm;
  const inner = obj === null ? undefined : obj.response_json;
  if (typeof inner === 'string') {
    try {
      return { json: inner, token: tokenOf(JSON.parse(inner)) };
    } catch {
      return { json: inner, token: null };
    }
  }
  if (asObj(inner) !== null) return { json: JSON.stringify(inner), token: tokenOf(inner) };
  return { json: value, token: tokenOf(parsed) };
}

function tokenOf(value: unknown): string | null {
  const obj = asObj(value);
  const token = obj === null ? undefined : obj.flow_token;
  return typeof token === 'string' && token !== '' ? token : null;
}

function outboundStatus(params: readonly FormParam[], sid: string, status: StatusName, to: string | null, ctx: NormalizeContext): NormalizeOutcome {
  const row = baseRow(ctx, 'status', eventIds.status(SOURCE, sid, status));
  row.wamid = sid;
  row.status = status;
  const user = userNumber(to);
  row.wa_id = user === null ? null : ctx.pseudonymize(user);
  if (status === 'failed') {
    // Informational, like Meta's errors: a code that is not a 32-bit int is left out, not a problem.
    const code = formValue(params, 'ErrorCode');
    const n = code !== null && INT_RE.test(code) ? Number(code) : Number.NaN;
    row.error_code = Number.isInteger(n) && Math.abs(n) < 2 ** 31 ? n : null;
  }
  return { rows: [stampEventTime(row, ctx.receivedTs, ctx)], problems: [] };
}
