import { crc32 } from 'node:zlib';

/**
 * On-disk format of write-ahead log segments. A segment starts with an 8-byte magic, then frames:
 *
 *   u32 LE  body length (16 + data length)
 *   u32 LE  CRC-32 of the body
 *   body:   u64 LE sequence number · u64 LE arrival time (epoch ms) · data bytes
 *
 * A crash can leave a torn frame at the tail (the log rolls to a new segment after any failed
 * write, so nothing acknowledged ever follows a torn frame). Damage elsewhere (a bad disk, a
 * stray write) is read past: see decodeSegment.
 *
 * CRC-32 is Node's zlib.crc32 (native, since Node 20.15; package.json requires >= 20.19), so no
 * table implementation is needed.
 */
export const segmentMagic = Buffer.from('WAWAL001', 'latin1');

const FRAME_HEADER = 8;
const BODY_HEADER = 16;

/** Firehose's record size limit (1,000 KiB before base64); larger frames can only be garbage. */
export const maxRecordBytes = 1000 * 1024;

/**
 * Where a run of durable records sits in the log: frames `[start, end)` of one segment file,
 * numbered `firstSeq`…`lastSeq` without gaps, holding `bytes` of record data.
 */
export interface LogSpan {
  readonly path: string;
  readonly start: number;
  readonly end: number;
  readonly firstSeq: number;
  readonly lastSeq: number;
  readonly bytes: number;
}

/** One record of the log. */
export interface WalRecord {
  readonly seq: number;
  /** Firehose's approximateArrivalTimestamp, epoch milliseconds. */
  readonly arrivalTs: number;
  readonly data: Buffer;
}

const TWO_32 = 2 ** 32;

// u64 as two u32 halves: exact for the safe integers used here, and cheaper than BigInt on the hot path.
function writeU64(buf: Buffer, value: number, offset: number): void {
  buf.writeUInt32LE(value % TWO_32, offset);
  buf.writeUInt32LE(Math.floor(value / TWO_32), offset + 4);
}

function readU64(buf: Buffer, offset: number): number {
  return buf.readUInt32LE(offset) + buf.readUInt32LE(offset + 4) * TWO_32;
}

/** Bytes a frame of `dataLength` bytes of data takes in a segment. */
export function frameSize(dataLength: number): number {
  return FRAME_HEADER + BODY_HEADER + dataLength;
}

/**
 * Writes one record as a frame into `target` at `offset` (which must have {@link frameSize}
 * bytes free) and returns the offset after it. The log writes a whole group of frames into one
 * buffer this way, copying each record's data once.
 */
export function writeFrame(target: Buffer, offset: number, seq: number, arrivalTs: number, data: Buffer): number {
  const body = offset + FRAME_HEADER;
  target.writeUInt32LE(BODY_HEADER + data.length, offset);
  writeU64(target, seq, body);
  writeU64(target, arrivalTs, body + 8);
  data.copy(target, body + BODY_HEADER);
  const end = body + BODY_HEADER + data.length;
  target.writeUInt32LE(crc32(target.subarray(body, end)), offset + 4);
  return end;
}

/** Encodes one record as a frame (`seq` and `arrivalTs` are non-negative safe integers). */
export function encodeFrame(seq: number, arrivalTs: number, data: Buffer): Buffer {
  const frame = Buffer.allocUnsafe(frameSize(data.length));
  writeFrame(frame, 0, seq, arrivalTs, data);
  return frame;
}

/** A run of bytes that belong to no good frame. */
export interface UnreadableRun {
  readonly offset: number;
  readonly length: number;
}

export interface DecodedSegment {
  /** Every good frame, in file order (views into the segment's bytes, not copies). */
  readonly records: WalRecord[];
  /** Runs of bad bytes followed by a good frame, or a damaged header: damage, never a torn write. */
  readonly damage: UnreadableRun[];
  /**
   * Bad bytes after the last good frame. A crash during a write leaves such a tail (those bytes
   * were never acknowledged), and so does damage to the last frames; a complete frame whose CRC
   * fails can only be damage, and is counted in `damage` instead.
   */
  readonly tailBytes: number;
  /**
   * Acknowledged records known to be lost: sequence numbers missing between good frames (a
   * segment's records are numbered consecutively), and before the first one (the segment's name
   * gives its first number). A damaged tail can hide more.
   */
  readonly lostRecords: number;
}

const HIGH_LIMIT = 2 ** 21; // a u64 whose high half is below this is a safe integer

