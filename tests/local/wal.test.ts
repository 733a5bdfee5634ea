import fc from 'fast-check';
import { appendFile, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { StorageError } from '../../shared/errors';
import { WriteAheadLog } from '../../local/wal';
import { decodeSegment, encodeFrame, frameSize, segmentMagic, type LogSpan, type WalRecord } from '../../local/wal-format';
import { readLogSpans } from '../../local/wal-segments';
import { realisticMetaBodies } from '../support/webhooks';
import { CountingWalFs, removeDir, tempDir } from './delivery-fixtures';

let dir: string;
beforeEach(async () => {
  dir = await tempDir();
});
afterEach(async () => {
  await removeDir(dir);
});

/** Opens the log and reads what it holds above the checkpoint (as the stream's recovery does). */
async function reopen(options: { dir: string } = { dir }) {
  const opened = await WriteAheadLog.open(options);
  const unflushed: WalRecord[] = [];
  for await (const r of opened.wal.recover()) unflushed.push(r);
  return { ...opened, unflushed, recovery: opened.wal.recovery };
}

const segments = async () => (await readdir(dir)).filter((n) => n.endsWith('.log')).sort();

describe('wal-format', () => {
  it('round-trips frames with sequence, arrival time and data', () => {
    const bigSeq = 2 ** 40 + 7;
    const bytes = Buffer.concat([segmentMagic, encodeFrame(bigSeq, 1_714_557_600_123, Buffer.from('héllo')), encodeFrame(bigSeq + 1, 1, Buffer.alloc(0))]);
    const decoded = decodeSegment(bytes);
    expect(decoded).toMatchObject({ damage: [], tailBytes: 0, lostRecords: 0 });
    expect(decoded.records.map((r) => [r.seq, r.arrivalTs, r.data.toString('utf8')])).toEqual([
      [bigSeq, 1_714_557_600_123, 'héllo'],
      [bigSeq + 1, 1, ''],
    ]);
  });

  it('reads past a frame whose CRC does not match, counting its bytes and its record as lost', () => {
    const good = encodeFrame(1, 10, Buffer.from('a'));
    const bad = encodeFrame(2, 20, Buffer.from('b'));
    bad[bad.length - 1] ^= 0xff;
    const decoded = decodeSegment(Buffer.concat([segmentMagic, good, bad, encodeFrame(3, 30, Buffer.from('c'))]), 1);
    expect(decoded.records.map((r) => r.seq)).toEqual([1, 3]);
    expect(decoded.damage).toEqual([{ offset: segmentMagic.length + good.length, length: bad.length }]);
    expect(decoded.lostRecords).toBe(1);
    expect(decoded.tailBytes).toBe(0);
  });

  it('reads the frames of a segment whose header is damaged', () => {
    const frames = [encodeFrame(5, 10, Buffer.from('a')), encodeFrame(6, 11, Buffer.from('b'))];
    const bytes = Buffer.concat([segmentMagic, ...frames]);
    bytes[2] ^= 0x01;
    const decoded = decodeSegment(bytes, 5);
    expect(decoded.records.map((r) => r.data.toString())).toEqual(['a', 'b']);
    expect(decoded.damage).toEqual([{ offset: 0, length: segmentMagic.length }]);
    expect(decoded.lostRecords).toBe(0);
  });

  it('tells a write cut short at the end (never acknowledged) from a last frame that is whole but damaged', () => {
    const frames = [encodeFrame(1, 10, Buffer.from('a')), encodeFrame(2, 11, Buffer.from('bb'))];
    const torn = decodeSegment(Buffer.concat([segmentMagic, frames[0]!, frames[1]!.subarray(0, 12)]), 1);
    expect(torn).toMatchObject({ damage: [], tailBytes: 12 });
    const whole = Buffer.concat([segmentMagic, ...frames]);
    whole[whole.length - 1] ^= 0x10;
    const damaged = decodeSegment(whole, 1);
    expect(damaged.records.map((r) => r.seq)).toEqual([1]);
    expect(damaged).toMatchObject({ damage: [{ offset: segmentMagic.length + frames[0]!.length, length: frames[1]!.length }], tailBytes: 0 });
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
    const { wal } = await WriteAheadLog.open({ dir, onDurable: (span) => { for (let seq = span.firstSeq; seq <= span.lastSeq; seq++) seen.push(seq); } });
    const first = await Promise.all([wal.append(Buffer.from('a'), 1), wal.append(Buffer.from('b'), 2), wal.append(Buffer.from('c'), 3)]);
    expect(seen).toEqual([1, 2, 3]);
    expect(first.map((r) => r.seq)).toEqual([1, 2, 3]);
    await wal.close();
  });

  it('reports where each durable group is, and reads the records back from those spans', async () => {
    const spans: LogSpan[] = [];
    const { wal } = await WriteAheadLog.open({ dir, segmentBytes: 300, onDurable: (span) => spans.push(span) });
    const bodies = Array.from({ length: 12 }, (_, i) => Buffer.from(`{"n":${i},"pad":"${'x'.repeat(40 + i)}"}`));
    // Three groups of four; the small segment size makes later groups roll to new segments.
    for (let g = 0; g < 3; g++) await Promise.all(bodies.slice(4 * g, 4 * g + 4).map((b, i) => wal.append(b, 1000 + 4 * g + i)));
    // One span per group write (the first append is written alone while the rest queue), covering 1…12 without gaps.
    expect(spans.map((s) => s.firstSeq)).toEqual([1, ...spans.slice(0, -1).map((s) => s.lastSeq + 1)]);
    expect(spans[spans.length - 1]!.lastSeq).toBe(12);
    expect(new Set(spans.map((s) => s.path)).size).toBeGreaterThan(1);
    expect(spans[0]!.start).toBe(segmentMagic.length);
    expect(spans.map((s) => s.bytes)).toEqual(spans.map((s) => bodies.slice(s.firstSeq - 1, s.lastSeq).reduce((n, b) => n + b.length, 0)));
    const records = await readLogSpans(spans);
    expect(records.map((r) => [r.seq, r.arrivalTs, r.data.toString()])).toEqual(bodies.map((b, i) => [i + 1, 1000 + i, b.toString()]));
    await wal.close();
  });

  it('refuses a span that no longer reads back as the frames it names', async () => {
    const spans: LogSpan[] = [];
    const { wal } = await WriteAheadLog.open({ dir, onDurable: (span) => spans.push(span) });
    await Promise.all(['a', 'b'].map((s, i) => wal.append(Buffer.from(s), i)));
    const file = await readFile(spans[0]!.path);
    file[spans[0]!.end - 1] ^= 0xff;
    await writeFile(spans[0]!.path, file);
    await expect(readLogSpans(spans)).rejects.toThrow(StorageError);
    await expect(readLogSpans([{ ...spans[0]!, lastSeq: 3 }])).rejects.toThrow(/do not read back as written/);
    await wal.close();
  });

  it('returns every record after the checkpoint when reopened', async () => {
    const { wal } = await WriteAheadLog.open({ dir });
    await Promise.all(['a', 'b', 'c'].map((s, i) => wal.append(Buffer.from(s), 100 + i)));
    await wal.commit({ flushed: 1, inflight: null });
    await wal.close();
    const reopened = await reopen();
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

    const reopened = await reopen();
    expect(reopened.unflushed.map((r) => r.data.toString())).toEqual(['a', 'b', 'c']);
    expect(reopened.recovery).toEqual({ records: 3, tornBytes: 10, damaged: [] });
    const next = await reopened.wal.append(Buffer.from('d'), 6);
    expect(next.seq).toBe(4);
    await reopened.wal.close();
    expect(await segments()).toHaveLength(2);

    const again = await reopen();
    expect(again.unflushed.map((r) => r.data.toString())).toEqual(['a', 'b', 'c', 'd']);
    await again.wal.close();
  });

  it('numbers new records above a segment whose frames are all torn', async () => {
    await writeFile(join(dir, 'wal-0000000000000009.log'), Buffer.concat([segmentMagic, Buffer.from([1, 2, 3])]));
    const { wal, unflushed } = await reopen();
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
    const reopened = await reopen();
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
    const unflushed: string[] = [];
    for await (const r of second.wal.recover()) unflushed.push(r.data.toString());
    expect(unflushed).toEqual(['b']);
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

describe('recovery past damage', () => {
  /** A real log: signed-webhook-sized records appended in concurrent groups over several segments. */
  async function writeRealLog(target: string): Promise<{ files: Map<string, Buffer>; records: Map<number, WalRecord> }> {
    await mkdir(target, { recursive: true });
    const { wal } = await WriteAheadLog.open({ dir: target, segmentBytes: 16 * 1024 });
    const bodies = realisticMetaBodies(48 * 1024, 7);
    const records = new Map<number, WalRecord>();
    for (let i = 0; i < bodies.length; i += 9) {
      const group = await Promise.all(bodies.slice(i, i + 9).map((b, j) => wal.append(Buffer.from(b), 1_763_000_000_000 + i + j)));
      for (const r of group) records.set(r.seq, r);
    }
    await wal.close();
    const files = new Map<string, Buffer>();
    for (const name of (await readdir(target)).filter((n) => n.endsWith('.log'))) files.set(name, await readFile(join(target, name)));
    return { files, records };
  }

  /** Byte extent of every frame in a clean segment, by sequence number. */
  function frameExtents(bytes: Buffer, firstSeq: number): Array<{ seq: number; start: number; end: number }> {
    const out = [];
    let offset = segmentMagic.length;
    for (const r of decodeSegment(bytes, firstSeq).records) {
      out.push({ seq: r.seq, start: offset, end: offset + frameSize(r.data.length) });
      offset += frameSize(r.data.length);
    }
    return out;
  }

  it('delivers every intact frame exactly once whatever bytes are flipped, and reports the damage', async () => {
    const { files, records } = await writeRealLog(join(dir, 'clean'));
    const names = [...files.keys()].sort();
    expect(names.length).toBeGreaterThanOrEqual(3);
    const flip = fc.record({ segment: fc.nat(), position: fc.nat(), mask: fc.integer({ min: 1, max: 255 }) });
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(flip, { minLength: 1, maxLength: 6 }), async (flips) => {
        const target = join(dir, `run-${run++}`);
        await mkdir(target);
        const touched = new Map<string, Set<number>>();
        for (const name of names) {
          const bytes = Buffer.from(files.get(name)!);
          const hits = new Set<number>();
          for (const f of flips.filter((x) => names[x.segment % names.length] === name)) {
            const at = f.position % bytes.length;
            bytes[at] ^= f.mask;
            hits.add(at);
          }
          touched.set(name, hits);
          await writeFile(join(target, name), bytes);
        }
        const intact = new Set<number>();
        for (const name of names) {
          const hits = touched.get(name)!;
          for (const e of frameExtents(files.get(name)!, Number(name.slice(4, 20)))) {
            if (![...hits].some((at) => at >= e.start && at < e.end)) intact.add(e.seq);
          }
        }
        const { unflushed, recovery, wal } = await reopen({ dir: target });
        await wal.close();
        const seqs = unflushed.map((r) => r.seq);
        expect(new Set(seqs).size).toBe(seqs.length);
        for (const r of unflushed) {
          expect(r.data.equals(records.get(r.seq)!.data)).toBe(true);
          expect(r.arrivalTs).toBe(records.get(r.seq)!.arrivalTs);
        }
        for (const seq of intact) expect(seqs).toContain(seq);
        expect(recovery.damaged.length > 0 || recovery.tornBytes > 0).toBe(true);
        const lost = recovery.damaged.reduce((n, d) => n + d.lostRecords, 0);
        expect(lost).toBeLessThanOrEqual(records.size - intact.size);
      }),
      { numRuns: 60, seed: 20261 },
    );
  });

  it('moves a damaged segment to wal/corrupt/ once its intact records are delivered, instead of deleting it', async () => {
    const { wal } = await WriteAheadLog.open({ dir, segmentBytes: 1 });
    for (const s of ['first', 'second', 'third']) await wal.append(Buffer.from(s), 1);
    await wal.close();
    // Damage the middle record's frame of a three-frame segment.
    const name = 'wal-0000000000000010.log';
    const bad = encodeFrame(11, 5, Buffer.from('y'));
    bad[bad.length - 1] ^= 0x01;
    await writeFile(join(dir, name), Buffer.concat([segmentMagic, encodeFrame(10, 5, Buffer.from('x')), bad, encodeFrame(12, 5, Buffer.from('z'))]));
    const reopened = await reopen();
    expect(reopened.unflushed.map((r) => r.data.toString())).toEqual(['first', 'second', 'third', 'x', 'z']);
    expect(reopened.recovery.damaged).toEqual([{ path: join(dir, name), keptAt: join(dir, 'corrupt', name), unreadableBytes: frameSize(1), lostRecords: 1, readRecords: 2 }]);
    await reopened.wal.commit({ flushed: 12, inflight: null });
    await reopened.wal.close();
    expect(await segments()).toEqual([]);
    expect(await readdir(join(dir, 'corrupt'))).toEqual([name]);
  });
});
