import type { FirehoseTransformationEvent, FirehoseTransformationResult, FirehoseTransformationResultRecord } from 'aws-lambda';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { Catalog } from '../../shared/ports/catalog';
import type { TableName } from '../../shared/schema/tables';
import type { WalFile, WalFileSystem } from '../../local/wal';
import { nodeWalFileSystem } from '../../local/wal';

/**
 * A transform that follows the real Firehose contract. Record data is JSON `{"id": "…"}`, plus
 * `"fail": true` to answer ProcessingFailed or `"drop": true` to answer Dropped; Ok data is one
 * newline-terminated row `{"event_id","kind","source","received_ts"}` (received_ts = arrival).
 */
export function fakeTransform(calls: FirehoseTransformationEvent[] = []): (event: FirehoseTransformationEvent) => Promise<FirehoseTransformationResult> {
  return async (event) => {
    calls.push(event);
    const records = event.records.map((r): FirehoseTransformationResultRecord => {
      const input = JSON.parse(Buffer.from(r.data, 'base64').toString('utf8')) as { id: string; fail?: boolean; drop?: boolean };
      if (input.fail) return { recordId: r.recordId, result: 'ProcessingFailed', data: r.data };
      if (input.drop) return { recordId: r.recordId, result: 'Dropped' };
      const row = { event_id: input.id, kind: 'click', source: 'meta', received_ts: r.approximateArrivalTimestamp };
      return { recordId: r.recordId, result: 'Ok', data: Buffer.from(`${JSON.stringify(row)}\n`).toString('base64') };
    });
    return { records };
  };
}

/** Record data for the fake transform. */
export function rec(id: string, extra: Record<string, unknown> = {}): Buffer {
  return Buffer.from(JSON.stringify({ id, ...extra }));
}

/** A catalog that records registrations and can be told to fail the next calls. */
export class RecordingCatalog implements Catalog {
  readonly registered: Array<[TableName, string[]]> = [];
  failNext = 0;
  private waiters: Array<() => void> = [];

  async registerPartitions(table: TableName, dts: readonly string[]): Promise<void> {
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('catalog unavailable');
    }
    this.registered.push([table, [...dts]]);
    for (const w of this.waiters.splice(0)) w();
  }

  async listPartitions(table: TableName): Promise<string[]> {
    return [...new Set(this.registered.filter(([t]) => t === table).flatMap(([, dts]) => dts))].sort();
  }

  /** Resolves at the next successful registration. */
  nextRegistration(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }
}

/** Segment file system that counts durable writes and can fail the next ones. */
export class CountingWalFs implements WalFileSystem {
  syncs = 0;
  failWrites = 0;

  async createSegment(path: string): Promise<WalFile> {
    const file = await nodeWalFileSystem.createSegment(path);
    return {
      append: async (data) => {
        this.syncs++;
        if (this.failWrites > 0) {
          this.failWrites--;
          throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
        }
        await file.append(data);
      },
      close: () => file.close(),
    };
  }
}

export async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'wa-analytics-test-'));
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/** Every file under a directory, as paths relative to it with `/`, sorted. */
export async function listFiles(dir: string): Promise<string[]> {
  try {
    const entries = await readdir(dir, { recursive: true, withFileTypes: true });
    return entries
      .filter((e) => e.isFile())
      .map((e) => join(e.parentPath ?? e.path, e.name).slice(dir.length + 1).split('\\').join('/'))
      .sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/** The JSON lines of a gzip file, parsed. */
export async function gzipJsonLines(path: string): Promise<unknown[]> {
  const text = gunzipSync(await readFile(path)).toString('utf8');
  expect(text.endsWith('\n')).toBe(true);
  return text.trimEnd().split('\n').map((line) => JSON.parse(line) as unknown);
}

/** Event ids of every raw row in the lake, sorted. */
export async function lakeEventIds(dataDir: string): Promise<string[]> {
  const root = join(dataDir, 'lake');
  const files = (await listFiles(root)).filter((f) => f.startsWith('raw/events/'));
  const ids: string[] = [];
  for (const f of files) for (const row of await gzipJsonLines(join(root, f))) ids.push((row as { event_id: string }).event_id);
  return ids.sort();
}
