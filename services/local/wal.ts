import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { mkdirPrivate } from '../../shared/adapters/local/private-fs';
import { ConfigError, errorMessage, StorageError } from '../../shared/errors';
import { readCheckpoint, writeCheckpoint, type CheckpointState } from './checkpoint';
import { frameSize, segmentMagic, writeFrame, type WalRecord } from './wal-format';
import { nodeWalFileSystem, scanSegments, segmentName, type ClosedSegment, type WalFile, type WalFileSystem } from './wal-segments';

export { nodeWalFileSystem, type WalFile, type WalFileSystem } from './wal-segments';

export interface WalOptions {
  /** The log directory (`<dataDir>/wal`). */
  readonly dir: string;
  readonly fs?: WalFileSystem;
  /** Roll to a new segment once the current one reaches this size (default 64 MiB). */
  readonly segmentBytes?: number;
  /** Called synchronously, in sequence order, with each group of records once it is durable. */
  readonly onDurable?: (records: readonly WalRecord[]) => void;
}

/** Counters for tests and benchmarks: `syncs` far below `appends` is group commit at work. */
export interface WalStats {
  appends: number;
  /** Durable group writes (each one write made durable, one fsync's worth of waiting). */
  syncs: number;
  failedWrites: number;
}

export interface WalOpened {
  readonly wal: WriteAheadLog;
  readonly checkpoint: CheckpointState;
  /** Records after the checkpoint, in sequence order: acknowledged but not yet in the lake. */
  readonly unflushed: WalRecord[];
  /** Bytes ignored in torn or corrupt segment tails. */
  readonly ignoredBytes: number;
}

interface Pending {
  readonly record: WalRecord;
  readonly resolve: (record: WalRecord) => void;
  readonly reject: (error: Error) => void;
}

interface OpenSegment {
  readonly path: string;
  readonly file: WalFile;
  bytes: number;
  lastSeq: number;
}

/**
 * The bytes of one group write: the segment magic when the segment is new, then a frame per record,
 * framed straight into one buffer (each record's data is copied once, not framed and then
 * concatenated).
 */
function encodeGroup(group: readonly Pending[], withMagic: boolean): Buffer {
  let size = withMagic ? segmentMagic.length : 0;
  for (const p of group) size += frameSize(p.record.data.length);
  const bytes = Buffer.allocUnsafe(size);
  let offset = withMagic ? segmentMagic.copy(bytes, 0) : 0;
  for (const { record } of group) offset = writeFrame(bytes, offset, record.seq, record.arrivalTs, record.data);
  return bytes;
}

/**
 * Append-only write-ahead log with group commit: while one durable write is in flight, new appends
 * queue up and then share the next single durable write, so thousands of concurrent appends cost a
 * handful of syncs. An append resolves only once its bytes are durable; a failed write rejects its
 * group and the log moves on to a new segment.
 *
 * (Two groups in flight at once were tried: with 32 concurrent appenders the groups got smaller
 * and throughput fell, so one durable write at a time it is.)
 */
export class WriteAheadLog {
  readonly stats: WalStats = { appends: 0, syncs: 0, failedWrites: 0 };
  private queue: Pending[] = [];
  private draining: Promise<void> | null = null;
  private current: OpenSegment | null = null;
  private closed = false;
  /** The last checkpoint written by `commit` (or read at open). */
  private committed: CheckpointState;

  private constructor(
    private readonly options: WalOptions,
    private nextSeq: number,
    private readonly done: ClosedSegment[],
    checkpoint: CheckpointState,
  ) {
    this.committed = checkpoint;
  }

