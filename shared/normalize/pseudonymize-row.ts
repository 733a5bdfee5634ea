import type { Pseudonymizer } from '../pii';
import type { FlatRow } from '../schema/types';

/*
 * What hash mode does to a row besides `wa_id` (which each normalizer pseudonymizes as it reads
 * the user). A Meta wamid is base64 of a structure holding the recipient's phone number, so the
 * message ids are as personal as the user id; a Flow answer holds whatever the user typed.
 *
 * processEnvelope runs this on every row every normalizer makes (Meta, WASenderApi, the send
 * registry, and any future one such as posted conversions): one place, so no normalizer can
 * forget it. The ids are mapped with the same keyed HMAC as `wa_id`, so a status, its send and
 * the tap that answers it still share one (pseudonymized) wamid and every join still works.
 */

/** The Flow field that names the Flow (and is the click's `button_id`): kept in hash mode. */
const FLOW_TOKEN = 'flow_token';

/**
 * Rewrites a row in place for hash mode: `wamid` and `context_wamid` become their keyed HMAC,
 * and so does every occurrence of the raw wamid inside `event_id` (event ids are built from the
 * wamid, so they are rebuilt from the pseudonymized one and dedupe exactly as before);
 * `flow_response` keeps its keys and `flow_token` and has every other value pseudonymized
 * (see pseudonymizeFlowResponse). Raw mode leaves the row alone. Quarantine rows carry no ids
 * (their body is kept verbatim for requeue, which must verify the original signature).
 */
export function pseudonymizeRow(row: FlatRow, pseudonymize: Pseudonymizer): FlatRow {
  if (pseudonymize.mode === 'raw') return row;
  const wamid = row.wamid;
  if (wamid !== null && wamid !== '') {
    const hashed = pseudonymize(wamid);
    row.wamid = hashed;
    // Only after `<source>:`, so a short registry wamid cannot rewrite the prefix itself.
    const head = `${row.source}:`;
    if (row.event_id.startsWith(head)) row.event_id = head + row.event_id.slice(head.length).split(wamid).join(hashed);
  }
  if (row.context_wamid !== null && row.context_wamid !== '') row.context_wamid = pseudonymize(row.context_wamid);
  if (row.flow_response !== null) row.flow_response = pseudonymizeFlowResponse(row.flow_response, pseudonymize);
  return row;
}

/**
 * A Flow's `response_json` for hash mode: the same JSON shape (keys, nesting, array lengths), the
 * top-level `flow_token` as sent, every string and number replaced by the keyed HMAC of its text
 * (a number by its JSON text), booleans and nulls kept (two values cannot identify anyone). Text
 * that is not JSON is replaced whole by its HMAC.
 */
export function pseudonymizeFlowResponse(json: string, pseudonymize: Pseudonymizer): string {
  if (pseudonymize.mode === 'raw') return json;
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return pseudonymize(json);
  }
  return JSON.stringify(scrubFlowValue(parsed, 0, pseudonymize));
}

// A module-level function, not a closure made per row: V8 optimized each row's new closure afresh.
function scrubFlowValue(value: unknown, depth: number, pseudonymize: Pseudonymizer): unknown {
  if (typeof value === 'string') return pseudonymize(value);
  if (typeof value === 'number') return pseudonymize(JSON.stringify(value));
  if (value === null || typeof value !== 'object') return value;
  // JSON.parse output nests as deep as the text does; past this depth a value is hashed whole.
  if (depth > 32) return pseudonymize(JSON.stringify(value));
  if (Array.isArray(value)) return value.map((v) => scrubFlowValue(v, depth + 1, pseudonymize));
  // No prototype: a `__proto__` key stays a key.
  const out = Object.create(null) as Record<string, unknown>;
  for (const [k, v] of Object.entries(value)) out[k] = depth === 0 && k === FLOW_TOKEN && typeof v === 'string' ? v : scrubFlowValue(v, depth + 1, pseudonymize);
  return out;
}
