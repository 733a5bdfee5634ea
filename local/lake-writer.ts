import { access } from 'node:fs/promises';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';
import { lakePath } from '../shared/adapters/local/lake';
import { mkdirPrivate } from '../shared/adapters/local/private-fs';
import { errorMessage, StorageError } from '../shared/errors';
import { syncDirectory, writeFileAtomic } from './durable-file';

const gzip = promisify(gzipCallback);

/** Compresses one lake object's bytes (gzip). */
export type Compress = (data: Buffer) => Promise<Buffer>;

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
export const gzipOnPool: Compress = (data) => gzip(data, flushGzipOptions);

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
    await writeFileAtomic(path, await compress(Buffer.concat(chunks)));
    return true;
  } catch (error) {
    throw new StorageError(`cannot write ${path}: ${errorMessage(error)}`, { cause: error });
  }
}
