import type { FlatRow, Interaction } from '../schema/types';
import { parseCallbackData } from './callback-data';
import { baseRow, epochMsFrom, eventIds, stampEventTime, type NormalizeContext, type NormalizeOutcome, type Problem } from './context';
import { ORDER_CONVERSION_NAME, orderConversion } from './meta-order';

/**
 * Meta Cloud API webhook -> flat rows (SPEC section 3). Hot path of the transform: hand-written
 * guards over the parsed JSON, no regex built per row, and besides the row itself at most one small
 * object per tap; problem paths are only formatted when something is broken.
 */

type Obj = Record<string, unknown>;

const SOURCE = 'meta' as const;
/** One body can batch many broken items; the first problem decides the quarantine reason. */
const MAX_PROBLEMS = 100;
/** Epoch seconds past year 5000 are really milliseconds sent in the wrong unit. */
const MAX_EVENT_MS = 1e14;
const INT_RE = /^-?\d{1,10}$/;

/** Where a change sits in the body, and what all its rows share. */
interface Scope {
  readonly businessId: string | null;
  readonly phoneNumberId: string | null;
  /** `value.contacts`: the users of this change, the fallback for a message that names none. */
  readonly contacts: unknown;
  readonly entry: number;
  readonly change: number;
}

interface Out {
  readonly rows: FlatRow[];
  readonly problems: Problem[];
  omitted: number;
}

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
/** Optional string: absent (undefined or JSON null) or a string. */
const isOptStr = (v: unknown): v is string | null | undefined => v === undefined || v === null || typeof v === 'string';

function badShape(out: Out, message: string, reason: Problem['reason'] = 'bad_shape'): void {
  if (out.problems.length < MAX_PROBLEMS) out.problems.push({ reason, message });
  else out.omitted++;
}

/** A broken part with its own reason (an order's value), where a plain string means bad_shape. */
interface PartProblem {
  readonly problem: Problem;
}

/** Epoch ms from Meta's epoch-seconds timestamp (a digit string; a number is tolerated). */
function epochSecondsMs(v: unknown): number | null {
  if (typeof v !== 'string' && typeof v !== 'number') return null;
  const ms = epochMsFrom(v, 's');
  return ms !== null && ms < MAX_EVENT_MS ? ms : null;
}

/** First error's code as a 32-bit int, or null. Errors are informational: a bad one is not a problem. */
function firstErrorCode(errors: unknown): number | null {
  if (!Array.isArray(errors) || errors.length === 0) return null;
  const first: unknown = errors[0];
  if (!isObj(first)) return null;
  const code = first.code;
  const n = typeof code === 'number' ? code : typeof code === 'string' && INT_RE.test(code) ? Number(code) : NaN;
  return Number.isInteger(n) && n >= -2147483648 && n <= 2147483647 ? n : null;
}

/** Reply fields of a click, or null when the message is not a tap. A string is a problem. */
interface Tap {
  interaction: Interaction;
  buttonId: string | null;
  buttonTitle: string | null;
  flowResponse: string | null;
}

function tapOf(m: Obj): Tap | null | string {
  if (m.type === 'button') {
    // Template quick-reply button: Meta's type `button`, not an interactive message.
    const b = m.button;
    if (!isObj(b)) return 'button is not an object';
    if (!isOptStr(b.payload) || !isOptStr(b.text)) return 'button.payload or button.text is not a string';
    return { interaction: 'quick_reply', buttonId: b.payload ?? null, buttonTitle: b.text ?? null, flowResponse: null };
  }
  if (m.type !== 'interactive') return null;
  const inter = m.interactive;
  if (!isObj(inter)) return 'interactive is not an object';
  const type = inter.type;
  if (type === 'button_reply' || type === 'list_reply') {
    const reply = inter[type];
    if (!isObj(reply)) return `${type} is not an object`;
    // list_reply.description is display text only; it is not part of the contract.
    if (!isOptStr(reply.id) || !isOptStr(reply.title)) return `${type}.id or .title is not a string`;
    return { interaction: type, buttonId: reply.id ?? null, buttonTitle: reply.title ?? null, flowResponse: null };
  }
  if (type === 'nfm_reply') {
    const nfm = inter.nfm_reply;
    if (!isObj(nfm)) return 'nfm_reply is not an object';
    const json = nfm.response_json;
    if (!isOptStr(json) || !isOptStr(nfm.body)) return 'nfm_reply.response_json or .body is not a string';
    return { interaction: 'nfm_reply', buttonId: flowTokenOf(json), buttonTitle: nfm.body ?? null, flowResponse: json ?? null };
  }
  // Unknown interactive types (and future ones) are kept as plain messages.
  return null;
}

