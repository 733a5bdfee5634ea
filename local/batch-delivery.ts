import { errorPartitionKey, partitionKey } from '../shared/adapters/local/lake';
import { dateInZone } from '../shared/time';
import { errorRecordLine, splitInvocations, type InvocationRunner, type StreamIdentity } from './firehose-invocation';
import { objectName } from '../shared/adapters/local/lake-files';
import { writeLakeObject, type Compress } from './lake-writer';
import type { LogSpan, WalRecord } from './wal-format';
import { readLogSpans } from './wal-segments';

/** What one flush did. */
export interface FlushReport {
  /** Records taken from the buffer (and from a batch retried after a failed flush). */
  readonly records: number;
  readonly ok: number;
  readonly dropped: number;
  /** Records written to the processing-failed error prefix. */
  readonly failed: number;
  readonly invocations: number;
  /** Lake keys written by this flush. */
  readonly files: string[];
  /** raw_events partitions registered by this flush. */
  readonly partitions: string[];
}

/** The report of a flush that had nothing to deliver. */
export const emptyReport: FlushReport = { records: 0, ok: 0, dropped: 0, failed: 0, invocations: 0, files: [], partitions: [] };

/** Two reports as one (a retried batch and the buffer flushed together). */
export function addReports(a: FlushReport, b: FlushReport): FlushReport {
  return {
    records: a.records + b.records,
    ok: a.ok + b.ok,
    dropped: a.dropped + b.dropped,
    failed: a.failed + b.failed,
    invocations: a.invocations + b.invocations,
    files: [...a.files, ...b.files],
    partitions: [...new Set([...a.partitions, ...b.partitions])].sort(),
  };
}

interface Group {
  earliest: number;
  chunks: Buffer[];
}

function addToGroup(groups: Map<string, Group>, dt: string, arrivalTs: number, chunk: Buffer): void {
  const g = groups.get(dt);
  if (g) {
    g.chunks.push(chunk);
    g.earliest = Math.min(g.earliest, arrivalTs);
  } else {
    groups.set(dt, { earliest: arrivalTs, chunks: [chunk] });
  }
}

/** Where and how a batch is delivered: plain data, so it can cross to the transform worker. */
export interface DeliveryTarget {
  readonly lakeRoot: string;
  readonly timeZone: string;
  readonly invocationBytes: number;
}

/** What delivering a batch needs besides its target. */
export interface BatchContext extends DeliveryTarget {
  /** Runs one invocation. */
  readonly invoke: InvocationRunner;
  /** Gzips each object written. */
  readonly compress: Compress;
  readonly identity: StreamIdentity;
}

/**
 * A batch as the stream hands it over: the records themselves (recovery reads them anyway), or
 * the spans of the log they are in, read back where the batch is delivered.
 */
export type DeliveryBatch = { readonly records: readonly WalRecord[] } | { readonly spans: readonly LogSpan[] };

/** The records of a batch, in sequence order. */
export function batchRecords(batch: DeliveryBatch): Promise<readonly WalRecord[]> {
  return 'records' in batch ? Promise.resolve(batch.records) : readLogSpans(batch.spans);
}

/** The first and last sequence numbers of a (non-empty) batch. */
export function batchBounds(batch: DeliveryBatch): { first: number; last: number } {
  if ('records' in batch) return { first: batch.records[0]!.seq, last: batch.records[batch.records.length - 1]!.seq };
  return { first: batch.spans[0]!.firstSeq, last: batch.spans[batch.spans.length - 1]!.lastSeq };
}

/** Delivers whole batches somewhere else (the transform worker), as {@link deliverBatch} does. */
export type BatchDeliverer = (batch: DeliveryBatch, target: DeliveryTarget) => Promise<FlushReport>;

/**
 * Delivers one batch as Firehose does: transform invocations, then one gzip object per arrival
 * date under the raw prefix (Ok data) and under the processing-failed prefix (error records).
 * The report names the raw partitions written, which the caller registers. Object names depend
 * only on the batch, and objects that already exist are kept, so delivering the same batch again
 * writes nothing twice.
 */
export async function deliverBatch(batch: readonly WalRecord[], ctx: BatchContext): Promise<FlushReport> {
  const first = batch[0]!.seq;
  const last = batch[batch.length - 1]!.seq;
  const events = new Map<string, Group>();
  const errors = new Map<string, Group>();
  let ok = 0;
  let dropped = 0;
  let failed = 0;
  const invocations = splitInvocations(batch, ctx.invocationBytes);
  for (const records of invocations) {
    const outcomes = await ctx.invoke(records);
    // A loop, not a callback made per invocation (see eventRecords in firehose-invocation.ts).
    for (let i = 0; i < records.length; i++) {
      const record = records[i]!;
      const outcome = outcomes[i]!;
      const dt = dateInZone(record.arrivalTs, ctx.timeZone);
      if (outcome.result === 'Ok') {
        ok++;
        // Firehose concatenates transformed data as is; the transform ends its rows with newlines.
        if (outcome.data.length > 0) addToGroup(events, dt, record.arrivalTs, outcome.data);
      } else if (outcome.result === 'Dropped') {
        dropped++;
      } else {
        failed++;
        addToGroup(errors, dt, record.arrivalTs, Buffer.from(errorRecordLine(record, outcome, ctx.identity)));
      }
    }
  }

  const files: string[] = [];
  const write = async (prefix: string, group: Group) => {
    const key = `${prefix}${objectName(ctx.identity.streamName, group.earliest, first, last)}`;
    if (await writeLakeObject(ctx.lakeRoot, key, group.chunks, ctx.compress)) files.push(key);
  };
  for (const [dt, group] of events) await write(partitionKey('raw_events', dt), group);
  for (const [dt, group] of errors) await write(errorPartitionKey('processing-failed', dt), group);
  const partitions = [...events.keys()].sort();
  return { records: batch.length, ok, dropped, failed, invocations: invocations.length, files, partitions };
}
