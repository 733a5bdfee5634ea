import { join } from 'node:path';
import { lakeDir } from '../shared/adapters/local/lake';
import { ConfigError, errorMessage, InputError, StorageError } from '../shared/errors';
import type { Catalog } from '../shared/ports/catalog';
import { assertTimeZone } from '../shared/time';
import { addReports, batchBounds, batchRecords, deliverBatch, emptyReport, type BatchDeliverer, type DeliveryBatch, type DeliveryTarget, type FlushReport } from './batch-delivery';
import { invokeTransform, localStreamIdentity, maxInvocationBytes, type FirehoseTransform, type InvocationRunner } from './firehose-invocation';
import type { CheckpointState } from './checkpoint';
import { gzipOnPool } from './lake-writer';
import { WriteAheadLog, type RecoveryReport, type WalFileSystem, type WalStats } from './wal';
import { maxRecordBytes, type LogSpan, type WalRecord } from './wal-format';

export const defaultBufferBytes = 5 * 1024 * 1024;
export const defaultBufferMs = 60_000;
/** Firehose's largest buffering hints (128 MB, 900 s); beyond them a timer would also overflow. */
export const maxBufferBytes = 128 * 1024 * 1024;
export const maxBufferMs = 900_000;
/** As the deployed stream is named `wa-analytics-<stage>-raw`, for a stage called local. */
export const defaultStreamName = 'wa-analytics-local-raw';
/** Input per transform invocation: the deployed processor's BufferSizeInMBs (1 MB). */
export const defaultInvocationBytes = 1024 * 1024;
/**
 * Record bytes acknowledged and not yet delivered, as a multiple of the buffer size: beyond it,
 * new records wait for a delivery to finish before they are appended (and acknowledged), so a
 * transform that falls behind slows the senders down instead of letting the backlog (and each
 * batch it delivers) grow without bound.
 */
export const backlogBuffers = 4;
/** How long a put waits for the backlog to shrink before it is refused (the API answers 503). */
export const backlogWaitMs = 10_000;

/** Retries of a failed transform invocation (Firehose's default) and the delay step between them. */
export const defaultTransformRetries = 3;
export const defaultRetryDelayMs = 200;

export type { FlushReport } from './batch-delivery';

export interface DeliveryStreamOptions {
  /** The local lake root (WA_DATA_DIR). */
  dataDir: string;
  /** Flush when buffered record bytes reach this (default 5 MiB). */
  bufferBytes: number;
  /** Flush at most this long after the first buffered record (default 60 s). */
  bufferMs: number;
  /** Reporting time zone: partition dt = arrival date in this zone. */
  timeZone: string;
  /**
   * The transform: a function called in-process with Firehose's event (this stream then retries
   * and checks its answers as Firehose does), or a deliverer doing whole batches elsewhere (the
   * transform worker: invocations with their retries, gzip and lake objects), which leaves this
   * stream the log, the checkpoints and the catalog.
   */
  transform: FirehoseTransform | { readonly deliver: BatchDeliverer };
  /** Registers raw partitions after a flush (a LocalCatalog on one machine). */
  catalog: Catalog;
  /** Injectable clock (tests). */
  now?: () => number;
  /** Segment file operations of the write-ahead log (tests inject failures and count syncs). */
  walFs?: WalFileSystem;
  /** Retries of a failed invocation of an in-process transform (Firehose's default: 3). */
  transformRetries?: number;
  /** Delay before retry n is n times this (default 200 ms). */
  retryDelayMs?: number;
  /** Input bytes per transform invocation (default 1 MiB as deployed; at most Lambda's 6 MB). */
  invocationBytes?: number;
  /** Delivery stream name, used in object names and ARNs (default wa-analytics-local-raw). */
  streamName?: string;
  /** Receives errors of flushes nobody awaits (size and timer triggers); default: one line on stderr. */
  onError?: (error: unknown) => void;
  /** Record bytes held before `put` waits for a delivery (default {@link backlogBuffers} × bufferBytes). */
  maxBacklogBytes?: number;
  /** How long a held put waits for a delivery before it is refused (default {@link backlogWaitMs}). */
  backlogWaitMs?: number;
}