/** The Flow's `flow_token` from its response_json string; null when not JSON or absent. */
function flowTokenOf(json: string | null | undefined): string | null {
  if (!json) return null;
  try {
    const parsed: unknown = JSON.parse(json);
    return isObj(parsed) && typeof parsed.flow_token === 'string' ? parsed.flow_token : null;
  } catch {
    return null;
  }
}

/** A non-empty string, else null. */
const nonEmpty = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/**
 * The user of a change's only contact (`wa_id`, else the business-scoped `user_id`), for a
 * message without `from` or `from_user_id`. With several contacts none can be picked safely.
 */
function soleContactUser(contacts: unknown): string | null {
  if (!Array.isArray(contacts) || contacts.length !== 1) return null;
  const c: unknown = contacts[0];
  return isObj(c) ? (nonEmpty(c.wa_id) ?? nonEmpty(c.user_id)) : null;
}

/**
 * Who sent an inbound message (SPEC section 3): the phone number Meta gives, else the
 * business-scoped user id Meta sends for users known only by a username.
 */
function senderOf(m: Obj, s: Scope): string | null {
  return nonEmpty(m.from) ?? nonEmpty(m.from_user_id) ?? soleContactUser(s.contacts);
}

/**
 * Who a status is about: for a group message the participant (`recipient_participant_id`, else
 * `recipient_participant_user_id`), never the group; otherwise `recipient_id`, else
 * `recipient_user_id`. Null when the status names nobody.
 */
function recipientOf(st: Obj): { user: string | null; group: boolean } {
  if (st.recipient_type === 'group') {
    return { user: nonEmpty(st.recipient_participant_id) ?? nonEmpty(st.recipient_participant_user_id), group: true };
  }
  return { user: nonEmpty(st.recipient_id) ?? nonEmpty(st.recipient_user_id), group: false };
}

const USER_FIELDS = ['from_user_id', 'recipient_user_id', 'recipient_participant_id', 'recipient_participant_user_id'] as const;

/** One inbound message -> a click, conversion (order) or message row, or the reason it breaks the shape. */
function messageRow(m: unknown, s: Scope, ctx: NormalizeContext): FlatRow | string | PartProblem {
  if (!isObj(m)) return 'is not an object';
  const id = m.id;
  if (typeof id !== 'string' || id === '') return 'has no id';
  const eventTs = epochSecondsMs(m.timestamp);
  if (eventTs === null) return 'timestamp is not epoch seconds';
  if (!isOptStr(m.from)) return 'from is not a string';
  if (!isOptStr(m.from_user_id)) return 'from_user_id is not a string';
  const context = m.context;
  if (context !== undefined && context !== null && !isObj(context)) return 'context is not an object';
  const contextId = context ? context.id : undefined;
  if (!isOptStr(contextId)) return 'context.id is not a string';
  const tap = tapOf(m);
  if (typeof tap === 'string') return tap;
  const order = m.type === 'order' ? orderConversion(m.order) : null;
  if (order !== null && 'reason' in order) return { problem: order };
  const user = senderOf(m, s);
  // A conversion nobody made cannot be credited to a tap: kept in quarantine, like a posted one.
  if (order !== null && user === null) return { problem: { reason: 'conversion_missing_user', message: 'order has no sender (from, from_user_id or a single contact)' } };

  const row = baseRow(ctx, tap !== null ? 'click' : order !== null ? 'conversion' : 'message', eventIds.inbound(SOURCE, id));
  row.wamid = id;
  row.context_wamid = contextId || null;
  row.wa_id = user === null ? null : ctx.pseudonymize(user);
  row.business_id = s.businessId;
  row.phone_number_id = s.phoneNumberId;
  if (tap !== null) {
    row.interaction = tap.interaction;
    row.button_id = tap.buttonId;
    row.button_title = tap.buttonTitle;
    row.flow_response = tap.flowResponse;
  }
  if (order !== null) {
    row.conversion_name = ORDER_CONVERSION_NAME;
    row.value = order.value;
    row.currency = order.currency;
  }
  return stampEventTime(row, eventTs, ctx);
}

