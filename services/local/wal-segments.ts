import { open as openFile, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { errorMessage, StorageError } from '../../shared/errors';
import { syncDirectory } from './durable-file';
import { decodeSegment, type WalRecord } from './wal-format';

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
