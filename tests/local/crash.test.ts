import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { signMetaBody } from '../../shared/signature';
import { metaTapBody, queryRows, removeTempDirs, spawnStart, tempDir } from './stack-helpers';

const APP_SECRET = 'crash-test-secret';
const env = { WA_APP_SECRET: APP_SECRET, WA_PII: 'raw' };

afterAll(removeTempDirs);

interface Ack {
  readonly requestId: string;
  readonly wamid: string;
}

/** One signed tap post; resolves with its ack, or null when it got no 200 (refused, reset, timed out). */
async function post(url: string, n: number): Promise<Ack | null> {
  const { body, wamid } = metaTapBody(n);
  try {
    const res = await fetch(`${url}/webhooks/meta`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': signMetaBody(body, APP_SECRET) },
      body,
      signal: AbortSignal.timeout(5_000),
    });
    await res.arrayBuffer();
    return res.status === 200 ? { requestId: res.headers.get('x-amzn-requestid')!, wamid } : null;
  } catch {
    return null;
  }
}

describe('wa-analytics start as a process', () => {
  it('loses no acknowledged post when killed with SIGKILL during a burst of concurrent posts', async () => {
    const dataDir = tempDir();
    // A small buffer makes deliveries run during the burst, so the kill can also land mid-delivery.
    const first = await spawnStart(dataDir, env, ['--buffer-mb', '0.05']);
    const acks: Ack[] = [];
    const TOTAL = 600;
    const WORKERS = 24;
    const KILL_AFTER = 150;
    let next = 0;
    let killed = false;
    const worker = async () => {
      while (next < TOTAL) {
        const ack = await post(first.url, next++);
        if (ack !== null) acks.push(ack);
        if (!killed && acks.length >= KILL_AFTER) {
          killed = true;
          first.child.kill('SIGKILL');
        }
        // Once the server is gone, every further post fails fast; stop this worker.
        if (ack === null && killed) return;
      }
    };
    await Promise.all(Array.from({ length: WORKERS }, worker));
    expect(await first.exited).toBeNull();
    expect(killed).toBe(true);
    expect(acks.length).toBeGreaterThanOrEqual(KILL_AFTER);

    // Restart (recovery delivers what the log holds), then stop cleanly.
    const second = await spawnStart(dataDir, env);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);

    const rows = await queryRows(dataDir, "SELECT request_id, wamid, kind FROM raw_events WHERE kind = 'click'");
    const stored = new Set(rows.map((r) => `${r.request_id} ${r.wamid}`));
    const lost = acks.filter((a) => !stored.has(`${a.requestId} ${a.wamid}`));
    expect(lost).toEqual([]);
  }, 60_000);

  it('flushes buffered records to the lake on SIGTERM and exits 0', async () => {
    const dataDir = tempDir();
    // A 15-minute buffer (the longest): only the SIGTERM flush can deliver these.
    const started = await spawnStart(dataDir, env, ['--buffer-seconds', '900']);
    const acks = (await Promise.all([0, 1, 2, 3, 4].map((n) => post(started.url, 1000 + n)))).filter((a): a is Ack => a !== null);
    expect(acks).toHaveLength(5);
    started.child.kill('SIGTERM');
    expect(await started.exited).toBe(0);
    expect(started.stderr()).toContain('stopped');
    const rows = await queryRows(dataDir, "SELECT wamid FROM raw_events WHERE kind = 'click' ORDER BY wamid");
    expect(rows.map((r) => r.wamid)).toEqual(acks.map((a) => a.wamid).sort());
  }, 30_000);

  it('after a crash and a corrupt byte in the log, delivers every other acknowledged post and says loudly what it could not read', async () => {
    const dataDir = tempDir();
    const first = await spawnStart(dataDir, env, ['--buffer-seconds', '900']);
    const acks: Ack[] = [];
    for (let n = 0; n < 5; n++) acks.push((await post(first.url, 2000 + n))!);
    first.child.kill('SIGKILL');
    await first.exited;
    const walDir = join(dataDir, 'wal');
    const [segment] = (await readdir(walDir)).filter((n) => n.endsWith('.log'));
    const bytes = await readFile(join(walDir, segment!));
    bytes[Math.floor(bytes.length / 2)] ^= 0x5a; // inside the third of five similar records
    await writeFile(join(walDir, segment!), bytes);

    const second = await spawnStart(dataDir, env);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    expect(second.stderr()).toMatch(new RegExp(`WARNING: write-ahead log segment \\S*${segment} is DAMAGED: \\d+ bytes could not be read and at least 1 acknowledged records are lost; its 4 intact records were read past the damage`));
    const rows = await queryRows(dataDir, "SELECT wamid FROM raw_events WHERE kind = 'click' ORDER BY wamid");
    expect(rows.map((r) => r.wamid)).toEqual(acks.map((a) => a.wamid).filter((_, i) => i !== 2));
    expect(await readdir(join(walDir, 'corrupt'))).toEqual([segment]);
  }, 60_000);

  it('says loudly at start that signatures are not checked when the secrets are unset', async () => {
    const started = await spawnStart(tempDir(), {});
    started.child.kill('SIGTERM');
    expect(await started.exited).toBe(0);
    expect(started.stderr()).toMatch(/WA_APP_SECRET is not set: Meta webhook signatures are NOT checked/);
    expect(started.stderr()).toMatch(/WASENDER_WEBHOOK_SECRET is not set/);
  }, 30_000);
});
