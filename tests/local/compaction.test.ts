import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { LocalCatalog } from '../../shared/adapters/local/catalog';
import { objectName } from '../../shared/adapters/local/lake-files';
import { compactDay, compactLake, type CompactionStep } from '../../local/compaction';
import { writeCheckpoint } from '../../local/checkpoint';
import { queryRows, removeTempDirs, runCli, spawnStart, tempDir } from './stack-helpers';

afterAll(removeTempDirs);

const STREAM = 'wa-analytics-local-raw';
const dayDir = (dataDir: string, dt: string) => join(dataDir, 'lake', 'raw', 'events', `dt=${dt}`);

/**
 * Writes `files` raw objects of `rows` rows each into day `dt`, named as the stream names them,
 * with consecutive sequence numbers from `firstSeq`; registers the partition. Returns the last seq.
 */
async function plantDay(dataDir: string, dt: string, files: number, rows: number, firstSeq = 1): Promise<number> {
  const dir = dayDir(dataDir, dt);
  await mkdir(dir, { recursive: true });
  const t0 = Date.parse(`${dt}T00:00:00Z`);
  let seq = firstSeq;
  for (let f = 0; f < files; f++) {
    const lines = Array.from({ length: rows }, (_, r) => `${JSON.stringify({ event_id: `${dt}:${seq + r}`, kind: 'click', source: 'meta', received_ts: t0 + (seq + r) * 1000 })}\n`);
    await writeFile(join(dir, objectName(STREAM, t0 + seq * 1000, seq, seq + rows - 1)), gzipSync(lines.join('')));
    seq += rows;
  }
  await (await LocalCatalog.open(dataDir)).registerPartitions('raw_events', [dt]);
  return seq - 1;
}

/** The rows of a day in the order the engine reads them (no ORDER BY: file order, then row order). */
const dayRows = async (dataDir: string, dt: string) => (await queryRows(dataDir, `SELECT event_id FROM raw_events WHERE dt = '${dt}'`)).map((r) => String(r.event_id));
const visible = async (dataDir: string, dt: string) => (await readdir(dayDir(dataDir, dt))).filter((n) => !n.startsWith('.')).sort();