  /** Opens the log directory: reads the checkpoint and every segment, and returns what is unflushed. */
  static async open(options: WalOptions): Promise<WalOpened> {
    const { dir } = options;
    if (typeof crc32 !== 'function') throw new ConfigError(`the write-ahead log needs zlib.crc32 (Node >= 20.15); this is Node ${process.versions.node}`);
    try {
      await mkdirPrivate(dir);
    } catch (error) {
      throw new StorageError(`cannot create the write-ahead log ${dir}: ${errorMessage(error)}`, { cause: error });
    }
    const checkpoint = await readCheckpoint(dir);
    const scan = await scanSegments(dir, checkpoint.flushed);
    const maxSeq = Math.max(scan.maxSeq, checkpoint.inflight?.last ?? 0);
    const wal = new WriteAheadLog(options, maxSeq + 1, [...scan.segments], checkpoint);
    return { wal, checkpoint, unflushed: scan.unflushed, ignoredBytes: scan.ignoredBytes };
  }

  /** Appends one record; resolves once it is durable, rejects with StorageError if it is not. */
  append(data: Buffer, arrivalTs: number): Promise<WalRecord> {
    if (this.closed) return Promise.reject(new StorageError('the write-ahead log is closed'));
    const record: WalRecord = { seq: this.nextSeq++, arrivalTs, data };
    this.stats.appends++;
    return new Promise<WalRecord>((resolve, reject) => {
      this.queue.push({ record, resolve, reject });
      this.draining ??= this.drain();
    });
  }

  /** Resolves once every append made so far has settled. */
  async idle(): Promise<void> {
    while (this.draining) await this.draining;
  }

  /**
   * Records delivery progress durably. Once nothing is in flight, segments whose records are all
   * at or below `flushed` are deleted.
   */
  async commit(state: CheckpointState): Promise<void> {
    await writeCheckpoint(this.options.dir, state);
    this.committed = state;
    await this.removeDelivered();
  }

  /**
   * Rejects new appends, waits for pending ones, then closes the current segment and deletes it
   * too if everything in it was delivered: after a clean stop (flush, then close) no request
   * body stays on disk.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.idle();
    await this.retireCurrent();
    await this.removeDelivered();
  }

  /** Deletes closed segments whose records are all at or below the checkpoint, once nothing is in flight. */
  private async removeDelivered(): Promise<void> {
    if (this.committed.inflight !== null) return;
    for (const segment of [...this.done]) {
      if (segment.lastSeq > this.committed.flushed) continue;
      try {
        await rm(segment.path, { force: true });
      } catch (error) {
        throw new StorageError(`cannot delete ${segment.path}: ${errorMessage(error)}`, { cause: error });
      }
      this.done.splice(this.done.indexOf(segment), 1);
    }
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const group = this.queue;
      this.queue = [];
      try {
        const segment = await this.segmentFor(group[0]!.record.seq);
        const bytes = encodeGroup(group, segment.bytes === 0);
        segment.bytes += bytes.length;
        this.stats.syncs++;
        await segment.file.append(bytes);
        segment.lastSeq = group[group.length - 1]!.record.seq;
      } catch (error) {
        this.stats.failedWrites++;
        // The segment may now end in a partial frame: never append after it again.
        await this.retireCurrent();
        const failure = new StorageError(`write-ahead log append failed: ${errorMessage(error)}`, { cause: error });
        for (const p of group) p.reject(failure);
        continue;
      }
      this.options.onDurable?.(group.map((p) => p.record));
      for (const p of group) p.resolve(p.record);
    }
    this.draining = null;
  }

  private async segmentFor(firstSeq: number): Promise<OpenSegment> {
    if (this.current && this.current.bytes >= (this.options.segmentBytes ?? 64 * 1024 * 1024)) await this.retireCurrent();
    if (!this.current) {
      const path = join(this.options.dir, segmentName(firstSeq));
      const file = await (this.options.fs ?? nodeWalFileSystem).createSegment(path);
      this.current = { path, file, bytes: 0, lastSeq: 0 };
    }
    return this.current;
  }

  private async retireCurrent(): Promise<void> {
    const current = this.current;
    if (!current) return;
    this.current = null;
    this.done.push({ path: current.path, lastSeq: current.lastSeq });
    await current.file.close().catch(() => undefined);
  }
}