/**
 * Firehose Direct PUT to S3, on one machine. `put` acknowledges a record once it is durably in
 * the write-ahead log (group commit); records are buffered by size and time, delivered through
 * the transform with Firehose's event contract, and written as gzip JSON lines under the same
 * prefixes as on S3 (by arrival date in the reporting time zone), then the raw partitions are
 * registered. A crash loses nothing acknowledged: `open` delivers what the log holds beyond the
 * checkpoint, exactly once.
 */
export class LocalDeliveryStream {
  private wal!: WriteAheadLog;
  /**
   * Where the acknowledged, undelivered records are in the log: spans, read back at delivery, not
   * the records themselves, so the API's thread does not hold a buffer's worth of record bytes
   * (held for a whole buffering interval, they were what scheduled V8's full collections there).
   */
  private buffer: LogSpan[] = [];
  private bufferedBytes = 0;
  private timer: NodeJS.Timeout | null = null;
  private retryBatch: { readonly batch: DeliveryBatch; readonly bytes: number } | null = null;
  /** Bytes of the batch being delivered (or waiting to be retried): still part of the backlog. */
  private deliveringBytes = 0;
  /** Puts waiting for the backlog to shrink, resolved after each delivery (rejected on close). */
  private backlogWaiters: Array<{ resolve: () => void; reject: (error: Error) => void }> = [];
  private readonly maxBacklogBytes: number;
  private flushedSeq = 0;
  private flushTail: Promise<unknown> = Promise.resolve();
  private flushQueued = false;
  private closed = false;
  private readonly target: DeliveryTarget;
  private readonly deliverer: BatchDeliverer;
  private readonly now: () => number;

  private constructor(private readonly options: DeliveryStreamOptions) {
    this.now = options.now ?? Date.now;
    this.maxBacklogBytes = options.maxBacklogBytes ?? backlogBuffers * options.bufferBytes;
    const identity = localStreamIdentity(options.streamName ?? defaultStreamName);
    const { transform } = options;
    this.target = { lakeRoot: lakeDir(options.dataDir), timeZone: options.timeZone, invocationBytes: options.invocationBytes ?? defaultInvocationBytes };
    if (typeof transform === 'function') {
      const invokeOptions = { identity, retries: options.transformRetries ?? defaultTransformRetries, retryDelayMs: options.retryDelayMs ?? defaultRetryDelayMs, now: this.now };
      const invoke: InvocationRunner = (records) => invokeTransform(records, transform, invokeOptions);
      this.deliverer = async (batch, target) => deliverBatch(await batchRecords(batch), { ...target, invoke, compress: gzipOnPool, identity });
    } else {
      this.deliverer = transform.deliver;
    }
  }

  /** Opens the log under `<dataDir>/wal` and delivers the records a previous run left unflushed. */
  static async open(options: DeliveryStreamOptions): Promise<LocalDeliveryStream> {
    assertTimeZone(options.timeZone);
    if (!(options.bufferBytes > 0 && options.bufferBytes <= maxBufferBytes)) throw new ConfigError(`bufferBytes must be between 1 and ${maxBufferBytes} (got ${options.bufferBytes})`);
    if (!(options.bufferMs > 0 && options.bufferMs <= maxBufferMs)) throw new ConfigError(`bufferMs must be between 1 and ${maxBufferMs} (got ${options.bufferMs})`);
    const invocationBytes = options.invocationBytes ?? defaultInvocationBytes;
    if (!(invocationBytes > 0 && invocationBytes <= maxInvocationBytes)) {
      throw new ConfigError(`invocationBytes must be between 1 and ${maxInvocationBytes} (Lambda's payload limit), got ${invocationBytes}`);
    }
    const stream = new LocalDeliveryStream(options);
    const opened = await WriteAheadLog.open({ dir: join(options.dataDir, 'wal'), fs: options.walFs, onDurable: (span) => stream.onDurable(span) });
    stream.wal = opened.wal;
    stream.flushedSeq = opened.checkpoint.flushed;
    try {
      await stream.recover(opened.checkpoint.inflight);
    } catch (error) {
      await opened.wal.close();
      throw error;
    }
    return stream;
  }

