import { createReadStream } from 'node:fs';
import type { Stats } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { createInterface } from 'node:readline';
import { errorMessage, InputError } from '../shared/errors';

/** One recorded webhook body, byte-exact, with where it came from (for error lines). */
export interface ReplayBody {
  readonly bytes: Buffer;
  readonly json: unknown;
  /** `file.json` or `file.jsonl:12`. */
  readonly where: string;
}

/** What a replay input holds, so a progress bar can be sized before reading it. */
export interface ReplayPlan {
  readonly kind: 'dir' | 'json' | 'jsonl';
  /** Files for a directory; bytes for a JSON-lines file; 1 for one JSON file. */
  readonly total: number;
}

function code(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? errorMessage(error);
}

function parse(bytes: Buffer | string, where: string): unknown {
  try {
    return JSON.parse(typeof bytes === 'string' ? bytes : bytes.toString('utf8'));
  } catch (cause) {
    throw new InputError(`${where} is not JSON (${errorMessage(cause)})`, { cause });
  }
}

/**
 * A directory replays its `.json` files (one body each, by name); a `.json` file is one body; any
 * other file is JSON lines (one body per non-blank line).
 */
export async function planReplay(path: string): Promise<ReplayPlan> {
  let info: Stats;
  try {
    info = await stat(path);
  } catch (cause) {
    throw new InputError(`cannot read ${path}: ${code(cause)}`, { cause });
  }
  if (info.isDirectory()) return { kind: 'dir', total: (await jsonFiles(path)).length };
  if (path.toLowerCase().endsWith('.json')) return { kind: 'json', total: 1 };
  return { kind: 'jsonl', total: info.size };
}

async function jsonFiles(dir: string): Promise<string[]> {
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    return entries.filter((e) => e.isFile() && e.name.toLowerCase().endsWith('.json')).map((e) => e.name).sort();
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
  return { bytes, json: parse(bytes, basename(file)), where: basename(file) };
}

/**
 * The bodies of a replay input, read lazily in order so that a bad file or line stops the replay
 * after the bodies before it were sent. `onBytes` reports JSON-lines progress in bytes.
 */
export async function* readReplayBodies(path: string, plan: ReplayPlan, onBytes?: (bytes: number) => void): AsyncGenerator<ReplayBody> {
  if (plan.kind === 'json') {
    yield await readWhole(path);
    return;
  }
  if (plan.kind === 'dir') {
    for (const name of await jsonFiles(path)) yield await readWhole(join(path, name));
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
      const where = `${basename(path)}:${n}`;
      // The line's own bytes are the body: no re-serialisation, so a signature over them holds.
      yield { bytes: Buffer.from(line, 'utf8'), json: parse(line, `line ${n} of ${basename(path)}`), where };
    }
  } catch (cause) {
    if (cause instanceof InputError) throw cause;
    throw new InputError(`cannot read ${path}: ${code(cause)}`, { cause });
  } finally {
    lines.close();
    stream.destroy();
  }
}
