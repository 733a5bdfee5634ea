import { type FileHandle, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { privateFileMode } from '../shared/adapters/local/private-fs';

/**
 * Makes a directory entry change (create, rename, unlink) durable. Linux needs an fsync of the
 * directory; platforms that cannot open a directory for it (Windows) make renames durable
 * themselves, so a failure to open or sync the directory is ignored there.
 */
export async function syncDirectory(dir: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EPERM' && code !== 'EINVAL' && code !== 'EACCES') throw error;
  } finally {
    await handle?.close();
  }
}

/** Temporary name next to `path`; the leading dot keeps readers (and globs) from seeing it. */
export function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.tmp`);
}

/**
 * Writes a file atomically and durably: a temporary file is written and fsynced, then renamed
 * over `path`, then the directory is synced. A reader sees either nothing or the whole file.
 * The file is 0600 (a temporary file left by a crash keeps its mode when reopened: set again).
 */
export async function writeFileAtomic(path: string, data: Buffer | string): Promise<void> {
  const temp = tempPathFor(path);
  const handle = await open(temp, 'w', privateFileMode);
  try {
    await handle.chmod(privateFileMode);
    await handle.writeFile(data);
    await handle.sync();
  } catch (error) {
    await handle.close().catch(() => undefined);
    await rm(temp, { force: true }).catch(() => undefined);
    throw error;
  }
  await handle.close();
  await rename(temp, path);
  await syncDirectory(dirname(path));
}
