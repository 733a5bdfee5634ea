import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { link, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { mkdirPrivate, privateFileMode } from '../shared/adapters/local/private-fs';
import { errorMessage, LockError, StorageError } from '../shared/errors';

/** The writer lock's folder inside the data directory. */
export const lockDirName = 'writer.lock';

/** Who holds (or last held) the lock, as written in a generation file. */
export interface LockHolder {
  readonly pid: number;
  readonly host: string;
  /** The holder's start time in clock ticks after boot (Linux /proc), to tell a reused PID apart. */
  readonly started: string | null;
  /** The command that took it (`start`, `replay`, `compact`, …). */
  readonly command: string;
  readonly since: string;
  /** Set when the holder let go of the lock. */
  readonly released?: boolean;
}

const GEN_RE = /^(\d{16})\.json$/;
const genName = (gen: number) => `${String(gen).padStart(16, '0')}.json`;

/** Field 22 of /proc/<pid>/stat (after the parenthesised name), or null where there is no /proc. */
function processStartTicks(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

function parseHolder(text: string): LockHolder | null {
  try {
    const o = JSON.parse(text) as Partial<LockHolder>;
    if (!Number.isSafeInteger(o.pid) || typeof o.host !== 'string') return null;
    return { pid: o.pid!, host: o.host, started: typeof o.started === 'string' ? o.started : null, command: String(o.command ?? '?'), since: String(o.since ?? '?'), released: o.released === true };
  } catch {
    return null;
  }
}

/**
 * Whether the holder may still be running. A lock from another host cannot be checked from here,
 * so it counts as held; on this host the PID must exist and, where /proc tells, have the start
 * time recorded in the lock (otherwise the PID was reused by an unrelated process).
 */
export function holderAlive(holder: LockHolder): boolean {
  if (holder.released) return false;
  if (holder.host !== hostname()) return true;
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const started = processStartTicks(holder.pid);
  return holder.started === null || started === null || started === holder.started;
}

function describe(holder: LockHolder, dataDir: string): string {
  const where = holder.host === hostname() ? '' : ` on host ${holder.host}`;
  return `the data dir ${dataDir} is in use by wa-analytics ${holder.command} (PID ${holder.pid}${where}, since ${holder.since}): only one process may write to it (commands that only read, such as query and report, can run alongside)`;
}

async function generations(dir: string): Promise<number[]> {
  const names = await readdir(dir);
  return names.flatMap((n) => {
    const m = GEN_RE.exec(n);
    return m ? [Number(m[1])] : [];
  }).sort((a, b) => a - b);
}

async function readHolder(path: string): Promise<LockHolder | null | 'missing'> {
  try {
    return parseHolder(await readFile(path, 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    throw error;
  }
}

/**
 * The exclusive writer lock of a data directory: one process at a time owns the write-ahead log
 * and the lake writer (two would number records alike and skip each other's lake files as
 * already written). Read-only commands never take it.
 *
 * The lock is a folder of numbered generation files, each naming one holder. To take the lock a
 * process reads the highest generation: a live holder means refusal (LockError naming its PID); a
 * dead one (kill -9, power loss), a released one or none means it creates the next number with
 * link(2), which only one contender can do. The highest file is never deleted (a release marks it
 * released), so a contender acting on an old reading cannot slip in under a newer holder: its
 * number exists already, or it finds a higher one when it checks after linking. A stale lock is
 * therefore taken over at once, and racing contenders cannot both win.
 *
 * Hand-written rather than proper-lockfile: that library judges staleness by the lock's age, so a
 * restart right after a crash would wait out the stale period, and it does not name the holder.
 */
export class DataDirLock {
  private released = false;

  private constructor(
    readonly path: string,
    readonly holder: LockHolder,
  ) {}

  /**
   * Takes the lock of `dataDir` for `command`, or throws LockError naming the live holder.
   * `onStale` hears about a holder that died without letting go.
   */
  static async acquire(dataDir: string, command: string, onStale?: (holder: LockHolder) => void): Promise<DataDirLock> {
    const dir = join(dataDir, lockDirName);
    const holder: LockHolder = { pid: process.pid, host: hostname(), started: processStartTicks(process.pid), command, since: new Date().toISOString() };
    const temp = join(dir, `.${randomBytes(8).toString('hex')}.tmp`);
    try {
      await mkdirPrivate(dir);
      await writeFile(temp, `${JSON.stringify(holder)}\n`, { mode: privateFileMode });
    } catch (error) {
      throw new StorageError(`cannot create the lock in ${dir}: ${errorMessage(error)}`, { cause: error });
    }
    try {
      // Bounded: each round ends in the lock, a live holder, or a newer generation to look at.
      for (let attempt = 0; attempt < 50; attempt++) {
        const gens = await generations(dir);
        const top = gens[gens.length - 1] ?? 0;
        let previous: LockHolder | null = null;
        if (top > 0) {
          const current = await readHolder(join(dir, genName(top)));
          if (current === 'missing') continue;
          if (current !== null && holderAlive(current)) throw new LockError(describe(current, dataDir));
          previous = current;
        }
        const mine = join(dir, genName(top + 1));
        try {
          await link(temp, mine);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue;
          throw error;
        }
        // A contender that read an older generation can only have linked a lower number.
        const after = await generations(dir);
        if (after[after.length - 1] !== top + 1) {
          await rm(mine, { force: true });
          continue;
        }
        if (previous !== null && !previous.released) onStale?.(previous);
        for (const gen of after) if (gen <= top) await rm(join(dir, genName(gen)), { force: true });
        return new DataDirLock(mine, holder);
      }
      throw new LockError(`could not take the lock in ${dir}: other processes keep taking it`);
    } catch (error) {
      if (error instanceof LockError) throw error;
      throw new StorageError(`cannot take the lock in ${dir}: ${errorMessage(error)}`, { cause: error });
    } finally {
      await rm(temp, { force: true }).catch(() => undefined);
    }
  }

  /** Marks the lock released (the file stays, as the highest generation must). Idempotent. */
  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    const temp = `${this.path}.${randomBytes(8).toString('hex')}.tmp`;
    await writeFile(temp, `${JSON.stringify({ ...this.holder, released: true })}\n`, { mode: privateFileMode });
    await rename(temp, this.path);
  }
}
