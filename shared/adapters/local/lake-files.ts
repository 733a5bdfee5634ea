import { readdir } from 'node:fs/promises';
import { errorMessage, StorageError } from '../../errors';
import { tables, type TableName } from '../../schema/tables';
import { isIsoDate } from '../../time';
import { lakePath, partitionKey } from './lake';

/**
 * Which files of the local lake hold a table's rows: the one rule the query engine, the catalog
 * repair and compaction all read by.
 *
 * Raw objects are named as Firehose names them, `<stream>-1-<yyyy-MM-dd-HH-mm-ss>-<id>.gz`, where
 * the local stream's id is the batch's first and last sequence numbers. Compaction merges a day's
 * objects into `…-<first>-<last>-merged.gz`, covering their whole range: once a merged object is
 * in place, every object whose range it covers is superseded and no longer read, so a merge
 * switches from the old files to the new in one rename, and a crash leaves one or the other.
 */

const pad2 = (n: number) => String(n).padStart(2, '0');
const seqId = (seq: number) => String(seq).padStart(12, '0');

/** `yyyy-MM-dd-HH-mm-ss` in UTC, the timestamp Firehose puts in object names. */
export function objectTimestamp(epochMs: number): string {
  const d = new Date(epochMs);
  return `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}-${pad2(d.getUTCHours())}-${pad2(d.getUTCMinutes())}-${pad2(d.getUTCSeconds())}`;
}

/**
 * Object name in Firehose's pattern `<stream>-<version>-<yyyy-MM-dd-HH-mm-ss>-<id>.gz`. Where
 * Firehose puts a random id, the local stream puts the batch's first and last sequence numbers,
 * and the timestamp is that of the earliest record in the object: redelivering the same batch
 * after a crash produces the same name, so an object that already exists was already written.
 */
export function objectName(streamName: string, earliestArrivalTs: number, firstSeq: number, lastSeq: number): string {
  return `${streamName}-1-${objectTimestamp(earliestArrivalTs)}-${seqId(firstSeq)}-${seqId(lastSeq)}.gz`;
}

/**
 * Name of the merged object replacing `names` (objects named by the local stream): the stream and
 * the earliest timestamp of them all, the whole sequence range, and `-merged`.
 */
export function mergedObjectName(names: readonly string[]): string {
  const parsed = names.map((n) => ({ m: OBJECT_RE.exec(n), n }));
  if (parsed.length === 0 || parsed.some((p) => p.m === null)) throw new Error(`not objects of the local stream: ${names.join(', ')}`);
  const stream = parsed[0]!.n.slice(0, parsed[0]!.m!.index);
  const stamp = parsed.map((p) => p.m![1]!).sort()[0]!;
  const first = Math.min(...parsed.map((p) => Number(p.m![2])));
  const last = Math.max(...parsed.map((p) => Number(p.m![3])));
  return `${stream}-1-${stamp}-${seqId(first)}-${seqId(last)}-merged.gz`;
}

/** What an object's name says about it (null for names the local stream did not write). */
export interface ObjectRange {
  readonly first: number;
  readonly last: number;
  readonly merged: boolean;
}

const OBJECT_RE = /-1-(\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2})-(\d{12})-(\d{12})(-merged)?\.gz$/;

/** The sequence range in a raw object's name. */
export function objectRange(name: string): ObjectRange | null {
  const m = OBJECT_RE.exec(name);
  return m ? { first: Number(m[2]), last: Number(m[3]), merged: m[4] !== undefined } : null;
}

/** Dot files are in-progress writes (temp then rename); Athena likewise skips `.` and `_` files. */
export function isVisibleFile(name: string, suffix: string): boolean {
  return name.endsWith(suffix) && !name.startsWith('.') && !name.startsWith('_');
}

/** File name suffix of a table's data files in the lake. */
export function dataFileSuffix(table: TableName): string {
  return tables[table].format === 'json' ? '.gz' : '.parquet';
}

/** True when a merged object other than `name` covers its whole range. */
function superseded(name: string, range: ObjectRange | null, merged: ReadonlyArray<readonly [string, ObjectRange]>): boolean {
  if (range === null) return false;
  return merged.some(([other, m]) => other !== name && m.first <= range.first && range.last <= m.last);
}

/**
 * The data files of one partition folder that hold its rows, in reading order: visible files, not
 * superseded by a merged object, sorted by the first sequence number in their name (the order
 * the log acknowledged their records), then by name. Names without a range sort first, by name.
 */
export function readableFiles(names: readonly string[], suffix: string): string[] {
  const visible = names.filter((n) => isVisibleFile(n, suffix)).map((n) => [n, objectRange(n)] as const);
  const merged = visible.filter((v): v is readonly [string, ObjectRange] => v[1]?.merged === true);
  return visible
    .filter(([n, r]) => !superseded(n, r, merged))
    .sort(([a, ra], [b, rb]) => (ra?.first ?? -1) - (rb?.first ?? -1) || (a < b ? -1 : a > b ? 1 : 0))
    .map(([n]) => n);
}

/** Files of a partition folder that a merged object supersedes (left by a merge that crashed before deleting them). */
export function supersededFiles(names: readonly string[], suffix: string): string[] {
  const readable = new Set(readableFiles(names, suffix));
  return names.filter((n) => isVisibleFile(n, suffix) && !readable.has(n));
}

async function listDir(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (error) {
    // A folder that is gone reads as empty, as a prefix without objects does on S3.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new StorageError(`cannot list ${dir}: ${errorMessage(error)}`, { cause: error });
  }
}

/** Paths of the files holding a table's partition at `location` (a key prefix), in reading order (see readableFiles). */
export async function partitionDataFiles(lakeRoot: string, table: TableName, location: string): Promise<string[]> {
  const dir = lakePath(lakeRoot, location);
  return readableFiles(await listDir(dir), dataFileSuffix(table)).map((n) => lakePath(dir, n));
}

/**
 * The partition dates present in the lake for a table: `dt=YYYY-MM-DD` folders under its prefix
 * holding at least one data file (what an S3 listing would show), ascending.
 */
export async function partitionsInLake(lakeRoot: string, table: TableName): Promise<string[]> {
  const suffix = dataFileSuffix(table);
  const dts = (await listDir(lakePath(lakeRoot, tables[table].prefix))).flatMap((n) => (n.startsWith('dt=') && isIsoDate(n.slice(3)) ? [n.slice(3)] : []));
  const listed = await Promise.all(dts.map(async (dt) => ((await listDir(lakePath(lakeRoot, partitionKey(table, dt)))).some((n) => isVisibleFile(n, suffix)) ? dt : null)));
  return listed.filter((dt): dt is string => dt !== null).sort();
}
