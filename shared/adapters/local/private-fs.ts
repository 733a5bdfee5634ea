import { mkdirSync } from 'node:fs';
import { chmod, mkdir, stat } from 'node:fs/promises';

/*
 * The local data directory holds request bodies (write-ahead log), message rows (lake), the
 * catalog and the PII key: nobody but its owner may read any of it. Every place the local stack
 * creates a directory or a file uses these modes; files that a library creates with its own mode
 * (DuckDB's database and Parquet files) are tightened right after. On Windows, where POSIX modes
 * do not apply, the calls are harmless.
 */

/** Directories the local stack creates: owner only. */
export const privateDirMode = 0o700;
/** Files the local stack creates: owner read/write only. */
export const privateFileMode = 0o600;

/** `mkdir -p` where every directory it creates is 0700; resolves with the first one created, as fs.mkdir does. */
export function mkdirPrivate(dir: string): Promise<string | undefined> {
  return mkdir(dir, { recursive: true, mode: privateDirMode });
}

/** The synchronous `mkdirPrivate`, for configuration read at start. */
export function mkdirPrivateSync(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: privateDirMode });
}

/**
 * Creates the data directory 0700, or tightens an existing one that others can enter (made by
 * an earlier version, or by hand): its mode guards everything inside it. A directory owned by
 * someone else (chmod answers EPERM) is left as it is.
 */
export async function ensurePrivateDataDir(dataDir: string): Promise<void> {
  await mkdirPrivate(dataDir);
  if (process.platform === 'win32') return;
  const { mode } = await stat(dataDir);
  if ((mode & 0o077) === 0) return;
  try {
    await chmod(dataDir, privateDirMode);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') throw error;
  }
}

/** Sets a file another library created (with its own mode) to 0600. */
export async function makePrivate(file: string): Promise<void> {
  await chmod(file, privateFileMode);
}
