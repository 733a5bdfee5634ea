import type { Envelope } from '../envelope';
import { parseForm, type FormParam } from '../form';
import type { Pseudonymizer } from '../pii';
import type { FlatRow, Source } from '../schema/types';
import { verifyMetaSignature, verifyWasenderSignature, type Verdict } from '../signature';
import { verifyTwilioSignature } from '../twilio-signature';
import type { NormalizeContext, NormalizeOutcome } from './context';
import { normalizeConversions } from './conversions';
import { normalizeMeta } from './meta';
import { pseudonymizeRow } from './pseudonymize-row';
import { quarantineRow } from './quarantine';
import type { QuarantineReason } from './reasons';
import { normalizeRegistry } from './registry';
import { normalizeTwilio } from './twilio';
import { normalizeWasender } from './wasender';

export * from './context';
export * from './reasons';
export { pseudonymizeFlowResponse } from './pseudonymize-row';
export { normalizeConversions, normalizeMeta, normalizeRegistry, normalizeTwilio, normalizeWasender };

/** Secrets and settings the transform applies to every envelope. */
export interface TransformSettings {
  /** Meta app secret; null means signatures are not checked. */
  readonly metaAppSecret: string | null;
  /** WASenderApi webhook secret; null means signatures are not checked. */
  readonly wasenderSecret: string | null;
  /** Twilio account Auth Token; null or absent means `X-Twilio-Signature` is not checked. */
  readonly twilioAuthToken?: string | null;
  /**
   * Set when Twilio signatures should be checked but cannot be (the token's parameter does not
   * exist): every Twilio record is quarantined as `bad_signature` with this message, never accepted unchecked.
   */
  readonly twilioUnverifiable?: string;
  readonly timeZone: string;
  readonly pseudonymize: Pseudonymizer;
}

/** The sources whose bodies are JSON; Twilio's are forms (see processEnvelope). */
type JsonSource = Exclude<Source, 'twilio'>;

const normalizers: Record<JsonSource, (payload: unknown, ctx: NormalizeContext) => NormalizeOutcome> = {
  meta: normalizeMeta,
  wasender: normalizeWasender,
  registry: normalizeRegistry,
  conversions: normalizeConversions,
};

const verdictReason: Record<Exclude<Verdict, 'ok'>, QuarantineReason> = { missing: 'missing_signature', bad: 'bad_signature' };

// fatal: invalid UTF-8 is a malformed body, not something to repair silently.
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Outcome of one envelope: its rows (quarantine included) and the quarantine reason, if any. */
export interface EnvelopeResult {
  readonly rows: FlatRow[];
  readonly quarantined: QuarantineReason | null;
  /** Why, in words, when the reason code alone would not tell the operator what to fix. */
  readonly message?: string;
}

/** The one message of a Twilio record that cannot be verified because it carries no URL. */
export const TWILIO_NO_URL_MESSAGE =
  'the record carries no url (the URL Twilio signed), so X-Twilio-Signature cannot be checked; the ingestion template must record it';

/**
 * Verify, parse, normalize and (hash mode) pseudonymize one envelope: every row the transform
 * stores, of every source, leaves through here. Never throws for bad input: a body that fails
 * verification or parsing becomes one quarantine row; a payload with some broken parts keeps its
 * good rows and adds one quarantine row for the body.
 */
export function processEnvelope(envelope: Envelope, settings: TransformSettings): EnvelopeResult {
  const ctx: NormalizeContext = {
    source: envelope.source,
    receivedTs: envelope.receivedTs,
    requestId: envelope.requestId,
    timeZone: settings.timeZone,
    pseudonymize: settings.pseudonymize,
  };
  const quarantine = (reason: QuarantineReason, message?: string): EnvelopeResult => ({
    rows: [quarantineRow(envelope, reason, ctx)],
    quarantined: reason,
    ...(message === undefined ? {} : { message }),
  });
  const body = envelope.body;
  const source = envelope.source;
  // Twilio signs the parsed parameters, so its form is read before it is verified.
  const form: FormParam[] | null = source === 'twilio' ? parseForm(body) : null;
  const twilioToken = settings.twilioAuthToken ?? null;

  let verdict: Verdict = 'ok';
  if (source === 'meta' && settings.metaAppSecret !== null) {
    verdict = verifyMetaSignature(body, envelope.signature, settings.metaAppSecret);
  } else if (source === 'wasender' && settings.wasenderSecret !== null) {
    verdict = verifyWasenderSignature(envelope.signature, settings.wasenderSecret);
  } else if (source === 'twilio' && settings.twilioUnverifiable !== undefined) {
    return quarantine('bad_signature', settings.twilioUnverifiable);
  } else if (source === 'twilio' && twilioToken !== null) {
    const url = envelope.url ?? null;
    if (url === null) return quarantine('bad_signature', TWILIO_NO_URL_MESSAGE);
    verdict = verifyTwilioSignature(envelope.signature, url, body, form, twilioToken);
  }
  if (verdict !== 'ok') return quarantine(verdictReason[verdict]);

  let payload: unknown;
  if (source === 'twilio') {
    if (form === null) return quarantine('malformed_form');
  } else {
    try {
      payload = JSON.parse(utf8.decode(body));
    } catch {
      return quarantine('malformed_json');
    }
  }

  let outcome: NormalizeOutcome;
  try {
    outcome = source === 'twilio' ? normalizeTwilio(form!, ctx) : normalizers[source](payload, ctx);
  } catch {
    // A normalizer bug must not lose the body: keep it for replay once fixed.
    return quarantine('bad_shape');
  }
  // Hash mode: message ids and Flow answers of every source, in one place (see pseudonymizeRow).
  for (const row of outcome.rows) pseudonymizeRow(row, settings.pseudonymize);
  if (outcome.problems.length === 0) return { rows: outcome.rows, quarantined: null };
  const reason = outcome.problems[0]!.reason;
  const bodyProblem = outcome.problems.find((p) => p.item === undefined);
  const kept = bodyProblem === undefined ? [] : [quarantineRow(envelope, bodyProblem.reason, ctx)];
  // Items quarantined one by one: each bad item is its own body, replayable alone.
  for (const p of outcome.problems) {
    if (p.item !== undefined) kept.push(quarantineRow({ ...envelope, body: Buffer.from(JSON.stringify(p.item)), signature: null }, p.reason, ctx));
  }
  return { rows: [...outcome.rows, ...kept], quarantined: reason };
}
