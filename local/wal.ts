import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { mkdirPrivate } from '../shared/adapters/local/private-fs';
import { ConfigError, errorMessage, StorageError } from '../shared/errors';
import { readCheckpoint, writeCheckpoint, type CheckpointState } from './checkpoint';
import { frameSize, segmentMagic, writeFrame, type LogSpan, type WalRecord } from './wal-format';
import { corruptDirName, listSegments, moveAside, nodeWalFileSystem, readSegment, segmentName, type ClosedSegment, type ListedSegment, type WalFile, type WalFileSystem } from './wal-segments';

export { nodeWalFileSystem, type WalFile, type WalFileSystem } from './wal-segments';

export interface WalOptions {
  /** The log directory (`<dataDir>/wal`). */
  readonly dir: string;
  readonly fs?: WalFileSystem;
  /** Roll to a new segment once the current one reaches this size (default 64 MiB). */
  readonly segmentBytes?: number;
  /**
   * Called synchronously, in sequence order, for each group of records once it is durable: where
   * the group's frames are in the log (see readLogSpans).
   */
  readonly onDurable?: (span: LogSpan) => void;
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
}

/** A segment found damaged while recovering: what could not be read, and where it is kept. */
export interface DamagedSegment {
  readonly path: string;
  /** Where the segment is moved once its readable records are delivered (`wal/corrupt/…`). */
  readonly keptAt: string;
  readonly unreadableBytes: number;
  /** Acknowledged records known lost (a damaged tail can hide more). */
  readonly lostRecords: number;
  /** Intact records read from it (delivered unless already in the lake). */
  readonly readRecords: number;
}

/** What `recover` found. */
export interface RecoveryReport {
  /** Records above the checkpoint that were read (acknowledged but not yet in the lake). */
  records: number;
  /** Bytes after the last intact frame of a segment: a write cut short by a crash, never acknowledged. */
  tornBytes: number;
  readonly damaged: DamagedSegment[];
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
  /** Filled in by `recover`. */
  readonly recovery: RecoveryReport = { records: 0, tornBytes: 0, damaged: [] };
  private queue: Pending[] = [];
  private draining: Promise<void> | null = null;
  private current: OpenSegment | null = null;
  private closed = false;
  /** The last checkpoint written by `commit` (or read at open). */
  private committed: CheckpointState;
  /** What was delivered when the log was opened: `recover` yields the records above it. */
  private readonly flushedAtOpen: number;

  private constructor(
    private readonly options: WalOptions,
    private nextSeq: number,
    private readonly done: ClosedSegment[],
    checkpoint: CheckpointState,
    private readonly found: readonly ListedSegment[],
  ) {
    this.committed = checkpoint;
    this.flushedAtOpen = checkpoint.flushed;
  }

  /**
   * Opens the log directory: reads the checkpoint and lists the segments. Only the newest segment
   * is read here (for the next sequence number); `recover` reads the rest, one at a time.
   */
  static async open(options: WalOptions): Promise<WalOpened> {
    const { dir } = options;
    if (typeof crc32 !== 'function') throw new ConfigError(`the write-ahead log needs zlib.crc32 (Node >= 20.15); this is Node ${process.versions.node}`);
    try {
      await mkdirPrivate(dir);
    } catch (error) {
      throw new StorageError(`cannot create the write-ahead log ${dir}: ${errorMessage(error)}`, { cause: error });
    }
    const checkpoint = await readCheckpoint(dir);
    const found = await listSegments(dir);
    const newest = found[found.length - 1];
    let newestLast = 0;
    if (newest !== undefined) for (const r of (await readSegment(newest)).records) newestLast = Math.max(newestLast, r.seq);
    // A segment holds the numbers from its name up to the next segment's name: a bound known without reading it.
    const done = found.map((segment, i) => ({ path: segment.path, lastSeq: i + 1 < found.length ? found[i + 1]!.firstSeq - 1 : Math.max(newestLast, segment.firstSeq - 1) }));
    // New numbers start above every name, so a new segment never reuses an old file.
    const maxSeq = Math.max(checkpoint.flushed, checkpoint.inflight?.last ?? 0, newestLast, newest?.firstSeq ?? 0);
    const wal = new WriteAheadLog(options, maxSeq + 1, done, checkpoint, found);
    return { wal, checkpoint };
  }

  /**
   * The records above the checkpoint, in sequence order, read one segment at a time so recovery
   * holds one segment and the caller's batch in memory, not the whole log. Damage is read past
   * (see decodeSegment) and reported in `recovery.damaged`; a damaged segment is moved to
   * `corrupt/` once nothing in it awaits delivery, instead of being deleted.
   */
  async *recover(): AsyncGenerator<WalRecord> {
    const flushed = this.flushedAtOpen;
    for (const segment of this.found) {
      const closed = this.done.find((d) => d.path === segment.path);
      if (closed === undefined || closed.lastSeq <= flushed) continue; // delivered already: deleted at the next commit
      const decoded = await readSegment(segment);
      this.recovery.tornBytes += decoded.tailBytes;
      const unflushed = decoded.records.filter((r) => r.seq > flushed).sort((a, b) => a.seq - b.seq);
      if (decoded.damage.length > 0) {
        const keptAt = join(this.options.dir, corruptDirName, segment.name);
        const unreadableBytes = decoded.damage.reduce((n, run) => n + run.length, 0);
        this.recovery.damaged.push({ path: segment.path, keptAt, unreadableBytes, lostRecords: decoded.lostRecords, readRecords: decoded.records.length });
        if (unflushed.length === 0) {
          await moveAside(segment.path);
          this.done.splice(this.done.indexOf(closed), 1);
        } else {
          this.done[this.done.indexOf(closed)] = { ...closed, damaged: true };
        }
      }
      this.recovery.records += unflushed.length;
      yield* unflushed;
    }
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
   * at or below `flushed` are deleted (damaged ones moved to `corrupt/`).
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
        if (segment.damaged) await moveAside(segment.path);
        else await rm(segment.path, { force: true });
      } catch (error) {
        if (error instanceof StorageError) throw error;
        throw new StorageError(`cannot delete ${segment.path}: ${errorMessage(error)}`, { cause: error });
      }
      this.done.splice(this.done.indexOf(segment), 1);
    }
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const group = this.queue;
      this.queue = [];
      let span: LogSpan;
      try {
        const segment = await this.segmentFor(group[0]!.record.seq);
        const withMagic = segment.bytes === 0;
        const bytes = encodeGroup(group, withMagic);
        const start = segment.bytes + (withMagic ? segmentMagic.length : 0);
        segment.bytes += bytes.length;
        this.stats.syncs++;
        await segment.file.append(bytes);
        segment.lastSeq = group[group.length - 1]!.record.seq;
        // The group's bytes are its frames: record data plus a fixed header each.
        const bytesOfData = segment.bytes - start - group.length * frameSize(0);
        span = { path: segment.path, start, end: segment.bytes, firstSeq: group[0]!.record.seq, lastSeq: segment.lastSeq, bytes: bytesOfData };
      } catch (error) {
        this.stats.failedWrites++;
        // The segment may now end in a partial frame: never append after it again.
        await this.retireCurrent();
        const failure = new StorageError(`write-ahead log append failed: ${errorMessage(error)}`, { cause: error });
        for (const p of group) p.reject(failure);
        continue;
      }
      this.options.onDurable?.(span);
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
