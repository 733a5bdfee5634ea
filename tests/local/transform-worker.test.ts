import { readdirSync, readFileSync } from 'node:fs';
import { getPriority } from 'node:os';
import { gunzipSync } from 'node:zlib';
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

  it('gzips lake objects on the worker thread: the bytes come back as one gzip member of the input', async () => {
    const lines = Array.from({ length: 2000 }, (_, i) => `{"event_id":"e${i}","kind":"click"}\n`).join('');
    const gzipped = await worker.compress(Buffer.from(lines));
    expect(gzipped.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    expect(gunzipSync(gzipped).toString()).toBe(lines);
    expect(gzipped.length).toBeLessThan(lines.length / 5);
  });

  it('starts a new worker for the next invocation once the old one is gone', async () => {
    await worker.close();
    const [outcome] = await worker.invoke([record(9, tap('wamid.W3'))]);
    expect(outcome!.result).toBe('Ok');
  });
});
