import { spawnSync } from 'node:child_process';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { LockError } from '../../shared/errors';
import { DataDirLock, lockDirName, type LockHolder } from '../../local/data-dir-lock';
import { metaTapBody, removeTempDirs, runCli, spawnStart, tempDir } from './stack-helpers';

afterAll(removeTempDirs);

/** The PID of a process that has already exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

function staleHolder(pid: number, extra: Partial<LockHolder> = {}): LockHolder {
  return { pid, host: hostname(), started: null, command: 'start', since: '2026-01-01T00:00:00.000Z', ...extra };
}

/** Writes a lock generation file by hand, as a process that died holding the lock left it. */
async function plantLock(dir: string, content: string, gen = 7): Promise<void> {
  await mkdir(join(dir, lockDirName), { recursive: true });
  await writeFile(join(dir, lockDirName, `${String(gen).padStart(16, '0')}.json`), content);
}

const lockFiles = async (dir: string) => (await readdir(join(dir, lockDirName))).sort();

describe('DataDirLock', () => {
  it('refuses a second holder with a LockError naming the first one\'s PID and command', async () => {
    const dir = tempDir();
    const first = await DataDirLock.acquire(dir, 'start');
    const second = DataDirLock.acquire(dir, 'replay');
    await expect(second).rejects.toBeInstanceOf(LockError);
    await expect(DataDirLock.acquire(dir, 'replay')).rejects.toThrow(`is in use by wa-analytics start (PID ${process.pid}`);
    await first.release();
    const third = await DataDirLock.acquire(dir, 'replay');
    expect(JSON.parse(await readFile(third.path, 'utf8'))).toMatchObject({ pid: process.pid, command: 'replay' });
    await third.release();
    expect(JSON.parse(await readFile(third.path, 'utf8'))).toMatchObject({ released: true });
    // Only the latest generation is kept.
    expect(await lockFiles(dir)).toEqual(['0000000000000002.json']);
  });

  it('takes over the lock of a process that is no longer running, and says whose it was', async () => {
    const dir = tempDir();
    const pid = deadPid();
    await plantLock(dir, JSON.stringify(staleHolder(pid)));
    const stale: LockHolder[] = [];
    const lock = await DataDirLock.acquire(dir, 'start', (h) => stale.push(h));
    expect(stale.map((h) => h.pid)).toEqual([pid]);
    expect(lock.holder.pid).toBe(process.pid);
    await lock.release();
  });

  it('takes over a lock whose PID now belongs to another process (its start time differs)', async () => {
    const dir = tempDir();
    // Our own PID, but recorded with a start time this process does not have: a reused PID.
    await plantLock(dir, JSON.stringify(staleHolder(process.pid, { started: '1' })));
    const lock = await DataDirLock.acquire(dir, 'start');
    await lock.release();
  });

  it('takes over a lock file that does not hold a lock (garbage after a disk fault)', async () => {
    const dir = tempDir();
    await plantLock(dir, 'not json');
    const lock = await DataDirLock.acquire(dir, 'start');
    await lock.release();
  });

  it('lets exactly one of several processes racing for a stale lock win, leaving no stray files', async () => {
    const dir = tempDir();
    await plantLock(dir, JSON.stringify(staleHolder(deadPid())));
    const results = await Promise.allSettled(Array.from({ length: 6 }, () => DataDirLock.acquire(dir, 'start')));
    const won = results.filter((r): r is PromiseFulfilledResult<DataDirLock> => r.status === 'fulfilled');
    expect(won).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(LockError);
    expect(await lockFiles(dir)).toEqual(['0000000000000008.json']);
    await won[0]!.value.release();
  });

  it('is refused while a holder on another host may be alive', async () => {
    const dir = tempDir();
    await plantLock(dir, JSON.stringify(staleHolder(deadPid(), { host: 'another-host' })));
    await expect(DataDirLock.acquire(dir, 'start')).rejects.toThrow(/on host another-host/);
  });
});

describe('one writer per data dir, as processes', () => {
  it('refuses a second start and a replay at once with one line naming the PID of the running start, while query keeps working', async () => {
    const dataDir = tempDir();
    const first = await spawnStart(dataDir, { WA_PII: 'raw' });
    try {
      const second = await runCli(['start', '--port', '0', '--data-dir', dataDir, '--no-daily'], { WA_PII: 'raw' });
      expect(second.code).toBe(2);
      expect(second.stdout).toBe('');
      const lines = second.stderr.trimEnd().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(`in use by wa-analytics start (PID ${first.child.pid}`);

      const bodies = join(tempDir(), 'one.json');
      await writeFile(bodies, metaTapBody(1).body);
      const replay = await runCli(['replay', bodies, '--data-dir', dataDir], { WA_PII: 'raw' });
      expect(replay.code).toBe(2);
      expect(replay.stderr).toContain(`(PID ${first.child.pid}`);

      const query = await runCli(['query', 'SELECT count(*) AS n FROM raw_events', '--json', '--data-dir', dataDir], {});
      expect(query.stderr).toBe('');
      expect(query.stdout).toBe('{"n":0}\n');
    } finally {
      first.child.kill('SIGTERM');
      expect(await first.exited).toBe(0);
    }
  }, 60_000);

  it('starts at once after the previous start was killed with SIGKILL, saying it took over the dead lock', async () => {
    const dataDir = tempDir();
    const first = await spawnStart(dataDir, { WA_PII: 'raw' });
    first.child.kill('SIGKILL');
    expect(await first.exited).toBeNull();
    const second = await spawnStart(dataDir, { WA_PII: 'raw' });
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    expect(second.stderr()).toContain(`took over the writer lock of PID ${first.child.pid} (start), which is no longer running`);
  }, 60_000);
});
