import type { RecordOutcome } from '../../local/firehose-invocation';
import { packOutcomes, packRecords, transferList, unpackOutcomes, unpackRecords } from '../../local/invocation-wire';

/** What the other thread receives: a structured clone with the packed memory transferred. */
function crossThreads<T extends object>(packed: T & Parameters<typeof transferList>[0]): T {
  return structuredClone(packed, { transfer: transferList(packed) });
}

describe('invocation-wire', () => {
  it('round-trips records (sequence, arrival time, bytes, empty data included) through a transfer', () => {
    const records = [
      { seq: 2 ** 40 + 1, arrivalTs: 1_750_000_000_123, data: Buffer.from('héllo 🙂') },
      { seq: 2 ** 40 + 2, arrivalTs: 1, data: Buffer.alloc(0) },
      { seq: 2 ** 40 + 3, arrivalTs: 2, data: Buffer.from([0, 255, 10]) },
    ];
    const packed = packRecords(records);
    const back = unpackRecords(crossThreads(packed));
    expect(back.map((r) => [r.seq, r.arrivalTs, r.data.toString('hex')])).toEqual(records.map((r) => [r.seq, r.arrivalTs, r.data.toString('hex')]));
    // Transferred, not copied: the sender's view is detached.
    expect(packed.bytes.byteLength).toBe(0);
  });

  it('round-trips all three outcomes, with the details of ProcessingFailed', () => {
    const outcomes: RecordOutcome[] = [
      { result: 'Ok', data: Buffer.from('{"a":1}\n') },
      { result: 'Dropped' },
      { result: 'ProcessingFailed', errorCode: 'Lambda.FunctionError', errorMessage: 'boom', attemptsMade: 4, attemptEndingTimestamp: 1_750_000_000_999 },
      { result: 'Ok', data: Buffer.alloc(0) },
    ];
    const back = unpackOutcomes(crossThreads(packOutcomes(outcomes)));
    expect(back.map((o) => (o.result === 'Ok' ? { result: 'Ok', data: o.data.toString() } : o))).toEqual(
      outcomes.map((o) => (o.result === 'Ok' ? { result: 'Ok', data: o.data.toString() } : o)),
    );
  });

  it('refuses a pack whose ProcessingFailed record has no details', () => {
    const packed = packOutcomes([{ result: 'ProcessingFailed', errorCode: 'x', errorMessage: 'y', attemptsMade: 1, attemptEndingTimestamp: 0 }]);
    expect(() => unpackOutcomes({ ...packed, failures: [] })).toThrow(/malformed outcome pack at record 0/);
  });
});
