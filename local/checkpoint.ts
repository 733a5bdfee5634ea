import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { errorMessage, StorageError } from '../shared/errors';
import { writeFileAtomic } from './durable-file';

/**
 * The delivery stream's progress, next to the write-ahead log. `flushed` is the highest sequence
 * number whose delivery to the lake is complete. `inflight` names the batch being delivered: a
 * restart redelivers exactly that range first, so the lake files it produces get the same
 * (deterministic) names and the ones already written are recognised instead of duplicated.
 */
export interface CheckpointState {
  readonly flushed: number;
  readonly inflight: { readonly first: number; readonly last: number } | null;
}

export const checkpointFileName = 'checkpoint.json';

export const initialCheckpoint: CheckpointState = { flushed: 0, inflight: null };

function isSeq(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** Reads the checkpoint of a log directory (the initial state when there is none yet). */
export async function readCheckpoint(walDir: string): Promise<CheckpointState> {
  const file = join(walDir, checkpointFileName);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return initialCheckpoint;
    throw new StorageError(`cannot read ${file}: ${errorMessage(error)}`, { cause: error });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (cause) {
    throw new StorageError(`${file} is not JSON`, { cause });
  }
  const o = (raw ?? {}) as { flushed?: unknown; inflight?: { first?: unknown; last?: unknown } | null };
  const inflight = o.inflight ?? null;
  if (!isSeq(o.flushed) || (inflight !== null && (!isSeq(inflight.first) || !isSeq(inflight.last)))) {
    throw new StorageError(`${file} does not hold a delivery checkpoint`);
  }
  return { flushed: o.flushed, inflight: inflight === null ? null : { first: inflight.first as number, last: inflight.last as number } };
}

/** Writes the checkpoint atomically and durably. */
export async function writeCheckpoint(walDir: string, state: CheckpointState): Promise<void> {
  const file = join(walDir, checkpointFileName);
  try {
    await writeFileAtomic(file, `${JSON.stringify(state)}\n`);
  } catch (error) {
    throw new StorageError(`cannot write ${file}: ${errorMessage(error)}`, { cause: error });
  }
}
