import type { FlatRow } from '../schema/types';
import { canonicalUserId } from '../pii';
import { parseIsoInstant } from '../time';
import { baseRow, eventIds, stampEventTime, type NormalizeContext, type NormalizeOutcome, type Problem } from './context';

/*
 * `POST /sends` body: one send or an array of them,
 * `{wamid, campaign_id?, template_name?, wa_id?, sent_at, buttons?: [{id, title}], experiment_id?, variant?, split?}`,
 * `split` the experiment's declared split, `{"control": 0.5, "b": 0.5}` (positive shares of any scale).
 * This is our own API, so it is stricter than the webhooks: a wrong type is a bad item, not a guess.
 */

type Obj = Record<string, unknown>;
type Out = { rows: FlatRow[]; problems: Problem[] };

const SOURCE = 'registry' as const;
/** A value of the wrong type (distinct from null, which means "not given"). */
const INVALID = Symbol('invalid');

/** Rows from one send-registry body (parsed JSON): one send object or an array of them. Never throws. */
export function normalizeRegistry(payload: unknown, ctx: NormalizeContext): NormalizeOutcome {
  const out: Out = { rows: [], problems: [] };
  if (Array.isArray(payload)) {
    for (let i = 0; i < payload.length; i++) sendRow(payload[i], i, ctx, out);
  } else if (payload !== null && typeof payload === 'object') {
    sendRow(payload, -1, ctx, out);
  } else {
    out.problems.push({ reason: 'not_whatsapp', message: 'a registry body is a send object or an array of them' });
  }
  return out;
}

function sendRow(value: unknown, index: number, ctx: NormalizeContext, out: Out): void {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return bad(out, `${itemName(index)} is not an object`);
  const send = value as Obj;
  const wamid = send.wamid;
  if (typeof wamid !== 'string' || wamid === '') return bad(out, `${itemName(index)}.wamid is missing`);
  const sentAt = parseIsoInstant(send.sent_at);
  if (sentAt === null) return bad(out, `${itemName(index)}.sent_at is not an ISO-8601 time with a zone`);
  const campaignId = optionalText(send.campaign_id);
  if (campaignId === INVALID) return bad(out, `${itemName(index)}.campaign_id is not a string`);
  const templateName = optionalText(send.template_name);
  if (templateName === INVALID) return bad(out, `${itemName(index)}.template_name is not a string`);
  const waId = phone(send.wa_id);
  if (waId === INVALID) return bad(out, `${itemName(index)}.wa_id is not a string`);
  const experimentId = optionalText(send.experiment_id);
  if (experimentId === INVALID) return bad(out, `${itemName(index)}.experiment_id is not a string`);
  const variant = optionalText(send.variant);
  if (variant === INVALID) return bad(out, `${itemName(index)}.variant is not a string`);
  const split = splitJson(send.split);
  if (split === INVALID) return bad(out, `${itemName(index)}.split is not an object of variant -> positive share`);
  if (split !== null && (experimentId === null || variant === null)) return bad(out, `${itemName(index)}.split needs experiment_id and variant`);
  if (split !== null && !Object.hasOwn(JSON.parse(split) as Obj, variant as string)) return bad(out, `${itemName(index)}.split does not name its variant "${variant}"`);
  const buttons = buttonsJson(send.buttons);
  if (buttons === INVALID) return bad(out, `${itemName(index)}.buttons is not an array of {id, title} with string ids and titles`);

  const row = baseRow(ctx, 'send', eventIds.send(SOURCE, wamid));
  row.source = SOURCE;
  row.wamid = wamid;
  row.wa_id = waId === null ? null : ctx.pseudonymize(waId);
  row.campaign_id = campaignId;
  row.template_name = templateName;
  row.buttons = buttons;
  row.experiment_id = experimentId;
  row.variant = variant;
  row.experiment_split = split;
  out.rows.push(stampEventTime(row, sentAt, ctx));
}

/** Strings as sent (empty means not given), numbers as their decimal text. */
function optionalText(value: unknown): string | null | typeof INVALID {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return INVALID;
}

/** The recipient as WhatsApp writes it (see `canonicalUserId`), so it matches the user ids of taps. */
function phone(value: unknown): string | null | typeof INVALID {
  const s = optionalText(value);
  return s === null || s === INVALID ? s : canonicalUserId(s);
}

/**
 * The declared split as JSON with its variants in sorted order (so equal splits are equal text);
 * shares are kept as given (the method normalizes them); null when not given.
 */
function splitJson(value: unknown): string | null | typeof INVALID {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'object' || Array.isArray(value)) return INVALID;
  const entries = Object.entries(value as Obj);
  if (entries.length === 0) return INVALID;
  for (const [name, share] of entries) if (name === '' || typeof share !== 'number' || !Number.isFinite(share) || share <= 0) return INVALID;
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify(Object.fromEntries(entries));
}

/** `[{"id","title"}]` in display order, only those two keys; null when not given. */
function buttonsJson(value: unknown): string | null | typeof INVALID {
  if (value === undefined || value === null) return null;
  if (!Array.isArray(value)) return INVALID;
  const buttons: { id: string; title: string | null }[] = new Array(value.length);
  for (let i = 0; i < value.length; i++) {
    const b = value[i] as unknown;
    if (b === null || typeof b !== 'object' || Array.isArray(b)) return INVALID;
    const id = optionalText((b as Obj).id);
    const title = optionalText((b as Obj).title);
    // A button without an id cannot be matched to its taps.
    if (id === null || id === INVALID || title === INVALID) return INVALID;
    buttons[i] = { id, title };
  }
  return JSON.stringify(buttons);
}

/** The item's name in problem messages (built only when one is reported). */
function itemName(index: number): string {
  return index < 0 ? 'send' : `sends[${index}]`;
}

function bad(out: Out, message: string): void {
  out.problems.push({ reason: 'bad_shape', message });
}