describe('compactDay', () => {
  it('merges a closed day into one object with the same rows in the same order, and a second run changes nothing', async () => {
    const dataDir = tempDir();
    const last = await plantDay(dataDir, '2024-05-01', 60, 7);
    const before = await dayRows(dataDir, '2024-05-01');
    expect(before).toHaveLength(420);
    const lakeRoot = join(dataDir, 'lake');
    const first = await compactDay('2024-05-01', { lakeRoot, flushed: last });
    expect(first).toEqual({ dt: '2024-05-01', merged: 60, written: 1, cleaned: 0 });
    const files = await visible(dataDir, '2024-05-01');
    expect(files).toEqual([`${STREAM}-1-2024-05-01-00-00-01-000000000001-000000000420-merged.gz`]);
    expect(await dayRows(dataDir, '2024-05-01')).toEqual(before);
    const bytes = await readFile(join(dayDir(dataDir, '2024-05-01'), files[0]!));
    expect(await compactDay('2024-05-01', { lakeRoot, flushed: last })).toEqual({ dt: '2024-05-01', merged: 0, written: 0, cleaned: 0 });
    expect((await readFile(join(dayDir(dataDir, '2024-05-01'), files[0]!))).equals(bytes)).toBe(true);
  });

  it('splits a big day into several merged objects, keeping the order across them', async () => {
    const dataDir = tempDir();
    const last = await plantDay(dataDir, '2024-05-01', 40, 50);
    const before = await dayRows(dataDir, '2024-05-01');
    const size = (await readFile(join(dayDir(dataDir, '2024-05-01'), (await visible(dataDir, '2024-05-01'))[0]!))).length;
    const result = await compactDay('2024-05-01', { lakeRoot: join(dataDir, 'lake'), flushed: last, mergeBytes: size * 10 });
    // About ten inputs per merged object (the inputs differ a little in size).
    expect(result.written).toBeGreaterThanOrEqual(3);
    expect(result.written).toBeLessThanOrEqual(5);
    expect(await visible(dataDir, '2024-05-01')).toHaveLength(result.written);
    expect(await dayRows(dataDir, '2024-05-01')).toEqual(before);
  });

  it('merges objects that arrived after a compaction into a further merged object, never rewriting the first', async () => {
    const dataDir = tempDir();
    const lakeRoot = join(dataDir, 'lake');
    const mid = await plantDay(dataDir, '2024-05-01', 10, 3);
    await compactDay('2024-05-01', { lakeRoot, flushed: mid });
    const last = await plantDay(dataDir, '2024-05-01', 5, 3, mid + 1);
    const before = await dayRows(dataDir, '2024-05-01');
    expect(await compactDay('2024-05-01', { lakeRoot, flushed: last })).toMatchObject({ merged: 5, written: 1 });
    expect(await visible(dataDir, '2024-05-01')).toEqual([
      `${STREAM}-1-2024-05-01-00-00-01-000000000001-000000000030-merged.gz`,
      `${STREAM}-1-2024-05-01-00-00-31-000000000031-000000000045-merged.gz`,
    ]);
    expect(await dayRows(dataDir, '2024-05-01')).toEqual(before);
  });

  it('leaves alone a day holding objects of a delivery that is not checkpointed', async () => {
    const dataDir = tempDir();
    const last = await plantDay(dataDir, '2024-05-01', 5, 2);
    expect(await compactDay('2024-05-01', { lakeRoot: join(dataDir, 'lake'), flushed: last - 2 })).toEqual({ dt: '2024-05-01', merged: 0, written: 0, cleaned: 0, skipped: 'delivery-in-progress' });
    expect(await visible(dataDir, '2024-05-01')).toHaveLength(5);
  });

  it.each<CompactionStep>(['merged-written', 'merged-visible', 'inputs-deleted'])('shows the same rows, no duplicates, when a merge stops after %s, and the next run finishes it', async (step) => {
    const dataDir = tempDir();
    const lakeRoot = join(dataDir, 'lake');
    const last = await plantDay(dataDir, '2024-05-01', 30, 4);
    const before = await dayRows(dataDir, '2024-05-01');
    const crash = (at: CompactionStep) => {
      if (at === step) throw new Error(`crash after ${at}`);
    };
    await expect(compactDay('2024-05-01', { lakeRoot, flushed: last, mergeBytes: 1 << 30, onStep: crash })).rejects.toThrow(`crash after ${step}`);
    expect(await dayRows(dataDir, '2024-05-01')).toEqual(before);
    const again = await compactDay('2024-05-01', { lakeRoot, flushed: last });
    // Stopped before the end, the next run has work left: a temp file or superseded inputs to remove, or the merge itself.
    if (step !== 'inputs-deleted') expect(again.written + again.cleaned).toBeGreaterThan(0);
    expect(await dayRows(dataDir, '2024-05-01')).toEqual(before);
    expect(await readdir(dayDir(dataDir, '2024-05-01'))).toEqual([`${STREAM}-1-2024-05-01-00-00-01-000000000001-000000000120-merged.gz`]);
  });
});

describe('compactLake', () => {
  it('compacts only days before today', async () => {
    const dataDir = tempDir();
    await plantDay(dataDir, '2024-05-01', 3, 1);
    const last = await plantDay(dataDir, '2024-05-02', 3, 1, 4);
    const done = await compactLake(['2024-05-02', '2024-05-01'], '2024-05-02', { lakeRoot: join(dataDir, 'lake'), flushed: last });
    expect(done.map((d) => [d.dt, d.written])).toEqual([['2024-05-01', 1]]);
    expect(await visible(dataDir, '2024-05-02')).toHaveLength(3);
  });
});

