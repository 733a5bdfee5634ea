import type { FirehoseTransformationEvent } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { decodeBase64Strict } from '../shared/base64';
import { errorMessage } from '../shared/errors';
import { linearBackoff, retry } from '../shared/retry';
import type { FirehoseTransform } from '../services/transform/handler';
import type { WalRecord } from './wal-format';

// The transform's signature is the Lambda handler's own: one declaration, in the handler.
export type { FirehoseTransform };

/**
 * One whole invocation, Firehose's side included (event, call, retries, answer checks), wherever
 * it runs: outcomes for the records, in input order.
 */
export type InvocationRunner = (records: readonly WalRecord[]) => Promise<RecordOutcome[]>;

/** Names the local stream shows the transform and writes into error records. */
export interface StreamIdentity {
  readonly streamName: string;
  readonly region: string;
  readonly deliveryStreamArn: string;
  readonly lambdaArn: string;
}

/** The local stream's identity; ARNs are shaped like AWS's with a placeholder account. */
export function localStreamIdentity(streamName: string): StreamIdentity {
  const region = 'local';
  return {
    streamName,
    region,
    deliveryStreamArn: `arn:aws:firehose:${region}:000000000000:deliverystream/${streamName}`,
    lambdaArn: `arn:aws:lambda:${region}:000000000000:function:${streamName}-transform`,
  };
}

/** Lambda's synchronous payload limit, which bounds one Firehose invocation's input. */
export const maxInvocationBytes = 6 * 1024 * 1024;

// JSON around one record in the event: keys, quotes, the recordId and the timestamp.
const RECORD_OVERHEAD = 128;

function encodedSize(record: WalRecord): number {
  return Math.ceil(record.data.length / 3) * 4 + RECORD_OVERHEAD;
}

/** Splits records into invocations of at most `maxBytes` of event JSON each (never empty ones). */
export function splitInvocations(records: readonly WalRecord[], maxBytes = maxInvocationBytes): WalRecord[][] {
  const out: WalRecord[][] = [];
  let current: WalRecord[] = [];
  let size = 512;
  for (const record of records) {
    const s = encodedSize(record);
    if (current.length > 0 && size + s > maxBytes) {
      out.push(current);
      current = [];
      size = 512;
    }
    current.push(record);
    size += s;
  }
  if (current.length > 0) out.push(current);
  return out;
}

/** The record id Firehose would give a record; opaque to the transform, unique per stream. */
export function recordIdOf(record: WalRecord): string {
  return String(record.seq);
}

// Plain loops over a batch's records, here and below, rather than a callback made per batch: V8
// optimized each batch's new callback afresh (20-odd TurboFan compiles of the same callback in a
// 20 s run, each batch's records meanwhile run in slower code).
function eventRecords(records: readonly WalRecord[]): FirehoseTransformationEvent['records'] {
  const out: FirehoseTransformationEvent['records'] = new Array(records.length);
  for (let i = 0; i < records.length; i++) {
    const r = records[i]!;
    out[i] = { recordId: recordIdOf(r), approximateArrivalTimestamp: r.arrivalTs, data: r.data.toString('base64') };
  }
  return out;
}

/** The Lambda event for a batch of records. */
export function buildEvent(records: readonly WalRecord[], identity: StreamIdentity): FirehoseTransformationEvent {
  return {
    invocationId: randomUUID(),
    deliveryStreamArn: identity.deliveryStreamArn,
    region: identity.region,
    records: eventRecords(records),
  };
}

/** What became of one record. */
export type RecordOutcome =
  | { readonly result: 'Ok'; readonly data: Buffer }
  | { readonly result: 'Dropped' }
  | { readonly result: 'ProcessingFailed'; readonly errorCode: string; readonly errorMessage: string; readonly attemptsMade: number; readonly attemptEndingTimestamp: number };

/** An invocation whose answer Firehose would reject as a whole (then retry). */
class InvocationFailure extends Error {
  constructor(
    readonly errorCode: string,
    message: string,
  ) {
    super(message);
  }
}

// Error codes and messages as Firehose writes them into processing-failed records.
const failures = {
  function: 'Lambda.FunctionError',
  json: ['Lambda.JsonProcessingException', 'There was an error parsing returned records from the Lambda function. Ensure that the returned records follow the status model required by Firehose.'],
  duplicated: ['Lambda.DuplicatedRecordId', 'Multiple records were returned with the same record Id. Ensure that the Lambda function returns unique record Ids for each record.'],
  missing: ['Lambda.MissingRecordId', 'One or more record Ids were not returned. Ensure that the Lambda function returns all received record Ids.'],
  status: ['Lambda.ProcessingFailedStatus', 'ProcessingFailed status set for record'],
} as const;

