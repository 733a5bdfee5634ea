import { FirehoseClient, PutRecordBatchCommand, type PutRecordBatchCommandInput } from '@aws-sdk/client-firehose';
import { mockClient } from 'aws-sdk-client-mock';
import { FirehoseSender, formatSendReport, MAX_BATCH_BYTES } from '../../../cli/ops/firehose-sender';

const firehose = mockClient(FirehoseClient);
const STREAM = 'wa-analytics-prod-raw';

/** Every call answered with success for each record. */
function allOk(): void {
  firehose.on(PutRecordBatchCommand).callsFake((input: PutRecordBatchCommandInput) => ({
    FailedPutCount: 0,
    RequestResponses: input.Records!.map((_r, i) => ({ RecordId: `id-${i}` })),
  }));
}

const calls = () => firehose.commandCalls(PutRecordBatchCommand).map((c) => c.args[0].input);
const record = (text: string) => ({ data: Buffer.from(text), label: text });
const sized = (bytes: number, fill: string) => ({ data: Buffer.alloc(bytes, fill), label: `${fill}:${bytes}` });

function sender(extra: Partial<ConstructorParameters<typeof FirehoseSender>[0]> = {}): { s: FirehoseSender; sleeps: number[] } {
  const sleeps: number[] = [];
  const s = new FirehoseSender({ client: new FirehoseClient({ region: 'us-east-1' }), streamName: STREAM, sleep: async (ms) => void sleeps.push(ms), random: () => 0.5, ...extra });
  return { s, sleeps };
}

beforeEach(() => firehose.reset());

