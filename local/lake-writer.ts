import { access } from 'node:fs/promises';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import { gzip as gzipCallback, gzipSync } from 'node:zlib';
import { lakePath } from '../shared/adapters/local/lake';
import { mkdirPrivate } from '../shared/adapters/local/private-fs';
import { errorMessage, StorageError } from '../shared/errors';
import { syncDirectory, writeFileAtomic } from './durable-file';

const gzip = promisify(gzipCallback);

/** Compresses one lake object's bytes (gzip), given as the chunks they are the concatenation of. */
export type Compress = (chunks: readonly Buffer[]) => Promise<Buffer>;

/**
 * Gzip settings of the objects a flush writes. Level 1 compresses webhook rows about 2.5 times
 * faster than the default level 6, for files about half again as big: a flush runs beside the
 * API on the same cores, and a closed day's flush files are merged by `compact` (at the default
 * level) after the daily run, so the small files live a day at most.
 */
export const flushGzipOptions = { level: 1 } as const;

/**
 * Gzip on the libuv pool, keeping the event loop (and the HTTP hot path) free; `start` compresses
 * on the transform worker instead (see workerInvoker), whose thread yields to the API under load.
 */
export const gzipOnPool: Compress = (chunks) => gzip(Buffer.concat(chunks), flushGzipOptions);

/**
 * Gzip on the calling thread, the chunks gathered into one input buffer kept from object to
 * object (the transform worker's). A flush object is megabytes, and a fresh buffer for each is
 * memory the kernel hands over page by page: about a tenth of the worker's time went to that in a
 * profile under load. The buffer grows to the largest object compressed and stays that size.
 * Safe to share only because nothing else runs between the copy and the synchronous gzip.
 */
export function reusingGzip(): Compress {
  let input = Buffer.alloc(0);
  return async (chunks) => {
    let size = 0;
    for (const c of chunks) size += c.length;
    if (input.length < size) input = Buffer.allocUnsafe(Math.max(size, 2 * input.length));
    let offset = 0;
    for (const c of chunks) offset += c.copy(input, offset);
    return gzipSync(input.subarray(0, size), flushGzipOptions);
  };
}

export { objectName } from '../shared/adapters/local/lake-files';

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
export async function writeLakeObject(lakeRoot: string, key: string, chunks: readonly Buffer[], compress: Compress = gzipOnPool): Promise<boolean> {
  const path = lakePath(lakeRoot, key);
  try {
    if (await exists(path)) return false;
    const dir = dirname(path);
    const created = await mkdirPrivate(dir);
    if (created !== undefined) await syncNewDirectories(created, dir);
    await writeFileAtomic(path, await compress(chunks));
    return true;
  } catch (error) {
    throw new StorageError(`cannot write ${path}: ${errorMessage(error)}`, { cause: error });
  }
}
