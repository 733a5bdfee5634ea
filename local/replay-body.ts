import { errorMessage, InputError } from '../shared/errors';
import { formValue, parseForm } from '../shared/form';
import { epochMsFrom } from '../shared/normalize/context';
import type { Source } from '../shared/schema/types';
import { parseIsoInstant } from '../shared/time';

/*
 * What replay needs to know about a recorded body before posting it: which route it belongs to
 * and when its facts happened. Only reads; the transform remains the one judge of the shape.
 */

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isSend = (v: unknown): boolean => isObj(v) && 'wamid' in v && 'sent_at' in v;
const isConversion = (v: unknown): boolean => isObj(v) && 'conversion_id' in v;
const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/**
 * The source of a body: Meta (`object` is `whatsapp_business_account`), WASenderApi (a string
 * `event`), the send registry (`wamid` and `sent_at`, or a non-empty array of such), posted
 * conversions (a `conversion_id`, or a non-empty array of objects one of which has one and none
 * of which is a send: an item without its id is the transform's to quarantine, item by item,
 * not a reason to refuse the whole body); else null.
 */
export function inferSource(json: unknown): Source | null {
  if (isObj(json)) {
    if (json.object === 'whatsapp_business_account') return 'meta';
    if (typeof json.event === 'string') return 'wasender';
    if (isSend(json)) return 'registry';
    if (isConversion(json)) return 'conversions';
    return null;
  }
  if (!Array.isArray(json) || json.length === 0) return null;
  if (json.every(isSend)) return 'registry';
  if (json.every(isObj) && json.some(isConversion) && !json.some(isSend)) return 'conversions';
  return null;
}

/**
 * The source of a body that is not JSON: Twilio, when it is a form with a `MessageSid` (every
 * Twilio message webhook and status callback has one); else null.
 */
export function inferFormSource(bytes: Buffer): Source | null {
  const form = parseForm(bytes);
  return form !== null && formValue(form, 'MessageSid') !== null ? 'twilio' : null;
}

/** A recorded body as replay and flatten read it: JSON, or a form (Twilio's). */
export interface RecordedBody {
  /** The parsed JSON; undefined for a form. */
  readonly json: unknown;
  /** True for a form body (`application/x-www-form-urlencoded`): Twilio's. */
  readonly form: boolean;
  /** `file.json`, `file.form` or `line 12 of file.jsonl`, for error lines. */
  readonly where: string;
}

/**
 * Reads a recorded body: JSON, else a Twilio form (see inferFormSource); an InputError naming
 * the body when it is neither. `form: 'only'` (a `.form` file) takes any well-formed form and
 * never JSON; `form: 'never'` (a `.json` file) only JSON.
 */
export function readRecordedBody(bytes: Buffer, where: string, form: 'only' | 'never' | 'twilio' = 'twilio'): RecordedBody {
  if (form === 'only') {
    if (parseForm(bytes) === null) throw new InputError(`${where} is not a form body (application/x-www-form-urlencoded)`);
    return { json: undefined, form: true, where };
  }
  try {
    return { json: JSON.parse(bytes.toString('utf8')), form: false, where };
  } catch (cause) {
    if (form === 'twilio' && inferFormSource(bytes) !== null) return { json: undefined, form: true, where };
    const nor = form === 'twilio' ? ' nor a Twilio form (a form body with a MessageSid)' : '';
    throw new InputError(`${where} is not JSON (${errorMessage(cause)})${nor}`, { cause });
  }
}

/**
 * The route a recorded body goes to: `given` (`--source`), else inferred from the body (a form
 * is Twilio's); an InputError naming the body when neither says. Local and stage replay and
 * flatten share it.
 */
export function sourceOfBody(body: RecordedBody, given: Source | undefined): Source {
  const source = given ?? (body.form ? 'twilio' : inferSource(body.json));
  if (source === null) throw new InputError(`cannot tell the source of ${body.where} (not Meta, WASenderApi, a registry send, a conversion or a Twilio form); pass --source`);
  return source;
}

function latest(values: readonly (number | null)[]): number | null {
  let best: number | null = null;
  for (const v of values) if (v !== null && (best === null || v > best)) best = v;
  return best;
}

/** Meta: every message's and status's `timestamp` (epoch seconds) in every entry and change. */
function metaTimes(json: unknown): (number | null)[] {
  const out: (number | null)[] = [];
  for (const entry of asArray(isObj(json) ? json.entry : undefined)) {
    for (const change of asArray(isObj(entry) ? entry.changes : undefined)) {
      const value = isObj(change) ? change.value : undefined;
      if (!isObj(value)) continue;
      for (const item of [...asArray(value.messages), ...asArray(value.statuses)]) {
        if (isObj(item)) out.push(epochMsFrom(item.timestamp, 's'));
      }
    }
  }
  return out;
}

/** WASenderApi: the event's `timestamp` and each message's `messageTimestamp` (seconds or ms). */
function wasenderTimes(json: unknown): (number | null)[] {
  if (!isObj(json)) return [];
  const out = [epochMsFrom(json.timestamp, 'auto')];
  const data = json.data;
  const messages = isObj(data) ? data.messages : undefined;
  for (const m of Array.isArray(messages) ? messages : [messages]) {
    if (isObj(m)) out.push(epochMsFrom(m.messageTimestamp, 'auto'));
  }
  return out;
}

/** Registry: each send's `sent_at` (ISO-8601 with a zone). */
function registryTimes(json: unknown): (number | null)[] {
  return (Array.isArray(json) ? json : [json]).map((s) => {
    // The same reading of sent_at as the registry normalizer's.
    return parseIsoInstant(isObj(s) ? s.sent_at : undefined);
  });
}

/** Posted conversions: each conversion's `occurred_at` (ISO-8601 with a zone), read as the normalizer reads it. */
function conversionTimes(json: unknown): (number | null)[] {
  return (Array.isArray(json) ? json : [json]).map((c) => parseIsoInstant(isObj(c) ? c.occurred_at : undefined));
}

/** Twilio's forms carry no event time (see shared/normalize/twilio.ts). */
const noTimes = (): (number | null)[] => [];

const readers: Record<Source, (json: unknown) => (number | null)[]> = {
  meta: metaTimes,
  wasender: wasenderTimes,
  registry: registryTimes,
  conversions: conversionTimes,
  twilio: noTimes,
};

/** The latest event time in a body, epoch ms; null when it names none. */
export function latestEventTime(json: unknown, source: Source): number | null {
  return latest(readers[source](json));
}