describe('Firehose sender', () => {
  it('sends at most 500 records per PutRecordBatch call, in order', async () => {
    allOk();
    const { s } = sender();
    for (let i = 0; i < 1001; i++) await s.add(record(`r${i}`));
    await s.flush();
    expect(calls().map((c) => c.Records!.length)).toEqual([500, 500, 1]);
    expect(calls()[0]).toEqual({ DeliveryStreamName: STREAM, Records: Array.from({ length: 500 }, (_x, i) => ({ Data: Buffer.from(`r${i}`) })) });
    expect(calls()[2]!.Records).toEqual([{ Data: Buffer.from('r1000') }]);
    expect(s.report).toEqual({ sent: 1001, failed: 0, oversize: [], failuresByCode: {}, calls: 3 });
  });

  it('fills a call up to exactly 4 MiB of record data and starts a new call for the next byte', async () => {
    allOk();
    const { s } = sender();
    // Four records of 1,000,000 bytes plus one of the remaining 194,304: exactly 4 MiB together.
    for (const fill of 'abcd') await s.add(sized(1_000_000, fill));
    await s.add(sized(MAX_BATCH_BYTES - 4_000_000, 'e'));
    await s.add(sized(1, 'f'));
    await s.flush();
    const sizes = calls().map((c) => c.Records!.map((r) => (r.Data as Uint8Array).length));
    expect(sizes).toEqual([[1_000_000, 1_000_000, 1_000_000, 1_000_000, 194_304], [1]]);
    expect(sizes[0]!.reduce((a, b) => a + b)).toBe(4 * 1024 * 1024);
  });

  it('reports a record over the 1,000 KiB limit instead of sending it, and sends one at the limit', async () => {
    allOk();
    const { s } = sender();
    await s.add(sized(1_024_001, 'x'));
    await s.add(sized(1_024_000, 'y'));
    await s.flush();
    expect(calls().map((c) => c.Records!.map((r) => (r.Data as Uint8Array).length))).toEqual([[1_024_000]]);
    expect(s.report.oversize).toEqual(['x:1024001']);
    expect(formatSendReport('replay', s.report)).toBe('replay: sent 1; failed 0; over the 1,000 KiB record limit, not sent 1 (x:1024001)');
  });

  it('retries only the records that failed, with backoff, until they are stored', async () => {
    firehose
      .on(PutRecordBatchCommand)
      .resolvesOnce({
        FailedPutCount: 2,
        RequestResponses: [
          { RecordId: 'a' },
          { ErrorCode: 'ServiceUnavailableException', ErrorMessage: 'Slow down.' },
          { RecordId: 'c' },
          { ErrorCode: 'InternalFailure', ErrorMessage: 'internal' },
        ],
      })
      .resolvesOnce({ FailedPutCount: 1, RequestResponses: [{ RecordId: 'b' }, { ErrorCode: 'ServiceUnavailableException', ErrorMessage: 'Slow down.' }] })
      .resolvesOnce({ FailedPutCount: 0, RequestResponses: [{ RecordId: 'd' }] });
    const { s, sleeps } = sender();
    for (const t of ['a', 'b', 'c', 'd']) await s.add(record(t));
    await s.flush();
    expect(calls().map((c) => c.Records)).toEqual([
      [{ Data: Buffer.from('a') }, { Data: Buffer.from('b') }, { Data: Buffer.from('c') }, { Data: Buffer.from('d') }],
      [{ Data: Buffer.from('b') }, { Data: Buffer.from('d') }],
      [{ Data: Buffer.from('d') }],
    ]);
    // Full jitter with random 0.5: half of 200 ms, then half of 400 ms.
    expect(sleeps).toEqual([100, 200]);
    expect(s.report).toEqual({ sent: 4, failed: 0, oversize: [], failuresByCode: {}, calls: 3 });
  });

  it('gives up on a record after the last attempt and counts it by error code', async () => {
    firehose.on(PutRecordBatchCommand).callsFake((input: PutRecordBatchCommandInput) => ({
      FailedPutCount: input.Records!.length - (input.Records!.length === 2 ? 1 : 0),
      RequestResponses: input.Records!.map((r) => (Buffer.from(r.Data!).toString() === 'ok' ? { RecordId: 'x' } : { ErrorCode: 'ServiceUnavailableException', ErrorMessage: 'Slow down.' })),
    }));
    const { s, sleeps } = sender({ maxAttempts: 3 });
    await s.add(record('ok'));
    await s.add(record('stuck'));
    await s.flush();
    expect(calls().map((c) => c.Records!.length)).toEqual([2, 1, 1]);
    expect(sleeps).toEqual([100, 200]);
    expect(s.report).toEqual({ sent: 1, failed: 1, oversize: [], failuresByCode: { ServiceUnavailableException: 1 }, calls: 3 });
    expect(formatSendReport('replay', s.report)).toBe('replay: sent 1; failed 1 (1×ServiceUnavailableException)');
  });

  it('retries a throttled call as a whole, and stops on a call that cannot succeed, saying how much was sent', async () => {
    const throttled = Object.assign(new Error('Slow down.'), { name: 'ServiceUnavailableException', $metadata: { httpStatusCode: 503 } });
    const missing = Object.assign(new Error('Firehose wa-analytics-prod-raw under account 123 not found.'), { name: 'ResourceNotFoundException', $metadata: { httpStatusCode: 400 } });
    firehose
      .on(PutRecordBatchCommand)
      .rejectsOnce(throttled)
      .resolvesOnce({ FailedPutCount: 0, RequestResponses: [{ RecordId: 'a' }] })
      .rejectsOnce(missing);
    const { s, sleeps } = sender();
    await s.add(record('a'));
    await s.flush();
    await s.add(record('b'));
    await expect(s.flush()).rejects.toThrow(
      'Firehose PutRecordBatch into wa-analytics-prod-raw failed: ResourceNotFoundException: Firehose wa-analytics-prod-raw under account 123 not found.; stopped after 1 record was sent (1 in the failing call and any not yet read were not sent)',
    );
    expect(sleeps).toEqual([100]);
    expect(calls().map((c) => c.Records!.length)).toEqual([1, 1, 1]);
  });
});