/** One status of an outbound message -> a status row, or the reason it breaks the shape. */
function statusRow(st: unknown, s: Scope, ctx: NormalizeContext): FlatRow | string {
  if (!isObj(st)) return 'is not an object';
  const id = st.id;
  if (typeof id !== 'string' || id === '') return 'has no id';
  const status = st.status;
  if (typeof status !== 'string' || status === '') return 'has no status';
  const eventTs = epochSecondsMs(st.timestamp);
  if (eventTs === null) return 'timestamp is not epoch seconds';
  if (!isOptStr(st.recipient_id)) return 'recipient_id is not a string';
  for (const field of USER_FIELDS) if (!isOptStr(st[field])) return `${field} is not a string`;
  const { user, group } = recipientOf(st);

  // An unknown future status is kept as sent, lowercased, rather than lost.
  const name = status.toLowerCase();
  const wa = user === null ? null : ctx.pseudonymize(user);
  // Two participants reading one group message are two facts; the group itself is nobody.
  const row = baseRow(ctx, 'status', eventIds.status(SOURCE, id, name, group ? (wa ?? 'unknown') : null));
  row.wamid = id;
  row.status = name;
  row.wa_id = wa;
  row.business_id = s.businessId;
  row.phone_number_id = s.phoneNumberId;
  row.error_code = firstErrorCode(st.errors);
  if (st.biz_opaque_callback_data !== undefined) {
    const cb = parseCallbackData(st.biz_opaque_callback_data);
    row.campaign_id = cb.campaign_id;
    row.template_name = cb.template_name;
    row.experiment_id = cb.experiment_id;
    row.variant = cb.variant;
  }
  return stampEventTime(row, eventTs, ctx);
}

/** Rows of one `messages` or `statuses` array; paths in problems are built only on failure. */
function fanOut(items: unknown, what: 'messages' | 'statuses', s: Scope, ctx: NormalizeContext, out: Out): void {
  // JSON null reads as absent, like a missing key.
  if (items === undefined || items === null) return;
  if (!Array.isArray(items)) return badShape(out, `entry[${s.entry}].changes[${s.change}].value.${what} is not an array`);
  const toRow = what === 'messages' ? messageRow : statusRow;
  for (let k = 0; k < items.length; k++) {
    const r = toRow(items[k], s, ctx);
    if (typeof r === 'string') badShape(out, `entry[${s.entry}].changes[${s.change}].value.${what}[${k}] ${r}`);
    else if ('problem' in r) badShape(out, `entry[${s.entry}].changes[${s.change}].value.${what}[${k}] ${r.problem.message}`, r.problem.reason);
    else out.rows.push(r);
  }
}

function walk(payload: Obj, ctx: NormalizeContext, out: Out): void {
  const entries = payload.entry;
  if (!Array.isArray(entries)) return badShape(out, 'entry is not an array');
  for (let i = 0; i < entries.length; i++) {
    const entry: unknown = entries[i];
    if (!isObj(entry)) {
      badShape(out, `entry[${i}] is not an object`);
      continue;
    }
    const changes = entry.changes;
    if (!Array.isArray(changes)) {
      badShape(out, `entry[${i}].changes is not an array`);
      continue;
    }
    const businessId = typeof entry.id === 'string' ? entry.id : null;
    for (let j = 0; j < changes.length; j++) {
      const change: unknown = changes[j];
      if (!isObj(change) || typeof change.field !== 'string') {
        badShape(out, `entry[${i}].changes[${j}] has no field`);
        continue;
      }
      // Other fields (template status and quality updates, account updates, ...) describe the
      // account, not messages: they are not facts of this table, so no rows and no problem.
      if (change.field !== 'messages') continue;
      const value = change.value;
      if (!isObj(value)) {
        badShape(out, `entry[${i}].changes[${j}].value is not an object`);
        continue;
      }
      const md = value.metadata;
      const phoneNumberId = isObj(md) && typeof md.phone_number_id === 'string' ? md.phone_number_id : null;
      const s: Scope = { businessId, phoneNumberId, contacts: value.contacts, entry: i, change: j };
      // value.contacts repeats the users' profiles (read only for a message that names no user);
      // value.errors reports webhook-level failures (no message id): neither makes a row.
      fanOut(value.messages, 'messages', s, ctx, out);
      fanOut(value.statuses, 'statuses', s, ctx, out);
    }
  }
}

/**
 * Rows from one Meta Cloud API webhook payload (parsed JSON): one per message (click or other
 * message) and per status, over every entry and change. A broken part adds a `bad_shape` problem
 * and the good parts are kept; a payload that is not a WhatsApp Business Account webhook gives
 * no rows and a `not_whatsapp` problem. Never throws.
 */
export function normalizeMeta(payload: unknown, ctx: NormalizeContext): NormalizeOutcome {
  const out: Out = { rows: [], problems: [], omitted: 0 };
  try {
    if (!isObj(payload) || payload.object !== 'whatsapp_business_account') {
      return { rows: [], problems: [{ reason: 'not_whatsapp', message: 'object is not whatsapp_business_account' }] };
    }
    walk(payload, ctx, out);
  } catch {
    // Unreachable for JSON.parse output; guards against exotic objects (throwing getters,
    // revoked proxies). The thrown value is not touched: reading it could throw again.
    badShape(out, 'payload could not be read');
  }
  if (out.omitted > 0) out.problems.push({ reason: 'bad_shape', message: `${out.omitted} more broken parts not listed` });
  return { rows: out.rows, problems: out.problems };
}
