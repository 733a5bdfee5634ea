import { createReadStream } from 'node:fs';
import type { Stats } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { createInterface } from 'node:readline';
import { errorMessage, InputError } from '../shared/errors';
import { readRecordedBody, type RecordedBody } from './replay-body';

/** One recorded webhook body, byte-exact, read as JSON or a form, with where it came from (for error lines). */
export interface ReplayBody extends RecordedBody {
  readonly bytes: Buffer;
}

/** What a replay input holds, so a progress bar can be sized before reading it. */
export interface ReplayPlan {
  readonly kind: 'dir' | 'json' | 'form' | 'jsonl';
  /** Files for a directory; bytes for a JSON-lines file; 1 for one JSON or form file. */
  readonly total: number;
}

function code(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? errorMessage(error);
}

/** `.json` files hold one JSON body, `.form` files one form body (a Twilio webhook as it was posted). */
const wholeFileKind = (name: string): 'json' | 'form' | null => {
  const lower = name.toLowerCase();
  return lower.endsWith('.json') ? 'json' : lower.endsWith('.form') ? 'form' : null;
};

/**
 * A directory replays its `.json` and `.form` files (one body each, by name); a `.json` or
 * `.form` file is one body; any other file is lines (one body per non-blank line: JSON, or a
 * Twilio form, which never holds a raw newline).
 */
export async function planReplay(path: string): Promise<ReplayPlan> {
  let info: Stats;
  try {
    info = await stat(path);
  } catch (cause) {
    throw new InputError(`cannot read ${path}: ${code(cause)}`, { cause });
  }
  if (info.isDirectory()) return { kind: 'dir', total: (await bodyFiles(path)).length };
  const whole = wholeFileKind(path);
  if (whole !== null) return { kind: whole, total: 1 };
  return { kind: 'jsonl', total: info.size };
}

async function bodyFiles(dir: string): Promise<string[]> {
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    return entries.filter((e) => e.isFile() && wholeFileKind(e.name) !== null).map((e) => e.name).sort();
  } catch (cause) {
    throw new InputError(`cannot read ${dir}: ${code(cause)}`, { cause });
  }
}

async function readWhole(file: string): Promise<ReplayBody> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (cause) {
    throw new InputError(`cannot read ${file}: ${code(cause)}`, { cause });
  }
  const where = basename(file);
  return { ...readRecordedBody(bytes, where, wholeFileKind(file) === 'form' ? 'only' : 'never'), bytes };
}

/**
 * The bodies of a replay input, read lazily in order so that a bad file or line stops the replay
 * after the bodies before it were sent. `onBytes` reports JSON-lines progress in bytes.
 */
export async function* readReplayBodies(path: string, plan: ReplayPlan, onBytes?: (bytes: number) => void): AsyncGenerator<ReplayBody> {
  if (plan.kind === 'json' || plan.kind === 'form') {
    yield await readWhole(path);
    return;
  }
  if (plan.kind === 'dir') {
    for (const name of await bodyFiles(path)) yield await readWhole(join(path, name));
    return;
  }
  const stream = createReadStream(path);
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  let n = 0;
  try {
    for await (const raw of lines) {
      n++;
      onBytes?.(Buffer.byteLength(raw) + 1);
      // An editor's byte-order mark is not part of the first body.
      const line = n === 1 && raw.startsWith('\uFEFF') ? raw.slice(1) : raw;
      if (line.trim() === '') continue;
      // The line's own bytes are the body: no re-serialisation, so a signature over them holds.
      const bytes = Buffer.from(line, 'utf8');
      yield { ...readRecordedBody(bytes, `line ${n} of ${basename(path)}`), bytes };
    }
  } catch (cause) {
    if (cause instanceof InputError) throw cause;
    throw new InputError(`cannot read ${path}: ${code(cause)}`, { cause });
  } finally {
    lines.close();
    stream.destroy();
  }
}