  /**
   * Delivers what the log holds above the checkpoint, streaming it: batches of about `bufferBytes`
   * are delivered as they fill, so recovery holds one batch (and one segment), not the backlog.
   */
  private async recover(inflight: CheckpointState['inflight']): Promise<void> {
    let batch: WalRecord[] = [];
    let size = 0;
    // Redeliver exactly the interrupted batch first, so its objects get the names they had.
    // Records between the checkpoint and that batch can only be appends that were rejected
    // (their bytes reached the disk but the sync failed): nobody was promised them, so they are skipped.
    let redelivering = inflight !== null;
    for await (const record of this.wal.recover()) {
      if (inflight !== null && redelivering) {
        if (record.seq < inflight.first) continue;
        if (record.seq > inflight.last) {
          redelivering = false;
          if (batch.length > 0) await this.deliver({ records: batch });
          batch = [];
          size = 0;
        }
      }
      batch.push(record);
      size += record.data.length;
      if (!redelivering && size >= this.options.bufferBytes) {
        await this.deliver({ records: batch });
        batch = [];
        size = 0;
      }
    }
    if (batch.length > 0) await this.deliver({ records: batch });
  }

  /** What opening found in the log: records delivered, torn bytes, damaged segments. */
  get recovery(): Readonly<RecoveryReport> {
    return this.wal.recovery;
  }

  /** Write-ahead log counters (appends, writes, syncs). */
  get walStats(): Readonly<WalStats> {
    return this.wal.stats;
  }

  /**
   * Accepts one record (`data` = the Firehose record data bytes). While the backlog (acknowledged,
   * undelivered bytes) is full, waits for a delivery to end first, and is refused
   * with StorageError if none ends in time. Resolves once the record is durably in the log; rejects with StorageError when it is not (the caller answers 5xx), or
   * InputError for a record over Firehose's 1,000 KiB limit. `arrivalTs` (default now) is the
   * record's approximateArrivalTimestamp and decides its partition.
   */
  async put(data: Buffer, arrivalTs: number = this.now()): Promise<void> {
    if (this.closed) throw new StorageError('the delivery stream is closed');
    if (data.length > maxRecordBytes) throw new InputError(`record of ${data.length} bytes is over the ${maxRecordBytes}-byte limit`);
    if (!Number.isSafeInteger(Math.trunc(arrivalTs)) || arrivalTs < 0) throw new InputError(`arrival time must be epoch milliseconds (got ${arrivalTs})`);
    while (this.backlogBytes() >= this.maxBacklogBytes) await this.backlogShrunk();
    await this.wal.append(data, Math.trunc(arrivalTs));
  }

  /** Record bytes acknowledged (or being appended) and not yet delivered. */
  backlogBytes(): number {
    return this.bufferedBytes + this.deliveringBytes;
  }