/**
 * The frame at `offset` when it is a plausible, intact frame numbered above `afterSeq`: its
 * length within bounds, its sequence number and arrival time safe integers, its CRC right. The
 * checks before the CRC make scanning garbage byte by byte cheap.
 */
function frameAt(bytes: Buffer, offset: number, afterSeq: number): { record: WalRecord; end: number } | null {
  if (offset + FRAME_HEADER + BODY_HEADER > bytes.length) return null;
  const bodyLength = bytes.readUInt32LE(offset);
  if (bodyLength < BODY_HEADER || bodyLength > BODY_HEADER + maxRecordBytes) return null;
  const end = offset + FRAME_HEADER + bodyLength;
  if (end > bytes.length) return null;
  const body = offset + FRAME_HEADER;
  if (bytes.readUInt32LE(body + 4) >= HIGH_LIMIT || bytes.readUInt32LE(body + 12) >= HIGH_LIMIT) return null;
  const seq = readU64(bytes, body);
  if (seq <= afterSeq) return null;
  if (crc32(bytes.subarray(body, end)) !== bytes.readUInt32LE(offset + 4)) return null;
  return { record: { seq, arrivalTs: readU64(bytes, body + 8), data: bytes.subarray(body + BODY_HEADER, end) }, end };
}

/** True when the bytes at `offset` hold a whole frame (by its length) that is not intact. */
function wholeBadFrameAt(bytes: Buffer, offset: number): boolean {
  if (offset + FRAME_HEADER > bytes.length) return false;
  const bodyLength = bytes.readUInt32LE(offset);
  return bodyLength >= BODY_HEADER && bodyLength <= BODY_HEADER + maxRecordBytes && offset + FRAME_HEADER + bodyLength === bytes.length;
}

/**
 * Decodes a whole segment, resynchronising past damage: where a frame is bad (short, wrong
 * length, failed CRC) the decoder scans forward byte by byte for the next intact frame, so one
 * bad byte costs the frame it is in, not the rest of the segment. A damaged header is scanned
 * past the same way. `firstSeq` is the number in the segment's name (0 when unknown).
 */
export function decodeSegment(bytes: Buffer, firstSeq = 0): DecodedSegment {
  const records: WalRecord[] = [];
  const damage: UnreadableRun[] = [];
  let lostRecords = 0;
  let offset = 0;
  let badFrom: number | null = null;
  const magic = segmentMagic.length;
  if (bytes.length >= magic && bytes.subarray(0, magic).equals(segmentMagic)) offset = magic;
  else if (bytes.length < magic && segmentMagic.subarray(0, bytes.length).equals(bytes)) return { records, damage, tailBytes: bytes.length, lostRecords };
  else badFrom = 0;
  let lastSeq = Math.max(0, firstSeq - 1);
  while (offset < bytes.length) {
    const frame = frameAt(bytes, offset, lastSeq);
    if (frame === null) {
      badFrom ??= offset;
      offset++;
      continue;
    }
    if (badFrom !== null) {
      damage.push({ offset: badFrom, length: offset - badFrom });
      badFrom = null;
    }
    if (firstSeq > 0 || records.length > 0) lostRecords += frame.record.seq - lastSeq - 1;
    records.push(frame.record);
    lastSeq = frame.record.seq;
    offset = frame.end;
  }
  let tailBytes = 0;
  if (badFrom !== null) {
    // From 0 means the header itself was bad: damage, like a whole frame that fails its CRC.
    if (badFrom === 0 || wholeBadFrameAt(bytes, badFrom)) damage.push({ offset: badFrom, length: bytes.length - badFrom });
    else tailBytes = bytes.length - badFrom;
  }
  return { records, damage, tailBytes, lostRecords };
}

/**
 * The records of a span read back from its segment: exactly the frames it names, intact and
 * numbered without gaps, or null when the bytes are not that (the file changed under the log).
 * Data are views into `bytes`.
 */
export function decodeSpan(bytes: Buffer, span: LogSpan): WalRecord[] | null {
  const records: WalRecord[] = [];
  let offset = 0;
  for (let seq = span.firstSeq; seq <= span.lastSeq; seq++) {
    const frame = frameAt(bytes, offset, seq - 1);
    if (frame === null || frame.record.seq !== seq) return null;
    records.push(frame.record);
    offset = frame.end;
  }
  return offset === bytes.length ? records : null;
}
