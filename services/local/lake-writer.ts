import { access } from 'node:fs/promises';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';
import { lakePath } from '../../shared/adapters/local/lake';
import { mkdirPrivate } from '../../shared/adapters/local/private-fs';
import { errorMessage, StorageError } from '../../shared/errors';
import { syncDirectory, writeFileAtomic } from './durable-file';

// Async gzip runs on the libuv pool, keeping the event loop (and the HTTP hot path) free.
const gzip = promisify(gzipCallback);

const pad2 = (n: number) => String(n).padStart(2, '0');

/** `yyyy-MM-dd-HH-mm-ss` in UTC, the timestamp Firehose puts in object names. */
export function objectTimestamp(epochMs: number): string {
  const d = new Date(epochMs);
  return `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}-${pad2(d.getUTCHours())}-${pad2(d.getUTCMinutes())}-${pad2(d.getUTCSeconds())}`;
}

/**
 * Object name in Firehose's pattern `<stream>-<version>-<yyyy-MM-dd-HH-mm-ss>-<id>.gz`. Where
 * Firehose puts a random id, the local stream puts the batch's first and last sequence numbers,
 * and the timestamp is that of the earliest record in the object: redelivering the same batch
 * after a crash produces the same name, so an object that already exists was already written.
 */
export function objectName(streamName: string, earliestArrivalTs: number, firstSeq: number, lastSeq: number): string {
  const id = `${String(firstSeq).padStart(12, '0')}-${String(lastSeq).padStart(12, '0')}`;
  return `${streamName}-1-${objectTimestamp(earliestArrivalTs)}-${id}.gz`;
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/** Makes the entries of freshly created directories `first` … `leaf` durable (each lives in its parent). */
async function syncNewDirectories(first: string, leaf: string): Promise<void> {
  for (let d = leaf; ; d = dirname(d)) {
    await syncDirectory(dirname(d));
    if (d === first || dirname(d) === d) return;
  }
}

/**
 * Writes one gzip object (the concatenation of `chunks`) under a lake key, atomically (temp file,
 * fsync, rename). Returns false, writing nothing, when the object already exists.
 */
export async function writeLakeObject(lakeRoot: string, key: string, chunks: readonly Buffer[]): Promise<boolean> {
  const path = lakePath(lakeRoot, key);
  try {
    if (await exists(path)) return false;
    const dir = dirname(path);
    const created = await mkdirPrivate(dir);
    if (created !== undefined) await syncNewDirectories(created, dir);
    await writeFileAtomic(path, await gzip(Buffer.concat(chunks)));
    return true;
  } catch (error) {
    throw new StorageError(`cannot write ${path}: ${errorMessage(error)}`, { cause: error });
  }
}
