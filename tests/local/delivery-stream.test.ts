import type { FirehoseTransformationEvent } from 'aws-lambda';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError, InputError, StorageError } from '../../shared/errors';
import { LocalDeliveryStream, type DeliveryStreamOptions } from '../../local/delivery-stream';
import type { FirehoseTransform } from '../../local/firehose-invocation';
import type { WriteAheadLog } from '../../local/wal';
import { encodeFrame, segmentMagic } from '../../local/wal-format';
import { CountingWalFs, fakeTransform, gzipJsonLines, lakeEventIds, listFiles, rec, RecordingCatalog, removeDir, tempDir } from './delivery-fixtures';

const T0 = Date.UTC(2024, 4, 1, 10, 0, 0); // 2024-05-01T10:00:00Z
const NOW = Date.UTC(2024, 4, 1, 10, 5, 0);

let dataDir: string;
let catalog: RecordingCatalog;
const open: LocalDeliveryStream[] = [];

beforeEach(async () => {
  dataDir = await tempDir();
  catalog = new RecordingCatalog();
});
afterEach(async () => {
  for (const s of open.splice(0)) await crash(s);
  await removeDir(dataDir);
});

async function openStream(overrides: Partial<DeliveryStreamOptions> = {}): Promise<LocalDeliveryStream> {
  const stream = await LocalDeliveryStream.open({
    dataDir,
    bufferBytes: 5 * 1024 * 1024,
    bufferMs: 60_000,
    timeZone: 'UTC',
    transform: fakeTransform(),
    catalog,
    now: () => NOW,
    retryDelayMs: 0,
    ...overrides,
  });
  open.push(stream);
  return stream;
}

/** Simulates a crash: the log's file is closed, nothing is flushed and no timer fires. */
async function crash(stream: LocalDeliveryStream): Promise<void> {
  const index = open.indexOf(stream);
  if (index >= 0) open.splice(index, 1);
  clearTimeout(Reflect.get(stream, 'timer') as NodeJS.Timeout | undefined);
  await (Reflect.get(stream, 'wal') as WriteAheadLog).close();
}

const lake = (...parts: string[]) => join(dataDir, 'lake', ...parts);

/** The fake transform, held at a gate until `release` is called (a delivery in progress). */
function gatedTransform(): { gated: FirehoseTransform; release: () => void } {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const inner = fakeTransform();
  const gated: FirehoseTransform = async (event) => {
    await gate;
    return inner(event);
  };
  return { gated, release };
}

