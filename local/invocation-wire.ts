import type { RecordOutcome } from './firehose-invocation';
import type { WalRecord } from './wal-format';

/**
 * Records and outcomes in the shape they cross to and from the transform worker: numbers in typed
 * arrays and every data byte in one buffer, so `postMessage` can transfer the memory instead of
 * cloning thousands of objects and strings (that clone, and the base64 strings of the Firehose
 * event, were the API thread's main cost of a flush).
 */
export interface PackedRecords {
  readonly seqs: Float64Array;
  readonly arrivals: Float64Array;
  /** Record i's data is bytes[offsets[i], offsets[i + 1]). */
  readonly offsets: Uint32Array;
  readonly bytes: Uint8Array;
}

/** Codes of the three Firehose results in {@link PackedOutcomes.results}. */
const resultCodes = { Ok: 0, Dropped: 1, ProcessingFailed: 2 } as const;

type Failure = Extract<RecordOutcome, { result: 'ProcessingFailed' }>;

export interface PackedOutcomes {
  readonly results: Uint8Array;
  /** Ok data of record i is bytes[offsets[i], offsets[i + 1]) (empty for the other results). */
  readonly offsets: Uint32Array;
  readonly bytes: Uint8Array;
  /** Details of the ProcessingFailed outcomes by record index (few; plain objects are fine). */
  readonly failures: ReadonlyArray<readonly [number, Omit<Failure, 'result'>]>;
}

/** The memory `postMessage` should transfer rather than copy. */
export function transferList(packed: PackedRecords | PackedOutcomes): ArrayBuffer[] {
  const buffers = [packed.offsets.buffer, packed.bytes.buffer] as ArrayBuffer[];
  if ('seqs' in packed) buffers.push(packed.seqs.buffer as ArrayBuffer, packed.arrivals.buffer as ArrayBuffer);
  else buffers.push(packed.results.buffer as ArrayBuffer);
  return buffers;
}

function packBytes(parts: readonly Uint8Array[]): { offsets: Uint32Array; bytes: Uint8Array } {
  const offsets = new Uint32Array(parts.length + 1);
  let size = 0;
  parts.forEach((p, i) => {
    offsets[i] = size;
    size += p.length;
  });
  offsets[parts.length] = size;
  // A fresh ArrayBuffer of its own (never Node's shared Buffer pool), so it can be transferred.
  const bytes = new Uint8Array(size);
  parts.forEach((p, i) => {
    bytes.set(p, offsets[i]);
  });
  return { offsets, bytes };
}

function sliceOf(bytes: Uint8Array, offsets: Uint32Array, i: number): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset + offsets[i]!, offsets[i + 1]! - offsets[i]!);
}

/** Packs records for the worker (their data is copied once, into the packed buffer). */
export function packRecords(records: readonly WalRecord[]): PackedRecords {
  const { offsets, bytes } = packBytes(records.map((r) => r.data));
  return { seqs: Float64Array.from(records, (r) => r.seq), arrivals: Float64Array.from(records, (r) => r.arrivalTs), offsets, bytes };
}

/** The records of a pack; their data are views into the pack's buffer, not copies. */
export function unpackRecords(packed: PackedRecords): WalRecord[] {
  return Array.from(packed.seqs, (seq, i) => ({ seq, arrivalTs: packed.arrivals[i]!, data: sliceOf(packed.bytes, packed.offsets, i) }));
}

const empty = new Uint8Array(0);

/** Packs the outcomes of one invocation, in record order. */
export function packOutcomes(outcomes: readonly RecordOutcome[]): PackedOutcomes {
  const failures: [number, Omit<Failure, 'result'>][] = [];
  const results = Uint8Array.from(outcomes, (o, i) => {
    if (o.result === 'ProcessingFailed') {
      const { result: _result, ...details } = o;
      failures.push([i, details]);
    }
    return resultCodes[o.result];
  });
  const { offsets, bytes } = packBytes(outcomes.map((o) => (o.result === 'Ok' ? o.data : empty)));
  return { results, offsets, bytes, failures };
}

/** The outcomes of a pack; Ok data are views into the pack's buffer. */
export function unpackOutcomes(packed: PackedOutcomes): RecordOutcome[] {
  const failed = new Map(packed.failures);
  return Array.from(packed.results, (code, i): RecordOutcome => {
    if (code === resultCodes.Ok) return { result: 'Ok', data: sliceOf(packed.bytes, packed.offsets, i) };
    if (code === resultCodes.Dropped) return { result: 'Dropped' };
    const details = failed.get(i);
    if (code !== resultCodes.ProcessingFailed || details === undefined) throw new Error(`malformed outcome pack at record ${i}`);
    return { result: 'ProcessingFailed', ...details };
  });
}
