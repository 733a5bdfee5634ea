import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { resolve } from 'node:path';
import { errorMessage, LockError, StorageError } from '../../errors';
import { exponentialBackoff, retry } from '../../retry';

export type DuckDbAccess = 'read_write' | 'read_only';

export interface DuckDbFileOptions {
  /** How long to keep retrying while another process holds the file's lock (default 10 s). */
  readonly lockTimeoutMs?: number;
}

export const defaultLockTimeoutMs = 10_000;

// DuckDB lets one process hold a database file read-write (or many read-only). Its lock is a
// POSIX record lock, which is per process: two instances in the SAME process would both get it
// and could corrupt the file, so opens of one path are also serialised inside the process.
const tails = new Map<string, Promise<unknown>>();

/**
 * Message of an error thrown by DuckDB. The native addon's errors can come from another realm
 * than the caller's `Error` (as under Jest), where `instanceof Error` fails, so read `message`.
 */
export function duckMessage(error: unknown): string {
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : errorMessage(error);
}

function isLockConflict(error: unknown): boolean {
  return /could not set lock on file/i.test(duckMessage(error));
}

async function openWithRetry(path: string, access: DuckDbAccess, lockTimeoutMs: number): Promise<DuckDBInstance> {
  try {
    return await retry(() => DuckDBInstance.create(path, { ...(access === 'read_only' ? { access_mode: 'READ_ONLY' } : {}), threads: '1' }), {
      attempts: Infinity,
      // Holders keep the lock for milliseconds, so a short jittered backoff is enough.
      backoff: exponentialBackoff({ baseMs: 5, maxMs: 200, jitter: 'added' }),
      retryable: isLockConflict,
      deadline: Date.now() + lockTimeoutMs,
    });
  } catch (error) {
    if (!isLockConflict(error)) throw new StorageError(`cannot open ${path}: ${duckMessage(error)}`, { cause: error });
    throw new LockError(`${path} stayed locked by another process for ${lockTimeoutMs} ms (only short-lived connections may hold it)`, { cause: error });
  }
}

/**
 * Opens a DuckDB database file, runs `fn` on one connection and closes everything, so the file's
 * lock is held only for the duration of `fn`. Waits (with backoff) while another process holds
 * the lock. Every access to a shared DuckDB file should go through here.
 */
export async function withDuckDbFile<T>(file: string, access: DuckDbAccess, fn: (connection: DuckDBConnection) => Promise<T>, options: DuckDbFileOptions = {}): Promise<T> {
  const path = resolve(file); // one mutex per file, however the path was spelled
  const previous = tails.get(path) ?? Promise.resolve();
  const run = previous.catch(() => undefined).then(async () => {
    const instance = await openWithRetry(path, access, options.lockTimeoutMs ?? defaultLockTimeoutMs);
    let connection: DuckDBConnection | undefined;
    try {
      connection = await instance.connect();
      return await fn(connection);
    } finally {
      connection?.closeSync();
      instance.closeSync();
    }
  });
  tails.set(path, run);
  try {
    return await run;
  } finally {
    if (tails.get(path) === run) tails.delete(path);
  }
}
