import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { boundedNumber, scheduledRun } from '../../cli/commands/start/run';
import { replayTimeHeader } from '../../local/replay';
import { openStack } from '../../local/stack';
import { readLocalConfig } from '../../shared/config/local';
import { InputError } from '../../shared/errors';
import { metaTapBody, queryRows, removeTempDirs, runCli, tempDir } from '../local/stack-helpers';

afterAll(removeTempDirs);

describe('wa-analytics start flags', () => {
  it('refuses out-of-range numbers instead of wrapping them', () => {
    expect(boundedNumber('900', '--buffer-seconds', 900)).toBe(900);
    expect(boundedNumber('0.05', '--buffer-mb', 128)).toBe(0.05);
    for (const bad of ['3000000', '0', '-1', 'abc', '', 'Infinity', '900.5']) {
      expect(() => boundedNumber(bad, '--buffer-seconds', 900)).toThrow(InputError);
    }
  });

  it('exits 2 with one line for --buffer-seconds 3000000 and --buffer-mb 1000, before taking the data dir', async () => {
    const dataDir = tempDir();
    const seconds = await runCli(['start', '--port', '0', '--data-dir', dataDir, '--buffer-seconds', '3000000'], {});
    expect([seconds.code, seconds.stdout, seconds.stderr]).toEqual([2, '', 'wa-analytics: input error: --buffer-seconds must be a number above 0 and at most 900 (got "3000000")\n']);
    const mb = await runCli(['start', '--port', '0', '--data-dir', dataDir, '--buffer-mb', '1000'], {});
    expect([mb.code, mb.stderr]).toEqual([2, 'wa-analytics: input error: --buffer-mb must be a number above 0 and at most 128 (got "1000")\n']);
  });
});

describe('the daily run of start', () => {
  it('runs the workflow, then compacts the closed days between deliveries', async () => {
    const dataDir = tempDir();
    const lines: string[] = [];
    const stack = await openStack({ config: readLocalConfig({ WA_PII: 'raw', WA_TIMEZONE: 'UTC' }, { dataDir }), inlineTransform: true, replayTimeHeader, log: (l) => lines.push(l) });
    const dir = join(dataDir, 'lake', 'raw', 'events', 'dt=2024-05-01');
    try {
      // Twenty flushes of posts that arrived on a day now closed: twenty small objects.
      for (let n = 0; n < 20; n++) {
        const { body } = metaTapBody(n);
        const res = await stack.app.inject({ method: 'POST', url: '/webhooks/meta', headers: { 'content-type': 'application/json', [replayTimeHeader]: String(Date.UTC(2024, 4, 1, 12, 0, n)) }, payload: body });
        expect(res.statusCode).toBe(200);
        await stack.stream.flush();
      }
      expect(await readdir(dir)).toHaveLength(20);
      await scheduledRun(stack, '2024-05-01', null, (l) => lines.push(l));
    } finally {
      await stack.close();
    }
    expect(lines).toContain('wa-analytics: compact: 1 closed days looked at, 1 changed: 20 raw objects merged into 1');
    expect(await readdir(dir)).toHaveLength(1);
    expect((await queryRows(dataDir, "SELECT count(*) AS n FROM raw_events WHERE kind = 'click'"))[0]!.n).toBe(20);
  }, 60_000);
});
