import { canonicalUserId } from '../pii';
import type { FlatRow } from '../schema/types';
import { parseIsoInstant } from '../time';
import { baseRow, eventIds, stampEventTime, type NormalizeContext, type NormalizeOutcome, type Problem } from './context';
import { amount, currencyCode } from './conversion-value';
import type { QuarantineReason } from './reasons';

/*
 * `POST /conversions` body: one conversion or an array of up to 500,
 * `{conversion_id, wa_id, name, occurred_at, value?, currency?, campaign_id?}` (SPEC section 3).
 * Our own API, so strict like the send registry; unlike it, a bad conversion is quarantined on
 * its own (its item becomes the quarantine row's body) and the rest of the array still lands.
 */

type Obj = Record<string, unknown>;
type Out = { rows: FlatRow[]; problems: Problem[] };

const SOURCE = 'conversions' as const;
/** The most conversions one body may carry. */
export const MAX_CONVERSIONS_PER_BODY = 500;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Rows from one conversions body (parsed JSON). Never throws; every bad item is one problem carrying the item. */
export function normalizeConversions(payload: unknown, ctx: NormalizeContext): NormalizeOutcome {
  const out: Out = { rows: [], problems: [] };
  if (Array.isArray(payload)) {
    if (payload.length > MAX_CONVERSIONS_PER_BODY) {
      // The whole body is kept as one quarantine row: split it and replay.
      out.problems.push({ reason: 'conversion_batch_too_large', message: `${payload.length} conversions in one body, at most ${MAX_CONVERSIONS_PER_BODY}` });
      return out;
    }
    for (let i = 0; i < payload.length; i++) conversionRow(payload[i], i, ctx, out);
  } else if (isObj(payload)) {
    conversionRow(payload, -1, ctx, out);
  } else {
    out.problems.push({ reason: 'not_whatsapp', message: 'a conversions body is a conversion object or an array of them' });
  }
  return out;
}

/** Text of an id-like field: a non-empty string, or a number written as its decimal text. */
function idText(value: unknown): string | null {
  if (typeof value === 'string') return value.trim() === '' ? null : value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return null;
}

function conversionRow(value: unknown, index: number, ctx: NormalizeContext, out: Out): void {
  const name = index < 0 ? 'conversion' : `conversions[${index}]`;
  const bad = (reason: QuarantineReason, message: string): void => {
    out.problems.push({ reason, message: `${name}${message}`, item: value });
  };
  // The reason a body that is not an object gets, so the item replayed alone is judged the same.
  if (!isObj(value)) return bad('not_whatsapp', ' is not a conversion object');
  const id = idText(value.conversion_id);
  if (id === null) return bad('conversion_missing_id', '.conversion_id is missing');
  const user = idText(value.wa_id);
  if (user === null) return bad('conversion_missing_user', '.wa_id is missing');
  const conversionName = typeof value.name === 'string' && value.name.trim() !== '' ? value.name : null;
  if (conversionName === null) return bad('conversion_missing_name', '.name is missing');
  const occurredAt = parseIsoInstant(value.occurred_at);
  if (occurredAt === null) return bad('conversion_bad_time', '.occurred_at is not an ISO-8601 time with a zone');
  const given = (v: unknown): boolean => v !== undefined && v !== null;
  const conversionValue = given(value.value) ? amount(value.value) : null;
  if (given(value.value) && conversionValue === null) return bad('conversion_bad_value', '.value is not a number ≥ 0');
  const currency = given(value.currency) ? currencyCode(value.currency) : null;
  if (given(value.currency) && currency === null) return bad('conversion_unknown_currency', '.currency is not an ISO 4217 code');
  // An empty campaign is not given, as on the send registry.
  const campaignGiven = given(value.campaign_id) && value.campaign_id !== '';
  const campaign = campaignGiven ? idText(value.campaign_id) : null;
  if (campaignGiven && campaign === null) return bad('bad_shape', '.campaign_id is not a string');

  const row = baseRow(ctx, 'conversion', eventIds.conversion(SOURCE, id));
  // The user as WhatsApp writes it, so it pseudonymizes to the same id as their taps.
  row.wa_id = ctx.pseudonymize(canonicalUserId(user));
  row.conversion_name = conversionName;
  row.value = conversionValue;
  row.currency = currency;
  row.campaign_id = campaign;
  out.rows.push(stampEventTime(row, occurredAt, ctx));
}
