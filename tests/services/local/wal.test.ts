import { appendFile, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { StorageError } from '../../../shared/errors';
import { WriteAheadLog } from '../../../services/local/wal';
import { decodeSegment, encodeFrame, segmentMagic } from '../../../services/local/wal-format';
import { CountingWalFs, removeDir, tempDir } from './delivery-fixtures';

let dir: string;
beforeEach(async () => {
  dir = await tempDir();
});
afterEach(async () => {
  await removeDir(dir);
});

const segments = async () => (await readdir(dir)).filter((n) => n.endsWith('.log')).sort();

describe('wal-format', () => {
  it('round-trips frames with sequence, arrival time and data', () => {
    const bigSeq = 2 ** 40 + 7;
    const bytes = Buffer.concat([segmentMagic, encodeFrame(bigSeq, 1_714_557_600_123, Buffer.from('héllo')), encodeFrame(bigSeq + 1, 1, Buffer.alloc(0))]);
    const decoded = decodeSegment(bytes);
    expect(decoded.ignoredBytes).toBe(0);
    expect(decoded.records.map((r) => [r.seq, r.arrivalTs, r.data.toString('utf8')])).toEqual([
      [bigSeq, 1_714_557_600_123, 'héllo'],
      [bigSeq + 1, 1, ''],
    ]);
  });

  it('stops at a frame whose CRC does not match', () => {
    const good = encodeFrame(1, 10, Buffer.from('a'));
    const bad = encodeFrame(2, 20, Buffer.from('b'));
    bad[bad.length - 1] ^= 0xff;
    const decoded = decodeSegment(Buffer.concat([segmentMagic, good, bad, encodeFrame(3, 30, Buffer.from('c'))]));
    expect(decoded.records.map((r) => r.seq)).toEqual([1]);
    expect(decoded.ignoredBytes).toBe(bad.length + encodeFrame(3, 30, Buffer.from('c')).length);
  });
});

describe('WriteAheadLog', () => {
  it('group-commits concurrent appends: 2000 appends share 2 durable writes', async () => {
    const fs = new CountingWalFs();
    const { wal } = await WriteAheadLog.open({ dir, fs });
    const records = await Promise.all(Array.from({ length: 2000 }, (_, i) => wal.append(Buffer.from(`r${i}`), 1000 + i)));
    // The first append is written alone; the 1999 that queue up behind its fsync go in one group.
    expect(fs.syncs).toBe(2);
    expect(wal.stats).toEqual({ appends: 2000, syncs: 2, failedWrites: 0 });
    expect(records.map((r) => r.seq)).toEqual(Array.from({ length: 2000 }, (_, i) => i + 1));
    await wal.close();
  });

  it('calls onDurable in sequence order before the appends resolve', async () => {
    const seen: number[] = [];
    const { wal } = await WriteAheadLog.open({ dir, onDurable: (records) => seen.push(...records.map((r) => r.seq)) });
    const first = await Promise.all([wal.append(Buffer.from('a'), 1), wal.append(Buffer.from('b'), 2), wal.append(Buffer.from('c'), 3)]);
    expect(seen).toEqual([1, 2, 3]);
    expect(first.map((r) => r.seq)).toEqual([1, 2, 3]);
    await wal.close();
  });

  it('returns every record after the checkpoint when reopened', async () => {
    const { wal } = await WriteAheadLog.open({ dir });
    await Promise.all(['a', 'b', 'c'].map((s, i) => wal.append(Buffer.from(s), 100 + i)));
    await wal.commit({ flushed: 1, inflight: null });
    await wal.close();
    const reopened = await WriteAheadLog.open({ dir });
    expect(reopened.checkpoint).toEqual({ flushed: 1, inflight: null });
    expect(reopened.unflushed.map((r) => [r.seq, r.arrivalTs, r.data.toString()])).toEqual([
      [2, 101, 'b'],
      [3, 102, 'c'],
    ]);
    await reopened.wal.close();
  });

  it('ignores a torn tail and never appends after it', async () => {
    const { wal } = await WriteAheadLog.open({ dir });
    for (const s of ['a', 'b', 'c']) await wal.append(Buffer.from(s), 5);
    await wal.close();
    const [segment] = await segments();
    // A crash in the middle of a write: the first 10 bytes of the next frame.
    await appendFile(join(dir, segment!), encodeFrame(4, 5, Buffer.from('torn')).subarray(0, 10));

    const reopened = await WriteAheadLog.open({ dir });
    expect(reopened.unflushed.map((r) => r.data.toString())).toEqual(['a', 'b', 'c']);
    expect(reopened.ignoredBytes).toBe(10);
    const next = await reopened.wal.append(Buffer.from('d'), 6);
    expect(next.seq).toBe(4);
    await reopened.wal.close();
    expect(await segments()).toHaveLength(2);

    const again = await WriteAheadLog.open({ dir });
    expect(again.unflushed.map((r) => r.data.toString())).toEqual(['a', 'b', 'c', 'd']);
    await again.wal.close();
  });

  it('numbers new records above a segment whose frames are all torn', async () => {
    await writeFile(join(dir, 'wal-0000000000000009.log'), Buffer.concat([segmentMagic, Buffer.from([1, 2, 3])]));
    const { wal, unflushed } = await WriteAheadLog.open({ dir });
    expect(unflushed).toEqual([]);
    expect((await wal.append(Buffer.from('x'), 1)).seq).toBe(10);
    await wal.close();
  });

  it('rejects a failed append with StorageError and keeps working in a new segment', async () => {
    const fs = new CountingWalFs();
    const { wal } = await WriteAheadLog.open({ dir, fs });
    await wal.append(Buffer.from('ok-1'), 1);
    fs.failWrites = 1;
    const failed = wal.append(Buffer.from('lost'), 2);
    await expect(failed).rejects.toBeInstanceOf(StorageError);
    await expect(failed).rejects.toThrow('write-ahead log append failed: ENOSPC: no space left on device, write');
    await wal.append(Buffer.from('ok-2'), 3);
    await wal.close();
    expect(await segments()).toHaveLength(2);
    const reopened = await WriteAheadLog.open({ dir });
    expect(reopened.unflushed.map((r) => r.data.toString())).toEqual(['ok-1', 'ok-2']);
    await reopened.wal.close();
  });

  it('deletes segments whose records are all checkpointed, keeping the one being written', async () => {
    const { wal } = await WriteAheadLog.open({ dir, segmentBytes: 1 });
    for (const s of ['a', 'b', 'c']) await wal.append(Buffer.from(s), 1);
    expect(await segments()).toEqual(['wal-0000000000000001.log', 'wal-0000000000000002.log', 'wal-0000000000000003.log']);
    await wal.commit({ flushed: 2, inflight: { first: 3, last: 3 } });
    expect(await segments()).toHaveLength(3);
    await wal.commit({ flushed: 3, inflight: null });
    expect(await segments()).toEqual(['wal-0000000000000003.log']);
    expect(JSON.parse(await readFile(join(dir, 'checkpoint.json'), 'utf8'))).toEqual({ flushed: 3, inflight: null });
    await wal.close();
  });

  it('deletes the segment it was writing on close once every record in it is checkpointed', async () => {
    const { wal } = await WriteAheadLog.open({ dir });
    for (const s of ['a', 'b']) await wal.append(Buffer.from(s), 1);
    await wal.commit({ flushed: 2, inflight: null });
    expect(await segments()).toEqual(['wal-0000000000000001.log']);
    await wal.close();
    expect(await segments()).toEqual([]);
  });

  it('keeps on close a segment with records above the checkpoint, or while a batch is in flight', async () => {
    const first = await WriteAheadLog.open({ dir });
    for (const s of ['a', 'b']) await first.wal.append(Buffer.from(s), 1);
    await first.wal.commit({ flushed: 1, inflight: null });
    await first.wal.close();
    expect(await segments()).toEqual(['wal-0000000000000001.log']);
    const second = await WriteAheadLog.open({ dir });
    expect(second.unflushed.map((r) => r.data.toString())).toEqual(['b']);
    await second.wal.commit({ flushed: 1, inflight: { first: 2, last: 2 } });
    await second.wal.close();
    expect(await segments()).toEqual(['wal-0000000000000001.log']);
  });

  it('writes segments and the checkpoint owner-only (0600) in a 0700 folder', async () => {
    const logDir = join(dir, 'wal');
    const { wal } = await WriteAheadLog.open({ dir: logDir });
    await wal.append(Buffer.from('a body with a name in it'), 1);
    await wal.commit({ flushed: 0, inflight: null });
    expect((await stat(logDir)).mode & 0o777).toBe(0o700);
    for (const name of await readdir(logDir)) expect([name, (await stat(join(logDir, name))).mode & 0o777]).toEqual([name, 0o600]);
    await wal.close();
  });

  it('rejects appends after close', async () => {
    const { wal } = await WriteAheadLog.open({ dir });
    await wal.close();
    await expect(wal.append(Buffer.from('x'), 1)).rejects.toBeInstanceOf(StorageError);
  });
});
