/** Campaign attribution (and the experiment arm) carried by a status's `biz_opaque_callback_data`. */
export interface CallbackData {
  campaign_id: string | null;
  template_name: string | null;
  experiment_id: string | null;
  variant: string | null;
}

const NONE: Readonly<CallbackData> = { campaign_id: null, template_name: null, experiment_id: null, variant: null };

const OPEN_BRACE = 0x7b; // '{'

/** A trimmed non-empty string, a finite number as text (ids are often numeric), else null. */
function textOf(value: unknown): string | null {
  if (typeof value === 'string') {
    const s = value.trim();
    return s === '' ? null : s;
  }
  return typeof value === 'number' && Number.isFinite(value) ? String(value) : null;
}

/**
 * Reads the opaque string a business attached to a send: either a JSON object with
 * `campaign_id`/`template_name` (and `experiment_id`/`variant`, the experiment arm the send
 * belongs to), or a bare string taken as the campaign id (SPEC section 3).
 * Trims; an empty or non-string value, or a JSON object without those keys, gives nulls.
 * Anything that merely starts with `{` but is not a JSON object counts as a bare string, so a
 * campaign id is never lost to a parse error. Never throws.
 */
export function parseCallbackData(value: unknown): CallbackData {
  if (typeof value !== 'string') return { ...NONE };
  const s = value.trim();
  if (s === '') return { ...NONE };
  // Only a leading brace can start a JSON object: skip JSON.parse for the common bare id.
  if (s.charCodeAt(0) === OPEN_BRACE) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(s);
    } catch {
      parsed = undefined;
    }
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
      // JSON.parse makes `__proto__` an own key, never the prototype, so plain reads are safe.
      const o = parsed as Record<string, unknown>;
      return { campaign_id: textOf(o.campaign_id), template_name: textOf(o.template_name), experiment_id: textOf(o.experiment_id), variant: textOf(o.variant) };
    }
  }
  return { ...NONE, campaign_id: s };
}
