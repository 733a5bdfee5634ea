import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { flatten } from '../../cli/commands/flatten/run';
import { signMetaBody } from '../../shared/signature';
import { signTwilioRequest } from '../../shared/twilio-signature';
import { parseForm } from '../../shared/form';
import { schemaProblems } from '../support/rows';

const fixture = (p: string) => join(__dirname, '../fixtures', p);
const bin = join(__dirname, '../../bin/wa-analytics.cjs');
let dataDir: string;
const env = { ...process.env };

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'wa-flatten-'));
  process.env = { ...env, WA_DATA_DIR: dataDir, WA_TIMEZONE: 'UTC' };
  delete process.env.WA_APP_SECRET;
  delete process.env.WA_PII_KEY;
  delete process.env.TWILIO_AUTH_TOKEN;
});
afterEach(() => {
  process.env = env;
  rmSync(dataDir, { recursive: true, force: true });
});

async function run(file: string | undefined, options: Parameters<typeof flatten>[1]): Promise<{ rows: Record<string, unknown>[]; err: string[]; code: number }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await flatten(file, options, (l) => out.push(l), (l) => err.push(l));
  return { rows: out.map((l) => JSON.parse(l) as Record<string, unknown>), err, code };
}

describe('wa-analytics flatten', () => {
  it('prints one schema-complete row per fact of a Meta batch', async () => {
    const { rows, code, err } = await run(fixture('meta/batch.json'), { source: 'meta', pii: 'raw' });
    expect(code).toBe(0);
    expect(err).toEqual([]);
    expect(rows.length).toBeGreaterThan(3);
    for (const row of rows) expect(schemaProblems(row)).toEqual([]);
    expect(new Set(rows.map((r) => r.event_id)).size).toBe(rows.length);
  });

  it('keeps the raw number with --pii raw and hashes it with the data dir key by default', async () => {
    const raw = await run(fixture('meta/button-reply.json'), { source: 'meta', pii: 'raw' });
    const hashed = await run(fixture('meta/button-reply.json'), { source: 'meta' });
    expect(raw.rows[0]!.wa_id).toMatch(/^\d+$/);
    expect(hashed.rows[0]!.wa_id).toMatch(/^[0-9a-f]{64}$/);
    expect(readFileSync(join(dataDir, 'pii.key'), 'utf8').trim()).toMatch(/^[0-9a-f]{64}$/);
  });

  it('checks a given signature with WA_APP_SECRET and quarantines a forged one', async () => {
    process.env.WA_APP_SECRET = 'app-secret';
    const body = readFileSync(fixture('meta/button-reply.json'));
    const good = await run(fixture('meta/button-reply.json'), { source: 'meta', signature: signMetaBody(body, 'app-secret') });
    expect(good.rows.map((r) => r.kind)).toEqual(['click']);
    const forged = await run(fixture('meta/button-reply.json'), { source: 'meta', signature: signMetaBody(body, 'guess') });
    expect(forged.rows).toMatchObject([{ kind: 'quarantine', reason: 'bad_signature' }]);
    expect(forged.err).toEqual(['flatten: the body was quarantined (bad_signature); see the quarantine row']);
  });

  it('flattens posted conversions with --source conversions: good rows, one quarantine row per bad item, and says so', async () => {
    const { rows, code, err } = await run(fixture('conversions/partly-broken.json'), { source: 'conversions', pii: 'raw', receivedAt: '2025-07-03T15:00:00Z' });
    expect(code).toBe(0);
    for (const row of rows) expect(schemaProblems(row)).toEqual([]);
    expect(rows.filter((r) => r.kind === 'conversion').map((r) => [r.event_id, r.value, r.currency])).toEqual([
      ['conversions:ord-2025-000190', 19.99, 'USD'],
      ['conversions:ord-2025-000199', 0, 'BRL'],
    ]);
    expect(rows.filter((r) => r.kind === 'quarantine')).toHaveLength(8);
    expect(err).toEqual([
      'flatten: 8 items were quarantined (conversion_missing_id, conversion_missing_user, conversion_missing_name, conversion_bad_time, conversion_bad_value, conversion_bad_value, conversion_unknown_currency, not_whatsapp), each in its own quarantine row; the other rows are as stored',
    ]);
  });

  it('infers the source from the body when --source is not given: a conversion_id means conversions', async () => {
    const conversion = await run(fixture('conversions/single.json'), { pii: 'raw' });
    expect(conversion.rows).toMatchObject([{ kind: 'conversion', source: 'conversions', event_id: 'conversions:ord-2025-000187', conversion_name: 'purchase', value: 149.9, currency: 'BRL' }]);
    const order = await run(fixture('meta/order.json'), { pii: 'raw' });
    expect(order.rows).toMatchObject([{ kind: 'conversion', source: 'meta', conversion_name: 'order', value: 452.7, currency: 'BRL' }]);
    const text = join(dataDir, 'notes.txt');
    writeFileSync(text, 'purchase by 15551230001');
    await expect(run(text, {})).rejects.toThrow(`${text} is neither JSON nor a Twilio form, so its source cannot be told; pass --source`);
    writeFileSync(text, '{"total": 12}');
    await expect(run(text, {})).rejects.toThrow(`cannot tell the source of ${text} (not Meta, WASenderApi, a registry send, a conversion or a Twilio form); pass --source`);
  });

  it('flattens a Twilio form, inferring its source, and checks its signature with TWILIO_AUTH_TOKEN and --url', async () => {
    const file = fixture('twilio/inbound-quick-reply.form');
    const inferred = await run(file, { pii: 'raw', receivedAt: '2025-05-20T21:20:05Z' });
    expect(inferred.err).toEqual([]);
    expect(inferred.rows).toMatchObject([
      { kind: 'click', source: 'twilio', interaction: 'quick_reply', button_id: 'confirm_yes', wa_id: '15551234567', event_ts: 1747776005000, event_date: '2025-05-20' },
    ]);
    const url = 'https://hooks.example.com/prod/webhooks/twilio';
    const signature = signTwilioRequest('tw-token', url, parseForm(readFileSync(file))!);
    await expect(run(file, { source: 'twilio', signature, url })).rejects.toThrow('--signature needs TWILIO_AUTH_TOKEN to check a Twilio signature');
    process.env.TWILIO_AUTH_TOKEN = 'tw-token';
    await expect(run(file, { source: 'twilio', signature })).rejects.toThrow('--signature of a Twilio body needs --url, the URL Twilio signed');
    expect((await run(file, { source: 'twilio', signature, url })).rows.map((r) => r.kind)).toEqual(['click']);
    const forged = await run(file, { source: 'twilio', signature, url: `${url}/status` });
    expect(forged.rows).toMatchObject([{ kind: 'quarantine', reason: 'bad_signature', source: 'twilio' }]);
  });

  it('runs as a command: stdin input, and one clear line with a non-zero exit for a missing file', () => {
    const body = readFileSync(fixture('registry/send-single.json'));
    const ok = execFileSync(process.execPath, [bin, 'flatten', '-', '--source', 'registry', '--pii', 'raw'], { input: body, env: process.env, encoding: 'utf8' });
    expect(JSON.parse(ok.trim().split('\n')[0]!)).toMatchObject({ kind: 'send', source: 'registry' });
    const missing = spawnSync(process.execPath, [bin, 'flatten', join(dataDir, 'nope.json'), '--source', 'meta'], { env: process.env, encoding: 'utf8' });
    expect(missing.status).not.toBe(0);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    expect(missing.stderr).toContain('cannot read');
    const impossible = spawnSync(process.execPath, [bin, 'flatten', '-', '--source', 'registry', '--received-at', '2026-02-30T00:00:00Z'], { input: body, env: process.env, encoding: 'utf8' });
    expect(impossible.status).toBe(2);
    expect(impossible.stdout).toBe('');
    expect(impossible.stderr).toBe('wa-analytics: input error: --received-at must be an ISO-8601 time with a zone, on a real date (got "2026-02-30T00:00:00Z")\n');
    const conversions = execFileSync(process.execPath, [bin, 'flatten', '-', '--pii', 'raw'], { input: readFileSync(fixture('conversions/batch.json')), env: process.env, encoding: 'utf8' });
    expect(conversions.trim().split('\n').map((l) => (JSON.parse(l) as { kind: string; source: string }).kind)).toEqual(['conversion', 'conversion', 'conversion', 'conversion']);
    const badSource = spawnSync(process.execPath, [bin, 'flatten', '-', '--source', 'telegram'], { input: '{}', env: process.env, encoding: 'utf8' });
    expect(badSource.status).not.toBe(0);
    expect(badSource.stderr).toContain('telegram');
  });
});