type Answer = { result: 'Ok'; data: Buffer } | { result: 'Dropped' } | { result: 'ProcessingFailed' };

/**
 * Validates a transform's answer as Firehose does: an object with `records`, every input record
 * id answered exactly once and no other, `result` one of Ok/Dropped/ProcessingFailed, Ok data
 * base64. Any violation fails the whole invocation.
 */
export function validateAnswer(event: FirehoseTransformationEvent, answer: unknown): Map<string, Answer> {
  const records = (answer as { records?: unknown } | null)?.records;
  if (typeof answer !== 'object' || answer === null || !Array.isArray(records)) throw new InvocationFailure(...failures.json);
  const expected = new Set(event.records.map((r) => r.recordId));
  const answers = new Map<string, Answer>();
  for (const entry of records as unknown[]) {
    const e = (entry ?? {}) as { recordId?: unknown; result?: unknown; data?: unknown };
    if (typeof e.recordId !== 'string') throw new InvocationFailure(...failures.json);
    if (answers.has(e.recordId)) throw new InvocationFailure(...failures.duplicated);
    if (!expected.has(e.recordId)) throw new InvocationFailure(failures.json[0], `The Lambda function returned record Id "${e.recordId}", which was not in its input.`);
    if (e.result === 'Ok') {
      const data = typeof e.data === 'string' ? decodeBase64Strict(e.data) : null;
      if (data === null) throw new InvocationFailure(...failures.json);
      answers.set(e.recordId, { result: 'Ok', data });
    } else if (e.result === 'Dropped' || e.result === 'ProcessingFailed') {
      answers.set(e.recordId, { result: e.result });
    } else {
      throw new InvocationFailure(...failures.json);
    }
  }
  if (answers.size !== expected.size) throw new InvocationFailure(...failures.missing);
  return answers;
}

export interface InvokeOptions {
  readonly identity: StreamIdentity;
  /** Retries after a failed invocation (Firehose's default is 3). */
  readonly retries: number;
  readonly retryDelayMs: number;
  readonly now: () => number;
}

/**
 * Calls the transform for one invocation's records, retrying failed invocations as Firehose
 * does; returns one outcome per record, in input order. After the last attempt, every record of
 * the invocation is ProcessingFailed with the last error.
 */
export async function invokeTransform(records: readonly WalRecord[], transform: FirehoseTransform, options: InvokeOptions): Promise<RecordOutcome[]> {
  const attempts = options.retries + 1;
  let outcome: { answers: Map<string, Answer>; attempt: number };
  try {
    outcome = await retry(
      async (attempt) => {
        const event = buildEvent(records, options.identity);
        let answer: unknown;
        try {
          answer = await transform(event);
        } catch (error) {
          throw new InvocationFailure(failures.function, errorMessage(error));
        }
        return { answers: validateAnswer(event, answer), attempt };
      },
      { attempts, backoff: linearBackoff(options.retryDelayMs) },
    );
  } catch (error) {
    const last = error instanceof InvocationFailure ? error : new InvocationFailure(failures.function, errorMessage(error));
    const ended = options.now();
    return records.map(() => ({ result: 'ProcessingFailed', errorCode: last.errorCode, errorMessage: last.message, attemptsMade: attempts, attemptEndingTimestamp: ended }));
  }
  const { answers, attempt } = outcome;
  const ended = options.now();
  const out: RecordOutcome[] = new Array(records.length);
  for (let i = 0; i < records.length; i++) {
    const a = answers.get(recordIdOf(records[i]!))!;
    out[i] = a.result !== 'ProcessingFailed' ? a : { result: 'ProcessingFailed', errorCode: failures.status[0], errorMessage: failures.status[1], attemptsMade: attempt, attemptEndingTimestamp: ended };
  }
  return out;
}

/** One line of Firehose's processing-failed output for a record. */
export function errorRecordLine(record: WalRecord, outcome: Extract<RecordOutcome, { result: 'ProcessingFailed' }>, identity: StreamIdentity): string {
  return `${JSON.stringify({
    attemptsMade: outcome.attemptsMade,
    arrivalTimestamp: record.arrivalTs,
    errorCode: outcome.errorCode,
    errorMessage: outcome.errorMessage,
    attemptEndingTimestamp: outcome.attemptEndingTimestamp,
    rawData: record.data.toString('base64'),
    lambdaArn: identity.lambdaArn,
  })}\n`;
}