describe('wa-analytics compact as a process', () => {
  it('killed with SIGKILL in the middle of a compaction, leaves the same rows and no duplicates; run again, it finishes', async () => {
    const dataDir = tempDir();
    const days = ['2024-05-01', '2024-05-02', '2024-05-03', '2024-05-04'];
    let seq = 0;
    for (const dt of days) seq = await plantDay(dataDir, dt, 300, 20, seq + 1);
    await mkdir(join(dataDir, 'wal'));
    await writeCheckpoint(join(dataDir, 'wal'), { flushed: seq, inflight: null });
    const sql = 'SELECT event_id FROM raw_events';
    const before = await queryRows(dataDir, sql);
    expect(before).toHaveLength(4 * 300 * 20);

    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, ['bin/wa-analytics.cjs', 'compact', '--data-dir', dataDir], { cwd: join(__dirname, '../..'), stdio: 'ignore' });
    const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
    // Kill as soon as the first merged object (or its temp file) exists: the merge is under way.
    const deadline = Date.now() + 30_000;
    let killedMidway = false;
    while (Date.now() < deadline) {
      const names = (await Promise.all(days.map((dt) => readdir(dayDir(dataDir, dt))))).flat();
      if (names.some((n) => n.includes('-merged.gz'))) {
        killedMidway = child.kill('SIGKILL');
        break;
      }
      await new Promise((r) => setTimeout(r, 2));
    }
    await exited;
    expect(killedMidway).toBe(true);
    // Not every day was merged: the kill was in the middle.
    expect((await readdir(dayDir(dataDir, days[3]!))).length).toBeGreaterThan(1);
    const afterKill = await queryRows(dataDir, sql);
    expect(afterKill).toEqual(before);

    const finished = await runCli(['compact', '--data-dir', dataDir], {});
    expect(finished.code).toBe(0);
    expect(finished.stdout).toMatch(/^compact: took over the writer lock of PID \d+ \(compact\), which is no longer running\ncompact: 4 closed days looked at, \d changed: \d+ raw objects merged into \d+\n$/);
    for (const dt of days) expect((await readdir(dayDir(dataDir, dt))).filter((n) => n.endsWith('.gz'))).toHaveLength(1);
    expect(await queryRows(dataDir, sql)).toEqual(before);
  }, 120_000);

  it('refuses while start holds the data dir, naming its PID', async () => {
    const dataDir = tempDir();
    const started = await spawnStart(dataDir, { WA_PII: 'raw' });
    try {
      const refused = await runCli(['compact', '--data-dir', dataDir], {});
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain(`in use by wa-analytics start (PID ${started.child.pid}`);
    } finally {
      started.child.kill('SIGTERM');
      await started.exited;
    }
  }, 60_000);

  it('with --retention-days, drops whole partitions past it from the lake and the catalog', async () => {
    const dataDir = tempDir();
    const today = new Date().toISOString().slice(0, 10);
    const daysAgo = (n: number) => new Date(Date.parse(`${today}T00:00:00Z`) - n * 86_400_000).toISOString().slice(0, 10);
    await plantDay(dataDir, daysAgo(40), 2, 1, 1);
    await plantDay(dataDir, daysAgo(31), 2, 1, 3);
    await plantDay(dataDir, daysAgo(30), 2, 1, 5);
    const err = join(dataDir, 'lake', 'raw', 'errors', 'processing-failed', `dt=${daysAgo(35)}`);
    await mkdir(err, { recursive: true });
    await writeFile(join(err, 'x.gz'), gzipSync('{}\n'));
    const tooShort = await runCli(['compact', '--data-dir', dataDir, '--retention-days', '7'], { WA_TIMEZONE: 'UTC' });
    expect([tooShort.code, tooShort.stderr]).toEqual([2, 'wa-analytics: input error: --retention-days must be a whole number of days from 30 (what a daily run reads) to 36500 (got "7")\n']);
    const result = await runCli(['compact', '--data-dir', dataDir, '--retention-days', '30'], { WA_TIMEZONE: 'UTC' });
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n')[0]).toBe(`retention 30 days: dropped 3 partitions (oldest ${daysAgo(40)})`);
    expect((await readdir(join(dataDir, 'lake', 'raw', 'events'))).sort()).toEqual([`dt=${daysAgo(30)}`]);
    expect(await readdir(join(dataDir, 'lake', 'raw', 'errors', 'processing-failed'))).toEqual([]);
    expect(await (await LocalCatalog.open(dataDir)).listPartitions('raw_events')).toEqual([daysAgo(30)]);
    expect((await queryRows(dataDir, 'SELECT count(*) AS n FROM raw_events'))[0]!.n).toBe(2);
  }, 60_000);
});