describe('LocalDeliveryStream', () => {
  it('writes one gzip JSON-lines object per arrival date, named like Firehose, and registers the partition', async () => {
    const stream = await openStream();
    await stream.put(rec('a'), T0);
    await stream.put(rec('b'), T0 + 1000);
    await stream.put(rec('c'), T0 + 2000);
    const report = await stream.flush();

    const key = 'raw/events/dt=2024-05-01/wa-analytics-local-raw-1-2024-05-01-10-00-00-000000000001-000000000003.gz';
    expect(report).toEqual({ records: 3, ok: 3, dropped: 0, failed: 0, invocations: 1, files: [key], partitions: ['2024-05-01'] });
    expect(await listFiles(join(dataDir, 'lake'))).toEqual([key]);
    expect(await gzipJsonLines(lake(key))).toEqual([
      { event_id: 'a', kind: 'click', source: 'meta', received_ts: T0 },
      { event_id: 'b', kind: 'click', source: 'meta', received_ts: T0 + 1000 },
      { event_id: 'c', kind: 'click', source: 'meta', received_ts: T0 + 2000 },
    ]);
    expect(catalog.registered).toEqual([['raw_events', ['2024-05-01']]]);
    await stream.close();
  });

  it('partitions by arrival date in the reporting time zone (Asia/Kolkata, UTC+05:30)', async () => {
    const stream = await openStream({ timeZone: 'Asia/Kolkata' });
    await stream.put(rec('before-midnight'), Date.UTC(2024, 4, 1, 18, 29, 0)); // 23:59 local
    await stream.put(rec('after-midnight'), Date.UTC(2024, 4, 1, 18, 31, 0)); // 00:01 local
    const report = await stream.flush();
    expect(report.partitions).toEqual(['2024-05-01', '2024-05-02']);
    expect(await listFiles(join(dataDir, 'lake'))).toEqual([
      'raw/events/dt=2024-05-01/wa-analytics-local-raw-1-2024-05-01-18-29-00-000000000001-000000000002.gz',
      'raw/events/dt=2024-05-02/wa-analytics-local-raw-1-2024-05-01-18-31-00-000000000001-000000000002.gz',
    ]);
    expect(await lakeEventIds(dataDir)).toEqual(['after-midnight', 'before-midnight']);
    await stream.close();
  });

  it('writes ProcessingFailed records to the error prefix in Firehose error record format', async () => {
    const stream = await openStream();
    await stream.put(rec('good'), T0);
    await stream.put(rec('bad', { fail: true }), T0 + 1);
    await stream.put(rec('gone', { drop: true }), T0 + 2);
    const report = await stream.flush();
    expect(report).toMatchObject({ records: 3, ok: 1, dropped: 1, failed: 1 });
    const errorKey = 'raw/errors/processing-failed/dt=2024-05-01/wa-analytics-local-raw-1-2024-05-01-10-00-00-000000000001-000000000003.gz';
    expect(report.files).toContain(errorKey);
    expect(await gzipJsonLines(lake(errorKey))).toEqual([
      {
        attemptsMade: 1,
        arrivalTimestamp: T0 + 1,
        errorCode: 'Lambda.ProcessingFailedStatus',
        errorMessage: 'ProcessingFailed status set for record',
        attemptEndingTimestamp: NOW,
        rawData: rec('bad', { fail: true }).toString('base64'),
        lambdaArn: 'arn:aws:lambda:local:000000000000:function:wa-analytics-local-raw-transform',
      },
    ]);
    expect(await lakeEventIds(dataDir)).toEqual(['good']);
    await stream.close();
  });

  it('sends every record of an answer with missing record ids to the error prefix after retries', async () => {
    const inner = fakeTransform();
    const calls: FirehoseTransformationEvent[] = [];
    const dropsOne: FirehoseTransform = async (event) => {
      calls.push(event);
      const answer = await inner(event);
      return { records: answer.records.slice(1) };
    };
    const stream = await openStream({ transform: dropsOne });
    await stream.put(rec('a'), T0);
    await stream.put(rec('b'), T0);
    const report = await stream.flush();
    expect(calls).toHaveLength(4); // Firehose's default: 3 retries
    expect(report).toMatchObject({ ok: 0, failed: 2, partitions: [] });
    const [errorFile] = report.files;
    const lines = (await gzipJsonLines(lake(errorFile!))) as Array<Record<string, unknown>>;
    expect(lines.map((l) => [l.errorCode, l.attemptsMade, Buffer.from(l.rawData as string, 'base64').toString()])).toEqual([
      ['Lambda.MissingRecordId', 4, '{"id":"a"}'],
      ['Lambda.MissingRecordId', 4, '{"id":"b"}'],
    ]);
    expect(catalog.registered).toEqual([]);
    await stream.close();
  });

  it('sends the records of a transform that keeps throwing to the error prefix with its message', async () => {
    let calls = 0;
    const throwing: FirehoseTransform = async () => {
      calls++;
      throw new Error('secret parameter not found');
    };
    const stream = await openStream({ transform: throwing, transformRetries: 2 });
    await stream.put(rec('a'), T0);
    const report = await stream.flush();
    expect(calls).toBe(3);
    const lines = (await gzipJsonLines(lake(report.files[0]!))) as Array<Record<string, unknown>>;
    expect(lines).toEqual([expect.objectContaining({ errorCode: 'Lambda.FunctionError', errorMessage: 'secret parameter not found', attemptsMade: 3 })]);
    await stream.close();
  });

  it('shares fsyncs between concurrent puts (group commit)', async () => {
    const fs = new CountingWalFs();
    const stream = await openStream({ walFs: fs });
    await Promise.all(Array.from({ length: 1000 }, (_, i) => stream.put(rec(`r${i}`), T0)));
    expect(fs.syncs).toBe(2);
    expect(stream.walStats).toMatchObject({ appends: 1000, syncs: 2 });
    expect((await stream.flush()).ok).toBe(1000);
    await stream.close();
  });

  it('rejects a put whose log append fails with StorageError, and accepts the next one', async () => {
    const fs = new CountingWalFs();
    const stream = await openStream({ walFs: fs });
    fs.failWrites = 1;
    await expect(stream.put(rec('lost'), T0)).rejects.toBeInstanceOf(StorageError);
    await stream.put(rec('kept'), T0);
    expect((await stream.flush()).records).toBe(1);
    expect(await lakeEventIds(dataDir)).toEqual(['kept']);
    await stream.close();
  });

  it('rejects a record over the 1,000 KiB Firehose limit with InputError', async () => {
    const stream = await openStream();
    await expect(stream.put(Buffer.alloc(1000 * 1024 + 1), T0)).rejects.toBeInstanceOf(InputError);
    await stream.close();
  });

  it('invokes the transform with at most 1 MiB of input by default, as the deployed processor', async () => {
    const calls: FirehoseTransformationEvent[] = [];
    const stream = await openStream({ transform: fakeTransform(calls) });
    // 300,000 bytes are 400,000 in base64: two fit in 1 MiB, three do not.
    for (let i = 0; i < 5; i++) await stream.put(Buffer.from(JSON.stringify({ id: `r${i}`, pad: 'x'.repeat(300_000 - 20) })), T0);
    expect((await stream.flush()).invocations).toBe(3);
    expect(calls.map((c) => c.records.length)).toEqual([2, 2, 1]);
    await stream.close();
  });

  it('splits a large buffer into invocations of at most 6 MB when configured to the Lambda limit', async () => {
    const calls: FirehoseTransformationEvent[] = [];
    const stream = await openStream({ transform: fakeTransform(calls), bufferBytes: 64 * 1024 * 1024, invocationBytes: 6 * 1024 * 1024 });
    const big = (id: string) => Buffer.from(JSON.stringify({ id, pad: 'x'.repeat(1_000_000) }));
    for (let i = 0; i < 7; i++) await stream.put(big(`r${i}`), T0);
    const report = await stream.flush();
    expect(report.invocations).toBe(2);
    expect(calls.map((c) => c.records.length)).toEqual([4, 3]);
    expect(await lakeEventIds(dataDir)).toHaveLength(7);
    await stream.close();
  });

  it('refuses invocations larger than Lambda accepts', async () => {
    await expect(openStream({ invocationBytes: 7 * 1024 * 1024 })).rejects.toBeInstanceOf(ConfigError);
  });

  it('flushes by itself when the buffer reaches its size', async () => {
    const stream = await openStream({ bufferBytes: 20 });
    const registered = catalog.nextRegistration();
    await stream.put(rec('a-record-over-twenty-bytes'), T0);
    await registered;
    expect(await lakeEventIds(dataDir)).toEqual(['a-record-over-twenty-bytes']);
    await stream.close();
  });

  it('flushes by itself after the buffer interval', async () => {
    const stream = await openStream({ bufferMs: 10 });
    const registered = catalog.nextRegistration();
    await stream.put(rec('a'), T0);
    await registered;
    expect(await lakeEventIds(dataDir)).toEqual(['a']);
    await stream.close();
  });

  it('puts that arrive during a flush go to the next flush', async () => {
    const { gated, release } = gatedTransform();
    const stream = await openStream({ transform: gated });
    await stream.put(rec('first'), T0);
    const firstFlush = stream.flush();
    await stream.put(rec('second'), T0);
    release();
    expect((await firstFlush).records).toBe(1);
    expect((await stream.flush()).records).toBe(1);
    expect(await lakeEventIds(dataDir)).toEqual(['first', 'second']);
    await stream.close();
  });

  it('holds a put while the undelivered backlog is full, and appends it once a delivery frees room', async () => {
    const { gated, release } = gatedTransform();
    // Each record is 11 bytes ({"id":"rN"}); the buffer flushes at 11 and the backlog holds 22.
    const stream = await openStream({ transform: gated, bufferBytes: 11, maxBacklogBytes: 22 });
    await stream.put(rec('r1'), T0); // buffer full: its delivery starts and waits at the gate
    await stream.put(rec('r2'), T0); // held in memory beside the batch being delivered
    expect(stream.backlogBytes()).toBe(22);
    let appended = false;
    const third = stream.put(rec('r3'), T0).then(() => {
      appended = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(appended).toBe(false);
    expect(stream.walStats.appends).toBe(2);
    release();
    await third;
    expect(appended).toBe(true);
    await stream.close();
    expect(await lakeEventIds(dataDir)).toEqual(['r1', 'r2', 'r3']);
  });

  it('refuses a put held longer than the backlog wait, naming the backlog, without appending it', async () => {
    const { gated, release } = gatedTransform();
    const stream = await openStream({ transform: gated, bufferBytes: 11, maxBacklogBytes: 11, backlogWaitMs: 30 });
    await stream.put(rec('r1'), T0);
    await expect(stream.put(rec('r2'), T0)).rejects.toThrow(/the transform is behind: 11 bytes of acknowledged records wait for delivery, over the 11-byte backlog/);
    expect(stream.walStats.appends).toBe(1);
    release();
    await stream.close();
    expect(await lakeEventIds(dataDir)).toEqual(['r1']);
  });

  it('refuses a held put with StorageError when the stream closes, and delivers what it acknowledged', async () => {
    const { gated, release } = gatedTransform();
    const stream = await openStream({ transform: gated, bufferBytes: 11, maxBacklogBytes: 11 });
    await stream.put(rec('r1'), T0);
    const held = stream.put(rec('r2'), T0);
    const closing = stream.close();
    await expect(held).rejects.toBeInstanceOf(StorageError);
    release();
    await closing;
    expect(await lakeEventIds(dataDir)).toEqual(['r1']);
  });

  it('flushes on close and rejects puts afterwards', async () => {
    const stream = await openStream();
    await stream.put(rec('a'), T0);
    await stream.close();
    expect(await lakeEventIds(dataDir)).toEqual(['a']);
    await expect(stream.put(rec('b'), T0)).rejects.toBeInstanceOf(StorageError);
  });

  it('leaves no request body on disk after a clean close: flushed, then the delivered segments removed', async () => {
    const stream = await openStream();
    await stream.put(rec('a'), T0);
    await stream.flush();
    await stream.put(rec('b'), T0);
    await stream.close();
    expect(await lakeEventIds(dataDir)).toEqual(['a', 'b']);
    expect(await readdir(join(dataDir, 'wal'))).toEqual(['checkpoint.json']);
  });

  it('recovers acknowledged but unflushed records after a crash, delivering them exactly once', async () => {
    const first = await openStream();
    await first.put(rec('a'), T0);
    await first.flush();
    for (const id of ['b', 'c', 'd']) await first.put(rec(id), T0 + 60_000);
    await crash(first);

    const second = await openStream();
    expect(second.recovery).toEqual({ records: 3, tornBytes: 0, damaged: [] });
    expect(await lakeEventIds(dataDir)).toEqual(['a', 'b', 'c', 'd']);
    await second.close();

    const third = await openStream();
    expect(third.recovery.records).toBe(0);
    expect(await lakeEventIds(dataDir)).toEqual(['a', 'b', 'c', 'd']);
    await third.close();
    // Everything is in the lake, so no log segment holds a record any more than the one being written.
    expect((await readdir(join(dataDir, 'wal'))).filter((n) => n.endsWith('.log')).length).toBeLessThanOrEqual(1);
  });

  it('does not duplicate a batch when the crash falls between the object rename and the checkpoint', async () => {
    const first = await openStream();
    await first.put(rec('a'), T0);
    await first.put(rec('b'), T0);
    catalog.failNext = 1; // the objects are renamed into place, then registration fails: no checkpoint
    await expect(first.flush()).rejects.toThrow('catalog unavailable');
    await first.put(rec('c'), T0); // acknowledged after the interrupted batch
    await crash(first);

    const second = await openStream();
    expect(await listFiles(join(dataDir, 'lake'))).toEqual([
      'raw/events/dt=2024-05-01/wa-analytics-local-raw-1-2024-05-01-10-00-00-000000000001-000000000002.gz',
      'raw/events/dt=2024-05-01/wa-analytics-local-raw-1-2024-05-01-10-00-00-000000000003-000000000003.gz',
    ]);
    expect(await lakeEventIds(dataDir)).toEqual(['a', 'b', 'c']);
    expect(catalog.registered).toEqual([
      ['raw_events', ['2024-05-01']],
      ['raw_events', ['2024-05-01']],
    ]);
    await second.close();
  });

  it('retries a failed flush with the same batch, without duplicates, before newer records', async () => {
    const stream = await openStream();
    await stream.put(rec('a'), T0);
    catalog.failNext = 1;
    await expect(stream.flush()).rejects.toBeInstanceOf(Error);
    await stream.put(rec('b'), T0);
    const report = await stream.flush();
    expect(report.records).toBe(2);
    expect(report.files).toEqual(['raw/events/dt=2024-05-01/wa-analytics-local-raw-1-2024-05-01-10-00-00-000000000002-000000000002.gz']);
    expect(await lakeEventIds(dataDir)).toEqual(['a', 'b']);
    await stream.close();
  });

  it('reads a batch back from the log at delivery: bytes damaged after the acknowledgement fail the flush, and nothing reaches the lake', async () => {
    const stream = await openStream();
    await stream.put(rec('a'), T0);
    await stream.put(rec('b'), T0);
    const walDir = join(dataDir, 'wal');
    const [segment] = (await readdir(walDir)).filter((n) => n.endsWith('.log'));
    const path = join(walDir, segment!);
    const bytes = await readFile(path);
    bytes[bytes.length - 2] ^= 0xff;
    await writeFile(path, bytes);
    await expect(stream.flush()).rejects.toThrow(/do not read back as written/);
    expect(await listFiles(lake())).toEqual([]);
    expect(catalog.registered).toEqual([]);
  });

  it('delivers every record around one corrupt byte in the middle of a segment and keeps the segment in wal/corrupt/', async () => {
    const first = await openStream();
    const ids = Array.from({ length: 40 }, (_, i) => `r${String(i).padStart(2, '0')}`);
    await Promise.all(ids.map((id) => first.put(rec(id), T0)));
    await crash(first);
    const walDir = join(dataDir, 'wal');
    const [name] = (await readdir(walDir)).filter((n) => n.endsWith('.log'));
    const bytes = await readFile(join(walDir, name!));
    // A byte inside record r20's data (frames are the 8-byte magic, then 24 bytes of header plus data each).
    const frame = 24 + rec('r00').length;
    bytes[8 + 20 * frame + 24 + 3] ^= 0x20;
    await writeFile(join(walDir, name!), bytes);

    const second = await openStream();
    expect(await lakeEventIds(dataDir)).toEqual(ids.filter((id) => id !== 'r20'));
    expect(second.recovery.damaged).toEqual([{ path: join(walDir, name!), keptAt: join(walDir, 'corrupt', name!), unreadableBytes: frame, lostRecords: 1, readRecords: 39 }]);
    await second.close();
    expect(await readdir(join(walDir, 'corrupt'))).toEqual([name]);
    expect((await readFile(join(walDir, 'corrupt', name!))).equals(bytes)).toBe(true);
  });

  it('streams recovery: reads the log one segment at a time, delivering each batch before reading on', async () => {
    const walDir = join(dataDir, 'wal');
    await mkdir(walDir, { recursive: true });
    const segment = (first: number, ids: string[]) =>
      Buffer.concat([segmentMagic, ...ids.map((id, i) => encodeFrame(first + i, T0, rec(id)))]);
    const early = Array.from({ length: 10 }, (_, i) => `e${i}`);
    await writeFile(join(walDir, 'wal-0000000000000001.log'), segment(1, early));
    await writeFile(join(walDir, 'wal-0000000000000011.log'), segment(11, early.map((id) => `${id}-old`)));
    const calls: FirehoseTransformationEvent[] = [];
    const inner = fakeTransform(calls);
    // While the first batch is delivered, the second segment changes: a reader that had loaded the
    // whole log up front would still deliver the old records.
    const transform: FirehoseTransform = async (event) => {
      if (calls.length === 0) await writeFile(join(walDir, 'wal-0000000000000011.log'), segment(11, early.map((id) => `${id}-new`)));
      return inner(event);
    };
    // Each early record is 11 bytes of data: 10 of them fill a 110-byte buffer.
    const stream = await openStream({ bufferBytes: 110, transform });
    expect(calls[0]!.records).toHaveLength(10);
    expect(calls.reduce((n, c) => n + c.records.length, 0)).toBe(20);
    expect(await lakeEventIds(dataDir)).toEqual([...early, ...early.map((id) => `${id}-new`)].sort());
    await stream.close();
  });
});
