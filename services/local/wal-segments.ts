import { constants as fsConstants } from 'node:fs';
import { open as openFile, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { privateFileMode } from '../../shared/adapters/local/private-fs';
import { errorMessage, StorageError } from '../../shared/errors';
import { syncDirectory } from './durable-file';
import { decodeSegment, type WalRecord } from './wal-format';

/** An open segment file. */
export interface WalFile {
  /** Writes the whole buffer at the end of the file; resolves once the bytes (and size) are durable. */
  append(data: Buffer): Promise<void>;
  close(): Promise<void>;
}

/** How the log creates segment files; injectable to count durable writes or inject failures. */
export interface WalFileSystem {
  /** Creates a new segment file (failing if it exists) and makes its directory entry durable. */
  createSegment(path: string): Promise<WalFile>;
}

// O_DSYNC makes each write return only once its data is on stable storage: one system call, and one
// thread-pool round trip, per group instead of a write and then an fdatasync. On a busy two-core
// machine each round trip costs a thread wake-up, which is most of an acknowledgement's latency.
// Where the flag does not exist (Windows), the write is followed by an fdatasync.
const { O_APPEND, O_CREAT, O_DSYNC, O_EXCL, O_WRONLY } = fsConstants;
const segmentFlags = O_DSYNC === undefined ? 'ax' : O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_DSYNC;

/** Segment files on the local disk. */
export const nodeWalFileSystem: WalFileSystem = {
  async createSegment(path) {
    const handle = await openFile(path, segmentFlags, privateFileMode);
    try {
      await syncDirectory(join(path, '..'));
    } catch (error) {
      await handle.close();
      throw error;
    }
    return {
      async append(data) {
        for (let offset = 0; offset < data.length; ) {
          const { bytesWritten } = await handle.write(data, offset, data.length - offset);
          offset += bytesWritten;
        }
        if (O_DSYNC === undefined) await handle.datasync();
      },
      close: () => handle.close(),
    };
  },
};

/** A segment no longer written to; deletable once every record in it is checkpointed. */
export interface ClosedSegment {
  readonly path: string;
  readonly lastSeq: number;
}

const SEGMENT_RE = /^wal-(\d{16})\.log$/;

/** File name of the segment whose first record is `firstSeq`. */
export function segmentName(firstSeq: number): string {
  return `wal-${String(firstSeq).padStart(16, '0')}.log`;
}

export interface ScannedLog {
  /** Records above `flushed`, in sequence order. */
  readonly unflushed: WalRecord[];
  readonly segments: ClosedSegment[];
  readonly ignoredBytes: number;
  /** Highest sequence number in use, counting segment names (a torn segment's name included). */
  readonly maxSeq: number;
}

/** Reads every segment of a log directory. */
export async function scanSegments(dir: string, flushed: number): Promise<ScannedLog> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => SEGMENT_RE.test(n)).sort();
  } catch (error) {
    throw new StorageError(`cannot open the write-ahead log ${dir}: ${errorMessage(error)}`, { cause: error });
  }
  const unflushed: WalRecord[] = [];
  const segments: ClosedSegment[] = [];
  let ignoredBytes = 0;
  let maxSeq = flushed;
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
      if (record.seq > flushed) unflushed.push(record);
    }
    segments.push({ path, lastSeq });
    // New numbers start above every name, so a new segment never reuses an old file.
    maxSeq = Math.max(maxSeq, lastSeq, Number(SEGMENT_RE.exec(name)![1]));
  }
  unflushed.sort((a, b) => a.seq - b.seq);
  return { unflushed, segments, ignoredBytes, maxSeq };
}
