import { PutRecordBatchCommand, type FirehoseClient } from '@aws-sdk/client-firehose';
import { FIREHOSE_MAX_RECORD_BYTES } from '../../shared/apigw/firehose';
import { WaError } from '../../shared/errors';
import { awsFailure, isRetryableAwsError } from '../../shared/adapters/aws/errors';
import { exponentialBackoff, retry, type Sleep } from '../../shared/retry';

/**
 * Sends records into a Firehose stream with `PutRecordBatch`, within its limits (500 records and
 * 4 MiB per call, 1,000 KiB per record). A call can succeed while some of its records fail
 * (`FailedPutCount`, a per-record `ErrorCode`): only those are sent again, with backoff, so a
 * record is never written twice by this sender. A record over the size limit is reported, not sent.
 */

export const MAX_BATCH_RECORDS = 500 as const;
export const MAX_BATCH_BYTES = 4 * 1024 * 1024;

/** One record to send, with a label (file and line, or quarantine key) for the report. */
export interface OutRecord {
  readonly data: Buffer;
  readonly label: string;
}

export interface SendReport {
  sent: number;
  /** Records still failing after the last attempt. */
  failed: number;
  /** Labels of records over Firehose's record limit (not sent). */
  oversize: string[];
  /** Final failures by Firehose error code. */
  failuresByCode: Record<string, number>;
  calls: number;
}

export interface SenderOptions {
  readonly client: FirehoseClient;
  readonly streamName: string;
  /** Attempts per record, the first included (default 6). */
  readonly maxAttempts?: number;
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
  /** Injectable for tests; default setTimeout. */
  readonly sleep?: Sleep;
  /** Injectable jitter source in [0, 1); default Math.random. */
  readonly random?: () => number;
  /** Called after every call with the running report (progress display). */
  readonly onProgress?: (report: Readonly<SendReport>) => void;
}

/** What one call leaves to send again: the records Firehose did not store, with its codes. */
class RecordsFailed extends Error {
  constructor(readonly codes: readonly string[]) {
    super(`${codes.length} records not stored`);
  }
}

/** Accumulates records into calls; `flush()` sends what is left. One sender per stream and run. */
export class FirehoseSender {
  readonly report: SendReport = { sent: 0, failed: 0, oversize: [], failuresByCode: {}, calls: 0 };
  private batch: OutRecord[] = [];
  private batchBytes = 0;
  private readonly maxAttempts: number;

  constructor(private readonly options: SenderOptions) {
    this.maxAttempts = options.maxAttempts ?? 6;
  }

  /** Queues one record; sends a call first when the record would not fit in the current one. */
  async add(record: OutRecord): Promise<void> {
    if (record.data.length > FIREHOSE_MAX_RECORD_BYTES) {
      this.report.oversize.push(record.label);
      this.options.onProgress?.(this.report);
      return;
    }
    if (this.batch.length === MAX_BATCH_RECORDS || this.batchBytes + record.data.length > MAX_BATCH_BYTES) await this.flush();
    this.batch.push(record);
    this.batchBytes += record.data.length;
  }

  /** Sends the queued records (retrying failed ones); the report says how it went. */
  async flush(): Promise<void> {
    if (this.batch.length === 0) return;
    const records = this.batch;
    this.batch = [];
    this.batchBytes = 0;
    await this.sendWithRetries(records);
    this.options.onProgress?.(this.report);
  }

  private async sendWithRetries(records: OutRecord[]): Promise<void> {
    let pending = records;
    try {
      await retry(
        async () => {
          this.report.calls++;
          const answer = await this.options.client.send(
            new PutRecordBatchCommand({ DeliveryStreamName: this.options.streamName, Records: pending.map((r) => ({ Data: r.data })) }),
          );
          const responses = answer.RequestResponses ?? [];
          const failed: OutRecord[] = [];
          const codes: string[] = [];
          pending.forEach((record, i) => {
            const code = responses[i]?.ErrorCode;
            // No answer for a record counts as a failure: only an answered RecordId is proof of storage.
            if (code !== undefined || responses[i]?.RecordId === undefined) {
              failed.push(record);
              codes.push(code ?? 'NoRecordId');
            }
          });
          this.report.sent += pending.length - failed.length;
          pending = failed;
          if (failed.length > 0) throw new RecordsFailed(codes);
        },
        {
          attempts: this.maxAttempts,
          // Full jitter: a random wait up to base·2^n, capped.
          backoff: exponentialBackoff({ baseMs: this.options.baseDelayMs ?? 200, maxMs: this.options.maxDelayMs ?? 5_000, jitter: 'full' }),
          retryable: (error) => error instanceof RecordsFailed || isRetryableAwsError(error),
          sleep: this.options.sleep,
          random: this.options.random,
        },
      );
    } catch (error) {
      if (!(error instanceof RecordsFailed)) throw this.stopped(error, pending.length);
      this.report.failed += pending.length;
      for (const code of error.codes) this.report.failuresByCode[code] = (this.report.failuresByCode[code] ?? 0) + 1;
    }
  }

  /** A call that cannot be retried: one line with what was already stored. */
  private stopped(error: unknown, unsent: number): WaError {
    const base = awsFailure(`Firehose PutRecordBatch into ${this.options.streamName}`, error);
    const r = this.report;
    const tail = `stopped after ${r.sent} ${r.sent === 1 ? 'record was' : 'records were'} sent (${unsent} in the failing call and any not yet read were not sent${r.failed > 0 ? `, ${r.failed} failed` : ''})`;
    return new WaError(base.code, `${base.message}; ${tail}`, { cause: error });
  }
}

/** One line for the operator. */
export function formatSendReport(verb: string, r: Readonly<SendReport>): string {
  const parts = [`sent ${r.sent}`, `failed ${r.failed}`];
  const codes = Object.entries(r.failuresByCode).map(([code, n]) => `${n}×${code}`);
  if (codes.length > 0) parts[1] += ` (${codes.join(', ')})`;
  if (r.oversize.length > 0) {
    const shown = r.oversize.slice(0, 5).join(', ');
    parts.push(`over the 1,000 KiB record limit, not sent ${r.oversize.length} (${shown}${r.oversize.length > 5 ? ', …' : ''})`);
  }
  return `${verb}: ${parts.join('; ')}`;
}

/** Whether the run left anything unsent (the command then exits non-zero). */
export function incomplete(r: Readonly<SendReport>): boolean {
  return r.failed > 0 || r.oversize.length > 0;
}
