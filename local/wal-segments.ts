import { constants as fsConstants } from 'node:fs';
import { open as openFile, readdir, readFile, rename } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { mkdirPrivate, privateFileMode } from '../shared/adapters/local/private-fs';
import { errorMessage, StorageError } from '../shared/errors';
import { syncDirectory } from './durable-file';
import { decodeSegment, decodeSpan, type DecodedSegment, type LogSpan, type WalRecord } from './wal-format';

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
  /** Highest sequence number the segment can hold (an upper bound when only its name is known). */
  readonly lastSeq: number;
  /** Damaged segments are moved to `corrupt/` instead of being deleted. */
  readonly damaged?: boolean;
}

const SEGMENT_RE = /^wal-(\d{16})\.log$/;

/** Folder (inside the log directory) that damaged segments are moved to. */
export const corruptDirName = 'corrupt';

/** File name of the segment whose first record is `firstSeq`. */
export function segmentName(firstSeq: number): string {
  return `wal-${String(firstSeq).padStart(16, '0')}.log`;
}

/** A segment file found in the log directory. */
export interface ListedSegment {
  readonly name: string;
  readonly path: string;
  /** The number in its name: the first record it was created for. */
  readonly firstSeq: number;
}

/** The segments of a log directory, oldest first. */
export async function listSegments(dir: string): Promise<ListedSegment[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => SEGMENT_RE.test(n)).sort();
  } catch (error) {
    throw new StorageError(`cannot open the write-ahead log ${dir}: ${errorMessage(error)}`, { cause: error });
  }
  return names.map((name) => ({ name, path: join(dir, name), firstSeq: Number(SEGMENT_RE.exec(name)![1]) }));
}

/** Reads and decodes one segment (resynchronising past damage). */
export async function readSegment(segment: ListedSegment): Promise<DecodedSegment> {
  try {
    return decodeSegment(await readFile(segment.path), segment.firstSeq);
  } catch (error) {
    throw new StorageError(`cannot read ${segment.path}: ${errorMessage(error)}`, { cause: error });
  }
}

/**
 * Moves a damaged segment into `<dir>/corrupt/` (durably), keeping it for inspection instead of
 * deleting it. Returns where it went.
 */
export async function moveAside(path: string): Promise<string> {
  const dir = join(path, '..', corruptDirName);
  const target = join(dir, basename(path));
  try {
    await mkdirPrivate(dir);
    await rename(path, target);
    await syncDirectory(dir);
    await syncDirectory(join(path, '..'));
  } catch (error) {
    throw new StorageError(`cannot move the damaged segment ${path} to ${dir}: ${errorMessage(error)}`, { cause: error });
  }
  return target;
}

/**
 * The records of durable spans of the log, read back from their segments (recent writes: the
 * page cache serves them). Holding acknowledged records in memory until the buffer is flushed
 * kept about a buffer's worth of bytes alive on the API's thread; reading them back at delivery
 * keeps only the spans. A span that does not read back as the frames it names is a StorageError
 * (the delivery fails and is retried; the records stay in the log).
 */
export async function readLogSpans(spans: readonly LogSpan[]): Promise<WalRecord[]> {
  const out: WalRecord[] = [];
  for (const span of spans) {
    let bytes: Buffer;
    try {
      const handle = await openFile(span.path, 'r');
      try {
        bytes = Buffer.allocUnsafe(span.end - span.start);
        let got = 0;
        while (got < bytes.length) {
          const { bytesRead } = await handle.read(bytes, got, bytes.length - got, span.start + got);
          if (bytesRead === 0) break;
          got += bytesRead;
        }
        if (got < bytes.length) bytes = bytes.subarray(0, got);
      } finally {
        await handle.close();
      }
    } catch (error) {
      throw new StorageError(`cannot read back records ${span.firstSeq}-${span.lastSeq} from ${span.path}: ${errorMessage(error)}`, { cause: error });
    }
    const records = decodeSpan(bytes, span);
    if (records === null) throw new StorageError(`records ${span.firstSeq}-${span.lastSeq} of ${span.path} do not read back as written (bytes ${span.start}-${span.end})`);
    for (const r of records) out.push(r);
  }
  return out;
}
