import type { FirehoseTransformationEvent } from 'aws-lambda';
import { buildEvent, invokeTransform, localStreamIdentity, splitInvocations, validateAnswer, type FirehoseTransform } from '../../local/firehose-invocation';
import type { WalRecord } from '../../local/wal-format';
import { fakeTransform, rec } from './delivery-fixtures';

const identity = localStreamIdentity('wa-analytics-local-raw');
const record = (seq: number, data: Buffer, arrivalTs = 1_714_557_600_000): WalRecord => ({ seq, arrivalTs, data });
const options = { identity, retries: 3, retryDelayMs: 0, now: () => 1_714_557_700_000 };

describe('buildEvent', () => {
  it('builds the Firehose event: invocation id, stream ARN, region and base64 records', () => {
    const event = buildEvent([record(5, Buffer.from('{"a":1}'))], identity);
    expect(event.invocationId).toMatch(/^[0-9a-f-]{36}$/);
    expect(event).toMatchObject({
      deliveryStreamArn: 'arn:aws:firehose:local:000000000000:deliverystream/wa-analytics-local-raw',
      region: 'local',
      records: [{ recordId: '5', approximateArrivalTimestamp: 1_714_557_600_000, data: Buffer.from('{"a":1}').toString('base64') }],
    });
  });
});

describe('splitInvocations', () => {
  it('keeps each invocation under 6 MB of event JSON', () => {
    const mb = Buffer.alloc(1_000_000, 0x61);
    const groups = splitInvocations(Array.from({ length: 7 }, (_, i) => record(i + 1, mb)));
    // 1,000,000 bytes are 1,333,336 in base64: four fit in 6 MiB, five do not.
    expect(groups.map((g) => g.map((r) => r.seq))).toEqual([
      [1, 2, 3, 4],
      [5, 6, 7],
    ]);
  });

  it('never makes an empty invocation, even for a record larger than the limit', () => {
    expect(splitInvocations([record(1, Buffer.alloc(100))], 10).map((g) => g.length)).toEqual([1]);
  });
});

describe('validateAnswer', () => {
  const event: FirehoseTransformationEvent = buildEvent([record(1, rec('a')), record(2, rec('b'))], identity);
  const ok = (recordId: string) => ({ recordId, result: 'Ok', data: 'eA==' });

  it.each([
    ['not an object', null, 'Lambda.JsonProcessingException'],
    ['records missing', {}, 'Lambda.JsonProcessingException'],
    ['a record id missing', { records: [ok('1')] }, 'Lambda.MissingRecordId'],
    ['a record id twice', { records: [ok('1'), ok('1'), ok('2')] }, 'Lambda.DuplicatedRecordId'],
    ['an unknown record id', { records: [ok('1'), ok('9')] }, 'Lambda.JsonProcessingException'],
    ['an unknown result', { records: [ok('1'), { recordId: '2', result: 'Fine', data: 'eA==' }] }, 'Lambda.JsonProcessingException'],
    ['Ok data not base64', { records: [ok('1'), { recordId: '2', result: 'Ok', data: 'not base64!' }] }, 'Lambda.JsonProcessingException'],
  ])('rejects an answer with %s', (_name, answer, code) => {
    expect(() => validateAnswer(event, answer)).toThrow(expect.objectContaining({ errorCode: code }));
  });

  it('accepts Ok, Dropped without data and ProcessingFailed', () => {
    const answers = validateAnswer(event, { records: [ok('1'), { recordId: '2', result: 'Dropped' }] });
    expect(answers.get('1')).toEqual({ result: 'Ok', data: Buffer.from('x') });
    expect(answers.get('2')).toEqual({ result: 'Dropped' });
  });
});

describe('invokeTransform', () => {
  const records = [record(1, rec('a')), record(2, rec('b', { fail: true })), record(3, rec('c', { drop: true }))];

  it('maps each record to its outcome, ProcessingFailed with Firehose error code', async () => {
    const outcomes = await invokeTransform(records, fakeTransform(), options);
    expect(outcomes[0]).toEqual({ result: 'Ok', data: Buffer.from('{"event_id":"a","kind":"click","source":"meta","received_ts":1714557600000}\n') });
    expect(outcomes[1]).toEqual({
      result: 'ProcessingFailed',
      errorCode: 'Lambda.ProcessingFailedStatus',
      errorMessage: 'ProcessingFailed status set for record',
      attemptsMade: 1,
      attemptEndingTimestamp: 1_714_557_700_000,
    });
    expect(outcomes[2]).toEqual({ result: 'Dropped' });
  });

  it('retries a throwing transform, then fails every record with the last error', async () => {
    let calls = 0;
    const failing: FirehoseTransform = async () => {
      calls++;
      throw new Error(`boom ${calls}`);
    };
    const outcomes = await invokeTransform(records, failing, { ...options, retries: 2 });
    expect(calls).toBe(3);
    expect(outcomes).toEqual(
      records.map(() => ({ result: 'ProcessingFailed', errorCode: 'Lambda.FunctionError', errorMessage: 'boom 3', attemptsMade: 3, attemptEndingTimestamp: 1_714_557_700_000 })),
    );
  });

  it('succeeds on a retry after a transient failure and counts the attempts', async () => {
    let calls = 0;
    const inner = fakeTransform();
    const flaky: FirehoseTransform = async (event) => {
      calls++;
      if (calls === 1) throw new Error('throttled');
      return inner(event);
    };
    const outcomes = await invokeTransform(records, flaky, options);
    expect(outcomes.map((o) => o.result)).toEqual(['Ok', 'ProcessingFailed', 'Dropped']);
    expect(outcomes[1]).toMatchObject({ attemptsMade: 2 });
  });
});