  /**
   * Resolves after the next delivery ends; rejects when none ends within `backlogWaitMs` (the
   * transform is stuck or failing: the sender gets a 503 and retries) or the stream closes.
   */
  private backlogShrunk(): Promise<void> {
    if (this.closed) return Promise.reject(new StorageError('the delivery stream is closed'));
    // A full buffer is being delivered or queued already (onDurable); after a failed delivery the
    // retry keeps its timer, and puts are refused meanwhile rather than held without bound.
    return new Promise((resolve, reject) => {
      const waiter = {
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
        reject: (error: Error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      const timer = setTimeout(() => {
        this.backlogWaiters = this.backlogWaiters.filter((w) => w !== waiter);
        reject(new StorageError(`the transform is behind: ${this.backlogBytes()} bytes of acknowledged records wait for delivery, over the ${this.maxBacklogBytes}-byte backlog`));
      }, this.options.backlogWaitMs ?? backlogWaitMs);
      this.backlogWaiters.push(waiter);
    });
  }

  /** Lets waiting puts re-check the backlog (after a delivery), or fails them (on close). */
  private wakeBacklogWaiters(error?: Error): void {
    const waiters = this.backlogWaiters;
    this.backlogWaiters = [];
    for (const w of waiters) {
      if (error === undefined) w.resolve();
      else w.reject(error);
    }
  }

  /** Transforms and writes everything buffered now; flushes run one at a time. */
  flush(): Promise<FlushReport> {
    const run = this.flushTail.catch(() => undefined).then(() => {
      this.flushQueued = false;
      return this.flushNow();
    });
    this.flushTail = run;
    return run;
  }

  /**
   * Runs `fn` between deliveries (none starts until it is done) with the checkpointed sequence
   * number: lake maintenance (compaction) runs here, so it never races a delivery.
   */
  exclusive<T>(fn: (flushed: number) => Promise<T>): Promise<T> {
    const run = this.flushTail.catch(() => undefined).then(() => fn(this.flushedSeq));
    this.flushTail = run;
    return run;
  }

  /** Flushes and closes the log; later puts reject. Unflushed records stay in the log for the next open. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.wakeBacklogWaiters(new StorageError('the delivery stream is closed'));
    try {
      await this.wal.idle();
      await this.flush();
    } finally {
      this.clearTimer();
      await this.wal.close();
    }
  }

  private onDurable(span: LogSpan): void {
    const last = this.buffer[this.buffer.length - 1];
    // Groups written one after the other into one segment make one span.
    if (last !== undefined && last.path === span.path && last.end === span.start && last.lastSeq + 1 === span.firstSeq) {
      this.buffer[this.buffer.length - 1] = { ...last, end: span.end, lastSeq: span.lastSeq, bytes: last.bytes + span.bytes };
    } else {
      this.buffer.push(span);
    }
    this.bufferedBytes += span.bytes;
    if (this.bufferedBytes >= this.options.bufferBytes) this.backgroundFlush();
    else if (this.timer === null && this.buffer.length > 0) this.armTimer();
  }

  private armTimer(): void {
    this.timer = setTimeout(() => this.backgroundFlush(), this.options.bufferMs);
    this.timer.unref();
  }

  private clearTimer(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private backgroundFlush(): void {
    if (this.flushQueued) return;
    this.flushQueued = true;
    this.flush().catch((error: unknown) => {
      if (this.options.onError) this.options.onError(error);
      else process.stderr.write(`wa-analytics: delivery stream flush failed (will retry): ${errorMessage(error)}\n`);
    });
  }

  private async flushNow(): Promise<FlushReport> {
    this.clearTimer();
    try {
      let report = emptyReport;
      if (this.retryBatch !== null) {
        report = addReports(report, await this.deliver(this.retryBatch.batch));
        this.deliveringBytes -= this.retryBatch.bytes;
        this.retryBatch = null;
      }
      const spans = this.buffer;
      const bytes = this.bufferedBytes;
      this.buffer = [];
      this.bufferedBytes = 0;
      if (spans.length === 0) return report;
      this.deliveringBytes += bytes;
      const batch: DeliveryBatch = { spans };
      try {
        report = addReports(report, await this.deliver(batch));
        this.deliveringBytes -= bytes;
        return report;
      } catch (error) {
        // The same batch is retried first next time, so its objects keep their names.
        this.retryBatch = { batch, bytes };
        throw error;
      }
    } finally {
      this.wakeBacklogWaiters();
      if (!this.closed && this.timer === null && (this.buffer.length > 0 || this.retryBatch !== null)) this.armTimer();
    }
  }

  /** Delivers one batch between an intent and a checkpoint, so a crash redelivers it whole. */
  private async deliver(batch: DeliveryBatch): Promise<FlushReport> {
    const { first, last } = batchBounds(batch);
    await this.wal.commit({ flushed: this.flushedSeq, inflight: { first, last } });
    const report = await this.deliverer(batch, this.target);
    if (report.partitions.length > 0) await this.options.catalog.registerPartitions('raw_events', report.partitions);
    await this.wal.commit({ flushed: last, inflight: null });
    this.flushedSeq = last;
    return report;
  }
}
