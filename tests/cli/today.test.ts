import { join } from 'node:path';
import { printToday } from '../../cli/commands/today/run';
import { LocalCatalog } from '../../shared/adapters/local/catalog';
import { dateRange } from '../../shared/time';
import { removeTempDirs, runCli, tempDir } from '../local/stack-helpers';
import { writeRawLake } from '../shared/daily/scenario';

/**
 * `wa-analytics today --data-dir D` over the raw rows of the daily_ctr scenario (whose 05-01
 * numbers tests/shared/today/read.test.ts computes by hand), with the clock pinned.
 */

let dataDir: string;

beforeAll(async () => {
  dataDir = join(tempDir('wa-today-cli-'), 'data');
  const catalog = await LocalCatalog.open(dataDir);
  await writeRawLake(catalog.lakeDir);
  await catalog.registerPartitions('raw_events', dateRange('2024-04-28', '2024-05-05'));
}, 60_000);

afterAll(removeTempDirs);

async function today(now: string, env: Record<string, string> = {}): Promise<string> {
  let text = '';
  await printToday({ dataDir }, (t) => (text += t), env, () => undefined, Date.parse(now));
  return text;
}

describe('wa-analytics today (local lake)', () => {
  it("prints today's numbers per campaign and button, as of the clock, in the reporting time zone", async () => {
    // WA_ATTRIBUTION_DAYS=2: the local windows come from the environment (no conversions here).
    const text = await today('2024-05-01T23:40:00Z', { WA_TIMEZONE: 'UTC', WA_ATTRIBUTION_DAYS: '2' });
    expect(text).toBe(
      [
        'Today so far: 2024-05-01 (UTC), as of 23:40; messages sent today, from the raw rows (each fact once); the daily run makes it final',
        'campaign  template   button         sent  delivered  tapped  taps  ctr    conversions',
        '--------  ---------  -------------  ----  ---------  ------  ----  -----  -----------',
        'spring    spring_v1  yes (Yes)         4          3       2     2  66.7%            0',
        'spring    spring_v1  no (No)           4          3       1     1  33.3%            0',
        'spring    spring_v1  later (Later)     4          3       0     0  0.0%             0',
        '',
      ].join('\n'),
    );
  });

  it("takes today from WA_TIMEZONE: 05-01 23:40 UTC is already 05-02 in Berlin", async () => {
    const text = await today('2024-05-01T23:40:00Z', { WA_TIMEZONE: 'Europe/Berlin' });
    expect(text.split('\n')[0]).toBe('Today so far: 2024-05-02 (Europe/Berlin), as of 01:40; messages sent today, from the raw rows (each fact once); the daily run makes it final');
    expect(text).toMatch(/\npromo-b\s+-\s+flow_b \(Tell us more\)\s+1\s+1\s+1\s+1\s+100\.0%\s+0\n/);
  });

  it('says so when nothing of today has arrived yet', async () => {
    expect((await today('2024-06-01T08:00:00Z')).split('\n')[1]).toBe('(nothing yet today: no message sent or tapped on 2024-06-01 has arrived)');
  });

  it('refuses both --data-dir and --stage, and a data dir that does not exist, with one line and exit code 2', async () => {
    const both = await runCli(['today', '--data-dir', dataDir, '--stage', 'prod'], {});
    expect([both.code, both.stderr.trim()]).toEqual([2, 'wa-analytics: input error: give --data-dir or --stage, not both']);
    const missing = await runCli(['today', '--data-dir', join(dataDir, 'nope')], {});
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no local data at');
  });
});
