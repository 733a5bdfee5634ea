import { createHmac } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { boundedNumber, scheduledRun } from '../../cli/commands/start/run';
import { replayTimeHeader } from '../../local/replay';
import { openStack } from '../../local/stack';
import { readLocalConfig } from '../../shared/config/local';
import { InputError } from '../../shared/errors';
import { metaTapBody, queryRows, removeTempDirs, runCli, spawnStart, tempDir } from '../local/stack-helpers';

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

  it('exits 2 with one line for a --public-url that is not a base URL', async () => {
    const bad = await runCli(['start', '--port', '0', '--data-dir', tempDir(), '--public-url', 'https://tunnel.example/?x=1'], {});
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^wa-analytics: [a-z ]*error: --public-url must be an http\(s\) base URL .*\(got "https:\/\/tunnel\.example\/\?x=1"\)\n$/);
  });

  it('with --public-url, names the tunnel URLs for the Twilio console and verifies a form signed for them', async () => {
    const dataDir = tempDir();
    const publicUrl = 'https://wa-demo.tunnel.example';
    const started = await spawnStart(dataDir, { WA_PII: 'raw', TWILIO_AUTH_TOKEN: 'tw-token' }, ['--no-daily', '--public-url', publicUrl]);
    const body = await readFile(join(__dirname, '../fixtures/twilio/status-delivered.form'));
    // Twilio's signature, by hand: the URL it called, then each parameter name and value sorted by name.
    const sorted = [...new URLSearchParams(body.toString('utf8'))].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const signature = createHmac('sha1', 'tw-token').update(`${publicUrl}/webhooks/twilio/status${sorted.map(([n, v]) => n + v).join('')}`).digest('base64');
    let status: number;
    try {
      const res = await fetch(`${started.url}/webhooks/twilio/status`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'X-Twilio-Signature': signature }, body });
      status = res.status;
    } finally {
      started.child.kill('SIGTERM');
    }
    expect(await started.exited).toBe(0);
    expect(status).toBe(200);
    expect(started.stderr()).toContain(`Twilio: "A message comes in" ${publicUrl}/webhooks/twilio, status callback ${publicUrl}/webhooks/twilio/status`);
    expect(await queryRows(dataDir, "SELECT kind, status, source FROM raw_events WHERE source = 'twilio'")).toEqual([{ kind: 'status', status: 'delivered', source: 'twilio' }]);
  }, 60_000);
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

describe('POST /conversions on wa-analytics start', () => {
  it('takes the bearer token, lands the good conversions of an array in the lake and quarantines the bad items one by one', async () => {
    const dataDir = tempDir();
    const started = await spawnStart(dataDir, { WA_PII: 'raw', WA_REGISTRY_TOKEN: 'conv-token', WA_TIMEZONE: 'UTC' }, ['--no-daily']);
    const body = await readFile(join(__dirname, '../fixtures/conversions/partly-broken.json'));
    const items = JSON.parse(body.toString('utf8')) as unknown[];
    let status: number[];
    try {
      expect(started.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const post = (headers: Record<string, string>) => fetch(`${started.url}/conversions`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
      const none = await post({});
      const wrong = await post({ authorization: 'Bearer guess' });
      const right = await post({ authorization: 'Bearer conv-token' });
      status = [none.status, wrong.status, right.status];
      expect(await right.json()).toEqual({ ok: true });
    } finally {
      // SIGTERM flushes the delivery stream into the lake, then exits 0.
      started.child.kill('SIGTERM');
    }
    expect(await started.exited).toBe(0);
    expect(status).toEqual([401, 401, 200]);
    expect(started.stderr()).toContain('POST /webhooks/meta, /webhooks/wasender, /sends, /conversions, /webhooks/twilio, /webhooks/twilio/status; GET /webhooks/meta');
    // Without --public-url, the URLs to paste into the Twilio console are the API's own.
    expect(started.stderr()).toContain(`Twilio: "A message comes in" ${started.url}/webhooks/twilio, status callback ${started.url}/webhooks/twilio/status (HTTP POST;`);
    const rows = await queryRows(dataDir, "SELECT kind, event_id, wa_id, conversion_name, value, currency, reason, raw_body FROM raw_events WHERE source = 'conversions' ORDER BY kind, event_id, reason");
    expect(rows.filter((r) => r.kind === 'conversion')).toEqual([
      { kind: 'conversion', event_id: 'conversions:ord-2025-000190', wa_id: '16315551181', conversion_name: 'purchase', value: 19.99, currency: 'USD', reason: null, raw_body: null },
      { kind: 'conversion', event_id: 'conversions:ord-2025-000199', wa_id: '5511955550147', conversion_name: 'purchase', value: 0, currency: 'BRL', reason: null, raw_body: null },
    ]);
    const quarantined = rows.filter((r) => r.kind === 'quarantine');
    expect(quarantined.map((r) => r.reason).sort()).toEqual(
      ['conversion_bad_time', 'conversion_bad_value', 'conversion_bad_value', 'conversion_missing_id', 'conversion_missing_name', 'conversion_missing_user', 'conversion_unknown_currency', 'not_whatsapp'].sort(),
    );
    // Each quarantine row holds its own item, nothing more.
    const kept = quarantined.map((r) => JSON.parse(Buffer.from(String(r.raw_body), 'base64').toString('utf8')) as unknown);
    expect(kept).toEqual(expect.arrayContaining([1, 2, 3, 4, 5, 6, 7, 8].map((i) => items[i])));
    expect(kept).toHaveLength(8);
  }, 60_000);
});
