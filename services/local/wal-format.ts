import { crc32 } from 'node:zlib';

/**
 * On-disk format of write-ahead log segments. A segment starts with an 8-byte magic, then frames:
 *
 *   u32 LE  body length (16 + data length)
 *   u32 LE  CRC-32 of the body
 *   body:   u64 LE sequence number · u64 LE arrival time (epoch ms) · data bytes
 *
 * A crash can leave a torn frame at the tail; reading stops at the first frame that is short or
 * fails its CRC, and everything after it in that segment is ignored (the log rolls to a new
 * segment after any failed write, so nothing acknowledged ever follows a torn frame).
 *
 * CRC-32 is Node's zlib.crc32 (native, since Node 20.15; package.json requires >= 20.19), so no
 * table implementation is needed.
 */
export const segmentMagic = Buffer.from('WAWAL001', 'latin1');

const FRAME_HEADER = 8;
const BODY_HEADER = 16;

/** Firehose's record size limit (1,000 KiB before base64); larger frames can only be garbage. */
export const maxRecordBytes = 1000 * 1024;

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

export interface DecodedSegment {
  readonly records: WalRecord[];
  /** Bytes after the last good frame (a torn tail, or a segment without its magic). */
  readonly ignoredBytes: number;
}

/** Decodes a whole segment file, stopping at the first torn or corrupt frame. */
export function decodeSegment(bytes: Buffer): DecodedSegment {
  if (bytes.length < segmentMagic.length || !bytes.subarray(0, segmentMagic.length).equals(segmentMagic)) {
    return { records: [], ignoredBytes: bytes.length };
  }
  const records: WalRecord[] = [];
  let offset = segmentMagic.length;
  while (offset + FRAME_HEADER <= bytes.length) {
    const bodyLength = bytes.readUInt32LE(offset);
    if (bodyLength < BODY_HEADER || bodyLength > BODY_HEADER + maxRecordBytes) break;
    const end = offset + FRAME_HEADER + bodyLength;
    if (end > bytes.length) break;
    const body = bytes.subarray(offset + FRAME_HEADER, end);
    if (crc32(body) !== bytes.readUInt32LE(offset + 4)) break;
    records.push({
      seq: readU64(body, 0),
      arrivalTs: readU64(body, 8),
      // Copy so the segment buffer can be released once decoded.
      data: Buffer.from(body.subarray(BODY_HEADER)),
    });
    offset = end;
  }
  return { records, ignoredBytes: bytes.length - offset };
}
