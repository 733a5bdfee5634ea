import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { InputError } from '../../shared/errors';
import { quarantineReasons } from '../../shared/normalize/reasons';
import { sources, type Source } from '../../shared/schema/types';
import { checkDate, dateRange } from '../../shared/time';
import { envelopeRecord } from './envelope';
import type { OutRecord } from './firehose-sender';
import { awsFailure } from './stage';

/**
 * Finds quarantine rows of some arrival days and rebuilds the records the API had written for
 * them. Rows are read from the raw objects (`raw/events/dt=D/`, gzip JSON lines) rather than
 * through Athena: the newest arrival partitions are registered only by the next daily run, an
 * Athena scan of raw JSON reads the same bytes anyway, and S3 needs no workgroup or result bucket.
 */

const gunzipAsync = promisify(gunzip);

/** One quarantine row to send again. */
export interface Quarantined {
  readonly dt: string;
  readonly key: string;
  readonly eventId: string;
  readonly reason: string;
  readonly source: Source;
  readonly requestId: string | null;
  readonly receivedTs: number;
  readonly body: Buffer;
  readonly signature: string | null;
  /** Twilio: the URL Twilio signed (`request_url`), so the transform can verify the body again. */
  readonly url: string | null;
}

export interface QuarantineScan {
  readonly rows: Quarantined[];
  /** Rows that cannot be sent as the API would have, with why (label: why). */
  readonly skipped: string[];
  /** Same body and signature seen again (a sender's retry): sent once. */
  duplicates: number;
  objects: number;
}

/** Checks `--from/--to/--reason` before anything is read. */
export function checkRange(from: string | undefined, to: string | undefined, reason: string | undefined): string[] {
  if (from === undefined || to === undefined) throw new InputError('--from and --to are required (arrival dates YYYY-MM-DD)');
  checkDate('--from', from);
  checkDate('--to', to);
  if (from > to) throw new InputError(`--from ${from} is after --to ${to}`);
  if (reason !== undefined && !(quarantineReasons as readonly string[]).includes(reason)) {
    throw new InputError(`--reason must be one of ${quarantineReasons.join(', ')} (got "${reason}")`);
  }
  return dateRange(from, to);
}

/** Every quarantine row (of `reason`, when given) in the raw partitions of `days`. */
export async function scanQuarantine(s3: S3Client, bucket: string, days: readonly string[], reason?: string): Promise<QuarantineScan> {
  const scan: QuarantineScan = { rows: [], skipped: [], duplicates: 0, objects: 0 };
  const seen = new Set<string>();
  for (const dt of days) {
    for (const key of await listKeys(s3, bucket, `raw/events/dt=${dt}/`)) {
      scan.objects++;
      const lines = (await readObject(s3, bucket, key)).split('\n');
      for (const [i, line] of lines.entries()) {
        if (line.trim() === '') continue;
        const row = parseRow(line);
        if (row === null || row.kind !== 'quarantine' || (reason !== undefined && row.reason !== reason)) continue;
        const q = quarantined(row, dt, key);
        if (typeof q === 'string') {
          scan.skipped.push(`${key}:${i + 1}: ${q}`);
        } else if (seen.has(q.eventId)) {
          scan.duplicates++;
        } else {
          seen.add(q.eventId);
          scan.rows.push(q);
        }
      }
    }
  }
  return scan;
}

/** The record to send for a row: the envelope the API's template builds from the original facts. */
export function requeueRecord(q: Quarantined, requestId: () => string = () => `requeue-${randomUUID()}`): OutRecord {
  const data = envelopeRecord({ source: q.source, body: q.body, signature: q.signature, requestId: q.requestId ?? requestId(), receivedTs: q.receivedTs, url: q.url });
  return { data, label: `${q.key} ${q.eventId}` };
}

function parseRow(line: string): Record<string, unknown> | null {
  try {
    const v: unknown = JSON.parse(line);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** Why a Twilio quarantine row without `request_url` is not sent again. */
export const TWILIO_NO_URL = 'a Twilio body quarantined without request_url (the URL Twilio signed), so X-Twilio-Signature cannot be verified again; have Twilio send it again or replay the body';

/** The row as a Quarantined, or why it cannot be sent again. */
function quarantined(row: Record<string, unknown>, dt: string, key: string): Quarantined | string {
  const { source, raw_body: rawBody, signature, request_id: requestId, event_id: eventId } = row;
  const receivedTs = Number(row.received_ts);
  if (typeof source !== 'string' || !(sources as readonly string[]).includes(source)) return `unknown source ${JSON.stringify(source)}`;
  if (typeof rawBody !== 'string') return 'no raw_body';
  if (!Number.isSafeInteger(receivedTs) || receivedTs <= 0) return 'no received_ts';
  const url = typeof row.request_url === 'string' && row.request_url !== '' ? row.request_url : null;
  // Twilio signs the URL it called: without it the body can never verify again, so sending it
  // would only quarantine it once more (rows written before quarantine rows kept the URL).
  if (source === 'twilio' && url === null) return TWILIO_NO_URL;
  const body = Buffer.from(rawBody, 'base64');
  return {
    dt,
    key,
    eventId: typeof eventId === 'string' ? eventId : `${key}:${rawBody.slice(0, 32)}`,
    reason: typeof row.reason === 'string' ? row.reason : 'unknown',
    source: source as Source,
    requestId: typeof requestId === 'string' && requestId !== '' ? requestId : null,
    receivedTs,
    body,
    signature: typeof signature === 'string' && signature !== '' ? signature : null,
    url,
  };
}

async function listKeys(s3: S3Client, bucket: string, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  try {
    do {
      const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
      for (const o of page.Contents ?? []) if (o.Key !== undefined) keys.push(o.Key);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
  } catch (error) {
    throw awsFailure(`listing s3://${bucket}/${prefix}`, error);
  }
  return keys.sort();
}

/** One raw object's text; Firehose writes GZIP, a plain object (compression off) is read as is. */
async function readObject(s3: S3Client, bucket: string, key: string): Promise<string> {
  let bytes: Buffer;
  try {
    const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    bytes = Buffer.from((await out.Body?.transformToByteArray()) ?? new Uint8Array());
  } catch (error) {
    throw awsFailure(`reading s3://${bucket}/${key}`, error);
  }
  const gzipped = bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
  return (gzipped ? await gunzipAsync(bytes) : bytes).toString('utf8');
}

/** One line per row for `--dry-run`. */
export function describeRow(q: Quarantined): string {
  return [q.dt, q.reason, q.source, q.requestId ?? '-', new Date(q.receivedTs).toISOString(), `${q.body.length} bytes`, q.eventId].join('\t');
}
