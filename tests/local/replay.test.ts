import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { metaTapBody, queryRows, removeTempDirs, runCli, tempDir } from './stack-helpers';

const secrets = { WA_APP_SECRET: 'replay-app-secret', WASENDER_WEBHOOK_SECRET: 'replay-wasender-secret', WA_REGISTRY_TOKEN: 'replay-registry-token', WA_PII: 'raw' };

const seconds = (iso: string) => Date.parse(iso) / 1000;

function wasenderBody(id: string, iso: string): string {
  return JSON.stringify({
    event: 'messages.upsert',
    timestamp: seconds(iso),
    data: { messages: [{ key: { id, fromMe: false, remoteJid: '15551234567@s.whatsapp.net' }, messageTimestamp: seconds(iso), message: { conversation: 'hello' } }] },
  });
}

const today = () => new Date().toISOString().slice(0, 10);

afterAll(removeTempDirs);

describe('wa-analytics replay', () => {
  it('replays a directory of recorded bodies, signed and routed per body, into the partitions of their event times', async () => {
    const dataDir = tempDir();
    const input = join(tempDir(), 'capture');
    mkdirSync(input);
    writeFileSync(join(input, 'a-meta.json'), JSON.stringify(JSON.parse(metaTapBody(1, seconds('2024-03-10T12:00:00Z')).body), null, 2));
    writeFileSync(join(input, 'b-wasender.json'), wasenderBody('3EB0REPLAYDIR01', '2024-03-11T08:00:00Z'));
    writeFileSync(join(input, 'c-registry.json'), JSON.stringify({ wamid: 'wamid.REPLAYSEND1', campaign_id: 'spring', sent_at: '2024-03-09T23:30:00-03:00' }));
    writeFileSync(join(input, 'notes.txt'), 'not a body');

    const result = await runCli(['replay', input, '--as-of-event-time', '--data-dir', dataDir], secrets);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('replay: posted 3; accepted 3; rejected 0\n');

    const rows = await queryRows(dataDir, 'SELECT kind, source, dt, received_ts, event_ts FROM raw_events ORDER BY source');
    expect(rows).toEqual([
      { kind: 'click', source: 'meta', dt: '2024-03-10', received_ts: Date.parse('2024-03-10T12:00:00Z'), event_ts: Date.parse('2024-03-10T12:00:00Z') },
      { kind: 'send', source: 'registry', dt: '2024-03-10', received_ts: Date.parse('2024-03-10T02:30:00Z'), event_ts: Date.parse('2024-03-10T02:30:00Z') },
      { kind: 'message', source: 'wasender', dt: '2024-03-11', received_ts: Date.parse('2024-03-11T08:00:00Z'), event_ts: Date.parse('2024-03-11T08:00:00Z') },
    ]);
  }, 40_000);

  it('replays a JSON-lines file with --as-of-event-time into the historical partitions of the reporting time zone', async () => {
    const dataDir = tempDir();
    const file = join(tempDir(), 'capture.jsonl');
    const lines = [
      metaTapBody(2, seconds('2024-01-15T01:30:00Z')).body, // 2024-01-14 in São Paulo
      JSON.stringify([
        { wamid: 'wamid.REPLAYSEND2', sent_at: '2024-02-01T10:00:00Z' },
        { wamid: 'wamid.REPLAYSEND3', sent_at: '2024-02-03T10:00:00Z' },
      ]),
      '',
      wasenderBody('3EB0REPLAYLINES1', '2024-02-10T12:00:00Z'),
    ];
    writeFileSync(file, `${lines.join('\n')}\n`);

    const result = await runCli(['replay', file, '--as-of-event-time', '--data-dir', dataDir], { ...secrets, WA_TIMEZONE: 'America/Sao_Paulo' });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('replay: posted 3; accepted 3; rejected 0\n');

    const rows = await queryRows(dataDir, 'SELECT wamid, kind, dt FROM raw_events ORDER BY dt, wamid');
    expect(rows).toEqual([
      { wamid: metaTapBody(2).wamid, kind: 'click', dt: '2024-01-14' },
      // One body, one arrival: both sends land in the partition of the body's latest event.
      { wamid: 'wamid.REPLAYSEND2', kind: 'send', dt: '2024-02-03' },
      { wamid: 'wamid.REPLAYSEND3', kind: 'send', dt: '2024-02-03' },
      { wamid: '3EB0REPLAYLINES1', kind: 'message', dt: '2024-02-10' },
    ]);
  }, 40_000);

  it('stops at a bad JSON line with one clear line and a non-zero exit, keeping the bodies already sent', async () => {
    const dataDir = tempDir();
    const file = join(tempDir(), 'broken.jsonl');
    writeFileSync(file, [metaTapBody(10).body, metaTapBody(11).body, '{"object": "whatsapp_business_account", ', metaTapBody(12).body].join('\n'));
    const before = today();

    const result = await runCli(['replay', file, '--data-dir', dataDir], secrets);
    expect(result.code).not.toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/line 3 of broken\.jsonl is not JSON.*2 bodies were already sent/);

    // Without --as-of-event-time the bodies arrive now.
    const rows = await queryRows(dataDir, "SELECT wamid, dt FROM raw_events WHERE kind = 'click' ORDER BY wamid");
    expect(rows.map((r) => r.wamid)).toEqual([metaTapBody(10).wamid, metaTapBody(11).wamid]);
    for (const r of rows) expect([before, today()]).toContain(r.dt);
  }, 40_000);

  it('says which file cannot be read, and that nothing was sent', async () => {
    const missing = join(tempDir(), 'missing.jsonl');
    const result = await runCli(['replay', missing, '--data-dir', tempDir()], secrets);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/cannot read .*missing\.jsonl: ENOENT; 0 bodies were already sent/);
  }, 40_000);

  it('replays registry sends into its own data dir without WA_REGISTRY_TOKEN (nothing listens, no bearer needed)', async () => {
    const dataDir = tempDir();
    const file = join(tempDir(), 'sends.json');
    writeFileSync(file, JSON.stringify({ wamid: 'wamid.NOTOKEN', sent_at: '2024-02-01T10:00:00Z' }));
    const { WA_REGISTRY_TOKEN: _unset, ...withoutToken } = secrets;
    const result = await runCli(['replay', file, '--source', 'registry', '--data-dir', dataDir], withoutToken);
    expect(result.stdout).toBe('replay: posted 1; accepted 1; rejected 0\n');
    expect(result.code).toBe(0);
    expect(await queryRows(dataDir, "SELECT kind, wamid FROM raw_events WHERE source = 'registry'")).toEqual([{ kind: 'send', wamid: 'wamid.NOTOKEN' }]);
  }, 40_000);

  it('replays posted conversions, inferred from conversion_id and stamped with their latest occurred_at, through the /conversions route', async () => {
    const dataDir = tempDir();
    const input = join(tempDir(), 'conversions');
    mkdirSync(input);
    // An array whose second item has no conversion_id: still a conversions body, the item is quarantined.
    writeFileSync(
      join(input, 'a-batch.json'),
      JSON.stringify([
        { conversion_id: 'ord-1', wa_id: '+1 555-123-0001', name: 'purchase', occurred_at: '2024-03-10T22:30:00-03:00', value: 25, currency: 'usd' },
        { wa_id: '15551230002', name: 'purchase', occurred_at: '2024-03-12T09:00:00Z' },
        { conversion_id: 'ord-3', wa_id: '15551230003', name: 'signup', occurred_at: '2024-03-09T10:00:00Z' },
      ]),
    );
    writeFileSync(join(input, 'b-single.json'), JSON.stringify({ conversion_id: 'ord-4', wa_id: '15551230004', name: 'purchase', occurred_at: '2024-03-05T08:15:00Z' }));
    // The same conversion again (a retry by the business): the same event id.
    writeFileSync(join(input, 'c-again.json'), JSON.stringify({ conversion_id: 'ord-4', wa_id: '15551230004', name: 'purchase', occurred_at: '2024-03-05T08:15:00Z' }));

    const result = await runCli(['replay', input, '--as-of-event-time', '--data-dir', dataDir], secrets);
    expect([result.code, result.stderr, result.stdout]).toEqual([0, '', 'replay: posted 3; accepted 3; rejected 0\n']);

    const rows = await queryRows(dataDir, 'SELECT kind, event_id, source, reason, wa_id, value, currency, dt, event_date, received_ts FROM raw_events ORDER BY received_ts, kind, event_id');
    // The batch arrives at its latest occurred_at, 2024-03-12T09:00Z, even the quarantined item's (it was in the body).
    const batchTs = Date.parse('2024-03-12T09:00:00Z');
    const singleTs = Date.parse('2024-03-05T08:15:00Z');
    expect(rows).toEqual([
      { kind: 'conversion', event_id: 'conversions:ord-4', source: 'conversions', reason: null, wa_id: '15551230004', value: null, currency: null, dt: '2024-03-05', event_date: '2024-03-05', received_ts: singleTs },
      { kind: 'conversion', event_id: 'conversions:ord-4', source: 'conversions', reason: null, wa_id: '15551230004', value: null, currency: null, dt: '2024-03-05', event_date: '2024-03-05', received_ts: singleTs },
      { kind: 'conversion', event_id: 'conversions:ord-1', source: 'conversions', reason: null, wa_id: '15551230001', value: 25, currency: 'USD', dt: '2024-03-12', event_date: '2024-03-11', received_ts: batchTs },
      { kind: 'conversion', event_id: 'conversions:ord-3', source: 'conversions', reason: null, wa_id: '15551230003', value: null, currency: null, dt: '2024-03-12', event_date: '2024-03-09', received_ts: batchTs },
      { kind: 'quarantine', event_id: expect.stringMatching(/^quarantine:conversions:[0-9a-f]{40}$/), source: 'conversions', reason: 'conversion_missing_id', wa_id: null, value: null, currency: null, dt: '2024-03-12', event_date: '2024-03-12', received_ts: batchTs },
    ]);
  }, 40_000);

  it('routes any body to /conversions with --source conversions, where the transform judges it', async () => {
    const dataDir = tempDir();
    const file = join(tempDir(), 'odd.json');
    writeFileSync(file, JSON.stringify({ order: 'ord-9', wa_id: '15551230009', name: 'purchase', occurred_at: '2024-03-05T08:15:00Z' }));
    const refused = await runCli(['replay', file, '--data-dir', dataDir], secrets);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/cannot tell the source of .*odd\.json \(not Meta, WASenderApi, a registry send, a conversion or a Twilio form\); pass --source/);
    const routed = await runCli(['replay', file, '--source', 'conversions', '--data-dir', dataDir], secrets);
    expect([routed.code, routed.stdout]).toEqual([0, 'replay: posted 1; accepted 1; rejected 0\n']);
    expect(await queryRows(dataDir, 'SELECT kind, source, reason FROM raw_events')).toEqual([{ kind: 'quarantine', source: 'conversions', reason: 'conversion_missing_id' }]);
  }, 40_000);

  it('stores a signed 900 KiB body and verifies it; refuses a 1.1 MB one with 413, counted and explained, exit 1', async () => {
    const dataDir = tempDir();
    const dir = join(tempDir(), 'big');
    mkdirSync(dir);
    const tap = JSON.parse(metaTapBody(30, seconds('2024-03-10T12:00:00Z')).body);
    writeFileSync(join(dir, 'a-900k.json'), JSON.stringify({ ...tap, pad: 'ü'.repeat(460 * 1024) }));
    writeFileSync(join(dir, 'b-1100k.json'), JSON.stringify({ ...tap, pad: 'x'.repeat(1_100_000) }));
    const result = await runCli(['replay', dir, '--data-dir', dataDir], secrets);
    expect(result.stdout).toBe('replay: posted 2; accepted 1; rejected 1×413 (too_large)\n');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/answered 413: the body \(\d+ bytes\) is over the record limit and was not stored \(1 refused so far\)/);
    // The stored one verified against WA_APP_SECRET: a click, not a quarantine row.
    expect(await queryRows(dataDir, 'SELECT kind, reason FROM raw_events')).toEqual([{ kind: 'click', reason: null }]);
  }, 60_000);
});
