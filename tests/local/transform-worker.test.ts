import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getPriority } from 'node:os';
import { gunzipSync } from 'node:zlib';
import { errorPartitionKey, partitionKey } from '../../shared/adapters/local/lake';
import { transformThreadNice, workerInvoker } from '../../local/transform-worker';
import type { WalRecord } from '../../local/wal-format';
import { rowsOfData } from '../support/rows';
import { metaWebhook, signedMetaRecordData } from '../support/webhooks';

const SECRET = 'worker-secret';
const T = 1_750_000_000_000;

function record(seq: number, body: string, secret = SECRET): WalRecord {
  return { seq, arrivalTs: T + seq, data: Buffer.from(signedMetaRecordData(body, secret, T), 'base64') };
}

const tap = (id: string) =>
  JSON.stringify(metaWebhook({ taps: [{ id, from: '5511900000001', timestamp: 1_750_000_000, contextId: 'wamid.OUT', kind: 'button_reply', buttonId: 'b1', title: 'One' }] }));

const rowsOf = (data: Buffer) => rowsOfData(data.toString('base64'));

/** The nice value of every thread of this process (Linux /proc: field 19 of each task's stat). */
const threadNices = (): number[] =>
  readdirSync('/proc/self/task').map((tid) => Number(readFileSync(`/proc/self/task/${tid}/stat`, 'utf8').split(') ')[1]!.split(' ')[16]));

describe('workerInvoker', () => {
  const worker = workerInvoker({ metaAppSecret: SECRET, wasenderSecret: null, timeZone: 'UTC', pii: 'raw', piiKey: '', streamName: 'wa-analytics-test', retries: 1, retryDelayMs: 0 });
  afterAll(() => worker.close());

  it('runs the real transform on a worker thread, signatures checked with the given secret', async () => {
    const [good, forged] = await worker.invoke([record(1, tap('wamid.W1')), record(2, tap('wamid.W1'), 'other')]);
    expect(good!.result).toBe('Ok');
    expect(forged!.result).toBe('Ok');
    if (good!.result !== 'Ok' || forged!.result !== 'Ok') return;
    expect(rowsOf(good!.data).map((r) => [r.kind, r.wamid, r.wa_id])).toEqual([['click', 'wamid.W1', '5511900000001']]);
    expect(rowsOf(forged!.data).map((r) => [r.kind, r.reason])).toEqual([['quarantine', 'bad_signature']]);
  });

  it('answers ProcessingFailed, with Firehose error details, for a record that is not an envelope', async () => {
    const outcomes = await worker.invoke([{ seq: 7, arrivalTs: T, data: Buffer.from('not an envelope') }, record(8, tap('wamid.W2'))]);
    expect(outcomes[0]).toEqual({ result: 'ProcessingFailed', errorCode: 'Lambda.ProcessingFailedStatus', errorMessage: 'ProcessingFailed status set for record', attemptsMade: 1, attemptEndingTimestamp: expect.any(Number) });
    expect(outcomes[1]!.result).toBe('Ok');
  });

  it('keeps every record of a large invocation in input order', async () => {
    const records = Array.from({ length: 400 }, (_, i) => record(100 + i, tap(`wamid.M${i}`)));
    const outcomes = await worker.invoke(records);
    const wamids = outcomes.map((o) => (o.result === 'Ok' ? rowsOf(o.data)[0]!.wamid : o.result));
    expect(wamids).toEqual(records.map((_, i) => `wamid.M${i}`));
    // The caller's records are untouched: their bytes were copied into the transferred buffer.
    expect(records[0]!.data.length).toBeGreaterThan(0);
  });

  it('runs the transform thread below the process priority, so acknowledgements come first under load', async () => {
    await worker.invoke([record(10, tap('wamid.W4'))]);
    const base = getPriority();
    const nices = threadNices();
    expect(nices.filter((n) => n === Math.min(19, base + transformThreadNice)).length).toBeGreaterThan(0);
    expect(nices.filter((n) => n === base).length).toBeGreaterThan(0);
  });

  it('delivers a whole batch on the worker: one gzip object per arrival date, failures under the error prefix, partitions reported', async () => {
    const lakeRoot = mkdtempSync(join(tmpdir(), 'wa-worker-lake-'));
    try {
      const day = 86_400_000;
      const batch = [record(20, tap('wamid.D1')), { ...record(21, tap('wamid.D2')), arrivalTs: T + day }, { seq: 22, arrivalTs: T, data: Buffer.from('not an envelope') }];
      const report = await worker.deliver({ records: batch }, { lakeRoot, timeZone: 'UTC', invocationBytes: 1 << 20 });
      expect({ ...report, files: report.files.length }).toEqual({ records: 3, ok: 2, dropped: 0, failed: 1, invocations: 1, files: 3, partitions: ['2025-06-15', '2025-06-16'] });
      const rowsIn = (key: string) =>
        gunzipSync(readFileSync(join(lakeRoot, key)))
          .toString()
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as Record<string, unknown>);
      const inDay = (dt: string) => report.files.filter((f) => f.startsWith(partitionKey('raw_events', dt)));
      expect([...inDay('2025-06-15'), ...inDay('2025-06-16')].map((f) => rowsIn(f).map((r) => r.wamid))).toEqual([['wamid.D1'], ['wamid.D2']]);
      const [error] = report.files.filter((f) => f.startsWith(errorPartitionKey('processing-failed', '2025-06-15')));
      // Gzipped on the worker, one member per object.
      expect(readFileSync(join(lakeRoot, error!)).subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
      expect(rowsIn(error!).map((r) => [r.errorCode, Buffer.from(String(r.rawData), 'base64').toString()])).toEqual([['Lambda.ProcessingFailedStatus', 'not an envelope']]);
      // Delivering the same batch again writes nothing twice.
      expect((await worker.deliver({ records: batch }, { lakeRoot, timeZone: 'UTC', invocationBytes: 1 << 20 })).files).toEqual([]);
    } finally {
      rmSync(lakeRoot, { recursive: true, force: true });
    }
  });

  it('starts a new worker for the next invocation once the old one is gone', async () => {
    await worker.close();
    const [outcome] = await worker.invoke([record(9, tap('wamid.W3'))]);
    expect(outcome!.result).toBe('Ok');
  });
});
