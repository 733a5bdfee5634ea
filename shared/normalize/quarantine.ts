import { createHash } from 'node:crypto';
import type { Envelope } from '../envelope';
import type { FlatRow } from '../schema/types';
import { dateInZone } from '../time';
import { baseRow, type NormalizeContext } from './context';
import type { QuarantineReason } from './reasons';

/**
 * One quarantine row holding the original body (base64), signature and, for Twilio, the URL it
 * signed, so the record can be requeued and verified again once the cause is fixed. Its id hashes the body, so a redelivered bad body dedupes.
 * Quarantine rows have no event time; `event_date` is the arrival date so daily counts find them.
 */
export function quarantineRow(envelope: Envelope, reason: QuarantineReason, ctx: NormalizeContext): FlatRow {
  const rawBody = envelope.body.toString('base64');
  // The id hashes the base64 text, as before the envelope carried raw bytes: ids stay stable.
  const digest = createHash('sha256').update(rawBody).update('\0').update(envelope.signature ?? '').digest('hex');
  const row = baseRow(ctx, 'quarantine', `quarantine:${envelope.source}:${digest.slice(0, 40)}`);
  row.reason = reason;
  row.raw_body = rawBody;
  row.signature = envelope.signature;
  row.request_url = envelope.url ?? null;
  row.event_date = dateInZone(envelope.receivedTs, ctx.timeZone);
  return row;
}
