import { mkdir, open as openFile, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { errorMessage, StorageError } from '../../shared/errors';
import { readCheckpoint, writeCheckpoint, type CheckpointState } from './checkpoint';
import { syncDirectory } from './durable-file';
import { decodeSegment, encodeFrame, segmentMagic, type WalRecord } from './wal-format';

/** An open segment file; `write` writes the whole buffer at the end of the file. */
export interface WalFile {
  write(data: Buffer): Promise<void>;
  /** fdatasync: the written bytes (and the size) survive a crash once this resolves. */
  sync(): Promise<void>;
  close(): Promise<void>;
}

/** How the log creates segment files; injectable to count syncs or inject failures. */
export interface WalFileSystem {
  /** Creates a new segment file (failing if it exists) and makes its directory entry durable. */
  createSegment(path: string): Promise<WalFile>;
}

/** Segment files on the local disk. */
export const nodeWalFileSystem: WalFileSystem = {
  async createSegment(path) {
    const handle = await openFile(path, 'ax');
    try {
      await syncDirectory(join(path, '..'));
    } catch (error) {
      await handle.close();
      throw error;
    }
    return {
      async write(data) {
        for (let offset = 0; offset < data.length; ) {
          const { bytesWritten } = await handle.write(data, offset, data.length - offset);
          offset += bytesWritten;
        }
      },
      sync: () => handle.datasync(),
      close: () => handle.close(),
    };
  },
};

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
  writes: number;
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
  readonly frame: Buffer;
  readonly resolve: (record: WalRecord) => void;
  readonly reject: (error: Error) => void;
}

interface Segment {
  readonly path: string;
  lastSeq: number;
}

const SEGMENT_RE = /^wal-(\d{16})\.log$/;

function segmentName(firstSeq: number): string {
  return `wal-${String(firstSeq).padStart(16, '0')}.log`;
}

/**
 * Append-only write-ahead log with group commit: while one write + fdatasync is in flight, new
 * appends queue up and then share the next single write + fdatasync, so thousands of concurrent
 * appends cost a handful of syncs. An append resolves only once its bytes are synced.
 */
export class WriteAheadLog {
  readonly stats: WalStats = { appends: 0, writes: 0, syncs: 0, failedWrites: 0 };
  private queue: Pending[] = [];
  private draining: Promise<void> | null = null;
  private current: (Segment & { file: WalFile; bytes: number }) | null = null;
  private closed = false;

  private constructor(
    private readonly options: WalOptions,
    private nextSeq: number,
    private readonly done: Segment[],
  ) {}

  /** Opens the log directory: reads the checkpoint and every segment, and returns what is unflushed. */
  static async open(options: WalOptions): Promise<WalOpened> {
    const { dir } = options;
    let names: string[];
    try {
      await mkdir(dir, { recursive: true });
      names = (await readdir(dir)).filter((n) => SEGMENT_RE.test(n)).sort();
    } catch (error) {
      throw new StorageError(`cannot open the write-ahead log ${dir}: ${errorMessage(error)}`, { cause: error });
    }
    const checkpoint = await readCheckpoint(dir);
    const unflushed: WalRecord[] = [];
    const segments: Segment[] = [];
    let ignoredBytes = 0;
    let maxSeq = checkpoint.inflight?.last ?? checkpoint.flushed;
    for (const name of names) {
      const path = join(dir, name);
      let decoded;
      try {
        decoded = decodeSegment(await readFile(path));
      } catch (error) {
        throw new StorageError(`cannot read ${path}: ${errorMessage(error)}`, { cause: error });
      }
      ignoredBytes += decoded.ignoredBytes;
      let lastSeq = 0;
      for (const record of decoded.records) {
        lastSeq = Math.max(lastSeq, record.seq);
        if (record.seq > checkpoint.flushed) unflushed.push(record);
      }
      segments.push({ path, lastSeq });
      // A segment's name is its first sequence number even when all its frames are torn, so new
      // numbers start above every name and a new segment never reuses an old file.
      maxSeq = Math.max(maxSeq, lastSeq, Number(SEGMENT_RE.exec(name)![1]));
    }
    unflushed.sort((a, b) => a.seq - b.seq);
    const wal = new WriteAheadLog(options, maxSeq + 1, segments);
    return { wal, checkpoint, unflushed, ignoredBytes };
  }

  /** Appends one record; resolves once it is durable, rejects with StorageError if it is not. */
  append(data: Buffer, arrivalTs: number): Promise<WalRecord> {
    if (this.closed) return Promise.reject(new StorageError('the write-ahead log is closed'));
    const record: WalRecord = { seq: this.nextSeq++, arrivalTs, data };
    this.stats.appends++;
    return new Promise<WalRecord>((resolve, reject) => {
      this.queue.push({ record, frame: encodeFrame(record.seq, arrivalTs, data), resolve, reject });
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
    if (state.inflight !== null) return;
    for (const segment of [...this.done]) {
      if (segment.lastSeq > state.flushed) continue;
      try {
        await rm(segment.path, { force: true });
      } catch (error) {
        throw new StorageError(`cannot delete ${segment.path}: ${errorMessage(error)}`, { cause: error });
      }
      this.done.splice(this.done.indexOf(segment), 1);
    }
  }

  /** Waits for pending appends, then closes the current segment. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.idle();
    this.closed = true;
    await this.retireCurrent();
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const group = this.queue;
      this.queue = [];
      try {
        const segment = await this.segmentFor(group[0]!.record.seq);
        const frames = group.map((p) => p.frame);
        if (segment.bytes === 0) frames.unshift(segmentMagic);
        const bytes = frames.length === 1 ? frames[0]! : Buffer.concat(frames);
        this.stats.writes++;
        await segment.file.write(bytes);
        this.stats.syncs++;
        await segment.file.sync();
        segment.bytes += bytes.length;
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

  private async segmentFor(firstSeq: number): Promise<Segment & { file: WalFile; bytes: number }> {
    if (this.current && this.current.bytes >= (this.options.segmentBytes ?? 64 * 1024 * 1024)) await this.retireCurrent();
    if (!this.current) {
      const path = join(this.options.dir, segmentName(firstSeq));
      const file = await (this.options.fs ?? nodeWalFileSystem).createSegment(path);
      this.current = { path, lastSeq: 0, file, bytes: 0 };
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
