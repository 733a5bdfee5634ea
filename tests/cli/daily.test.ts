import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runDaily } from '../../cli/commands/daily/run';
import { LocalCatalog } from '../../shared/adapters/local/catalog';
import { InputError } from '../../shared/errors';
import { writeRawLake } from '../shared/daily/scenario';

let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'wa-cli-daily-'));
  await writeRawLake((await LocalCatalog.open(dataDir)).lakeDir);
}, 60_000);

afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

describe('wa-analytics daily', () => {
  it('runs the workflow on the local lake and prints the digest when SLACK_WEBHOOK_URL is unset', async () => {
    const out: string[] = [];
    const result = await runDaily({ date: '2024-05-02', lookback: '1', dataDir }, (t) => out.push(t), { WA_TIMEZONE: 'UTC' });
    expect(result.status).toBe('SUCCEEDED');
    const text = out.join('');
    expect(text).toContain('SLACK_WEBHOOK_URL is not set');
    expect(text).toContain('[slack] WhatsApp CTR digest 2024-05-02');
    expect(text).toContain('daily workflow succeeded for 2024-05-02 (lookback 1, attribution 7 days)');
  });

  it('rejects a bad date or lookback before running anything', async () => {
    await expect(runDaily({ date: '2024-02-30', dataDir }, () => undefined, {})).rejects.toThrow(InputError);
    await expect(runDaily({ date: '2024-05-02', lookback: 'three', dataDir }, () => undefined, {})).rejects.toThrow(/--lookback/);
  });

  it('refuses a date far from now in one line instead of spinning until memory runs out', async () => {
    await expect(runDaily({ date: '9999-12-31', dataDir }, () => undefined, {})).rejects.toThrow(/^--date 9999-12-31 is outside 2000-01-01 … \d{4}-\d{2}-\d{2} \(from 2000-01-01 to one year ahead\)$/);
    await expect(runDaily({ date: '1999-12-31', dataDir }, () => undefined, {})).rejects.toThrow(/^--date 1999-12-31 is outside/);
  });

  it('refuses a data directory that does not exist instead of creating an empty lake', async () => {
    await expect(runDaily({ date: '2024-05-02', dataDir: join(dataDir, 'nope') }, () => undefined, {})).rejects.toThrow(/no local data/);
  });
});
