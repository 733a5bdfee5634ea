import { workerInvoker } from '../../local/transform-worker';
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

  it('starts a new worker for the next invocation once the old one is gone', async () => {
    await worker.close();
    const [outcome] = await worker.invoke([record(9, tap('wamid.W3'))]);
    expect(outcome!.result).toBe('Ok');
  });
});
