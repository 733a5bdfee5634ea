import { createReadStream, createWriteStream } from 'node:fs';
import { open, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import { lakePath, partitionKey } from '../shared/adapters/local/lake';
import { privateFileMode } from '../shared/adapters/local/private-fs';
import { dataFileSuffix, mergedObjectName, objectRange, readableFiles, supersededFiles } from '../shared/adapters/local/lake-files';
import { errorMessage, StorageError } from '../shared/errors';
import { syncDirectory, tempPathFor } from './durable-file';

/** Gzip input merged into one object, at most (a day of 1,440 one-minute files is usually one object). */
export const defaultMergeBytes = 64 * 1024 * 1024;

/** A step of a merge, reported to `onStep` (tests stop a merge there, as a crash would). */
export type CompactionStep = 'merged-written' | 'merged-visible' | 'inputs-deleted';

export interface CompactOptions {
  /** The lake root (`<dataDir>/lake`). */
  readonly lakeRoot: string;
  /** Highest sequence number whose delivery is complete (the checkpoint): later objects may still be redelivered. */
  readonly flushed: number;
  readonly mergeBytes?: number;
  readonly onStep?: (step: CompactionStep, dt: string) => void;
}

/** What compacting one day did. */
export interface DayCompaction {
  readonly dt: string;
  /** Objects merged away, and merged objects written. */
  readonly merged: number;
  readonly written: number;
  /** Objects of a merge that crashed, cleaned up now. */
  readonly cleaned: number;
  /** Set when the day was left alone: it holds objects of a delivery not yet checkpointed. */
  readonly skipped?: 'delivery-in-progress';
}

/** Counts lines (rows) of the bytes passing through. */
function lineCounter(count: { lines: number; bytes: number }): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      count.bytes += chunk.length;
      for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, i + 1)) count.lines++;
      done(null, chunk);
    },
  });
}

/** The uncompressed bytes of gzip files one after the other, as one stream (memory: one chunk at a time). */
async function* concatenated(paths: readonly string[]): AsyncGenerator<Buffer> {
  for (const path of paths) {
    const gunzip: Readable = createReadStream(path).pipe(createGunzip());
    for await (const chunk of gunzip) yield chunk as Buffer;
  }
}

/** Rows and bytes of a gzip file. */
async function countRows(path: string): Promise<{ lines: number; bytes: number }> {
  const count = { lines: 0, bytes: 0 };
  // The counter sees every line; the sink only drains what it passes on.
  await pipeline(createReadStream(path), createGunzip(), lineCounter(count), async (source: AsyncIterable<unknown>) => {
    for await (const _ of source) void _;
  });
  return count;
}

async function fsyncFile(path: string): Promise<void> {
  const handle = await open(path, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Consecutive runs of files of about `bytes` of gzip input each (runs of one file are left as they are). */
async function mergeGroups(dir: string, names: readonly string[], bytes: number): Promise<string[][]> {
  const groups: string[][] = [];
  let current: string[] = [];
  let size = 0;
  for (const name of names) {
    const { size: fileSize } = await stat(join(dir, name));
    if (current.length > 0 && size + fileSize > bytes) {
      groups.push(current);
      current = [];
      size = 0;
    }
    current.push(name);
    size += fileSize;
  }
  if (current.length > 0) groups.push(current);
  return groups.filter((g) => g.length > 1);
}

/**
 * Merges one closed day of `raw_events` into few objects, keeping every row and their order. Each
 * merged object is written whole under a dot name (invisible), checked (same rows, same bytes as
 * its inputs), made durable and renamed into place: from that rename on, readers skip the inputs
 * it covers (see lake-files), so they see the old objects or the new one, never both and never
 * neither. Then the inputs are deleted. A crash at any point leaves the same rows visible; the
 * next run removes what the crash left (a temp file, superseded inputs) and carries on. A second
 * run finds nothing to merge. Objects of a delivery that is not checkpointed yet may still be
 * rewritten under their own names, so a day holding one is left alone.
 */
export async function compactDay(dt: string, options: CompactOptions): Promise<DayCompaction> {
  const dir = lakePath(options.lakeRoot, partitionKey('raw_events', dt));
  const suffix = dataFileSuffix('raw_events');
  let cleaned = 0;
  try {
    let names = await readdir(dir);
    for (const name of names.filter((n) => n.startsWith('.') && n.endsWith('-merged.gz.tmp'))) {
      await rm(join(dir, name), { force: true });
      cleaned++;
    }
    for (const name of supersededFiles(names, suffix)) {
      await rm(join(dir, name), { force: true });
      cleaned++;
    }
    if (cleaned > 0) {
      await syncDirectory(dir);
      names = await readdir(dir);
    }
    const readable = readableFiles(names, suffix);
    if (readable.some((n) => (objectRange(n)?.last ?? 0) > options.flushed)) return { dt, merged: 0, written: 0, cleaned, skipped: 'delivery-in-progress' };
    const inputs = readable.filter((n) => objectRange(n)?.merged === false);
    let merged = 0;
    let written = 0;
    for (const group of await mergeGroups(dir, inputs, options.mergeBytes ?? defaultMergeBytes)) {
      const target = join(dir, mergedObjectName(group));
      const temp = tempPathFor(target);
      const out = { lines: 0, bytes: 0 };
      await pipeline(concatenated(group.map((n) => join(dir, n))), lineCounter(out), createGzip(), createWriteStream(temp, { mode: privateFileMode }));
      // Read back what was written: the same rows and bytes as went in, or the inputs stay.
      const check = await countRows(temp);
      if (check.lines !== out.lines || check.bytes !== out.bytes) {
        await rm(temp, { force: true });
        throw new StorageError(`merging ${group.length} objects of ${dir} wrote ${check.lines} rows instead of ${out.lines}: left as they were`);
      }
      await fsyncFile(temp);
      options.onStep?.('merged-written', dt);
      await rename(temp, target);
      await syncDirectory(dir);
      options.onStep?.('merged-visible', dt);
      for (const n of group) await rm(join(dir, n), { force: true });
      await syncDirectory(dir);
      options.onStep?.('inputs-deleted', dt);
      merged += group.length;
      written++;
    }
    return { dt, merged, written, cleaned };
  } catch (error) {
    if (error instanceof StorageError) throw error;
    throw new StorageError(`cannot compact ${dir}: ${errorMessage(error)}`, { cause: error });
  }
}

/** Every `raw_events` day before `today` in the lake, compacted one after the other. */
export async function compactLake(partitions: readonly string[], today: string, options: CompactOptions): Promise<DayCompaction[]> {
  const out: DayCompaction[] = [];
  for (const dt of [...partitions].sort()) if (dt < today) out.push(await compactDay(dt, options));
  return out;
}

/** One line for the operator. */
export function describeCompaction(days: readonly DayCompaction[]): string {
  const merged = days.reduce((n, d) => n + d.merged, 0);
  const written = days.reduce((n, d) => n + d.written, 0);
  const changed = days.filter((d) => d.written > 0 || d.cleaned > 0).length;
  const skipped = days.filter((d) => d.skipped !== undefined).map((d) => d.dt);
  const parts = [`compact: ${days.length} closed days looked at, ${changed} changed: ${merged} raw objects merged into ${written}`];
  if (skipped.length > 0) parts.push(`left alone while a delivery is not checkpointed: ${skipped.join(', ')}`);
  return parts.join('; ');
}
