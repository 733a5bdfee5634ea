import { DuckDBInstance } from '@duckdb/node-api';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { runDaily } from '../../cli/commands/daily/run';
import { runPseudonymize } from '../../cli/commands/pseudonymize/run';
import { openStack } from '../../local/stack';
import { readLocalConfig } from '../../shared/config/local';
import { generateReport } from '../../report/generate';
import { signMetaBody } from '../../shared/signature';
import { addDays, dateInZone } from '../../shared/time';
import { metaWebhook } from '../support/webhooks';
import { queryRows } from './stack-helpers';

/*
 * What hash mode promises, checked the way a data-protection reviewer would: webhooks for known
 * phone numbers go through the local path (HTTP on 127.0.0.1, mapping template, write-ahead log,
 * the transform on its worker, the lake), the daily workflow and the dashboard run, the stack
 * stops cleanly, and then every byte under the data directory is searched (gzip lake files
 * decompressed, Parquet and DuckDB files read back through DuckDB, everything also as raw
 * bytes) for the numbers, their subscriber digits, the base64 a wamid carries them in, the
 * wamids themselves and what a user typed into a Flow. Hash mode: nothing. Raw mode: all of it,
 * which shows the scan finds what it looks for.
 */

const secrets = { WA_APP_SECRET: 'scan-app-secret', WASENDER_WEBHOOK_SECRET: 'scan-wasender-secret', WA_REGISTRY_TOKEN: 'scan-registry-token' };

/** The users: Meta (Brazil, UK, US typed with punctuation in the registry) and WASenderApi. */
const phones = { ana: '5511987654321', ben: '447700900123', cy: '15551234567', dee: '5521998877665' } as const;
/** Typed into a Flow by Cy: a number, a name and an email that are nobody's user id. */
const typed = { phone: '5511912345678', name: 'Marta Quintela', email: 'marta.quintela@example.com' } as const;

/** A Meta wamid: `wamid.` + base64 of the small structure Meta's ids have, holding the number. */
function wamid(phone: string, inbound: boolean, n: number): string {
  const id = `${inbound ? '3A' : 'A4'}${String(n).padStart(18, '0')}`;
  return `wamid.${Buffer.concat([Buffer.from([0x18, phone.length]), Buffer.from(phone), Buffer.from([0x15, 0x02, 0x00, inbound ? 0x12 : 0x11, 0x18, id.length]), Buffer.from(id), Buffer.from([0x00])]).toString('base64')}`;
}

const out = { ana: wamid(phones.ana, false, 1), ben: wamid(phones.ben, false, 2), cy: wamid(phones.cy, false, 3), group: wamid('120363402111223344', false, 9) };
const inbound = { ana: wamid(phones.ana, true, 4), ben: wamid(phones.ben, true, 5), cy: wamid(phones.cy, true, 6), anaText: wamid(phones.ana, true, 7) };

/**
 * The base64 of `digits` as it appears inside any base64 text, whatever its byte offset: for each
 * of the three alignments, the characters that depend on the digits alone.
 */
function base64Forms(digits: string): string[] {
  const forms: string[] = [];
  for (let k = 0; k < 3; k++) {
    const encoded = Buffer.concat([Buffer.alloc(k), Buffer.from(digits)]).toString('base64');
    const first = Math.ceil(k / 3);
    const last = Math.floor((k + digits.length) / 3);
    const stable = encoded.slice(4 * first, 4 * last);
    forms.push(stable, stable.replace(/\+/g, '-').replace(/\//g, '_'));
  }
  return [...new Set(forms)];
}

/** Every string whose presence would reveal a person. */
function needles(): { what: string; text: string }[] {
  const list: { what: string; text: string }[] = [];
  for (const [who, p] of Object.entries({ ...phones, typed: typed.phone })) {
    list.push({ what: `${who} number`, text: p }, { what: `${who} subscriber digits`, text: p.slice(-9) });
    for (const b of base64Forms(p)) list.push({ what: `${who} number in base64`, text: b });
  }
  for (const [k, w] of Object.entries({ ...out, ...inbound })) list.push({ what: `wamid ${k}`, text: w });
  list.push({ what: 'typed name', text: typed.name }, { what: 'typed email', text: typed.email });
  list.push({ what: 'business-scoped user id', text: 'GB.13491208655302741918' });
  return list;
}

/** The traffic: registry sends, Meta statuses and taps (reply, list, Flow, quick reply, text), WASenderApi. */
function posts(t: number): { path: string; body: string }[] {
  const sends = [
    { wamid: out.ana, campaign_id: 'spring', template_name: 'spring_v1', wa_id: phones.ana, sent_at: new Date((t - 600) * 1000).toISOString(), buttons: [{ id: 'yes', title: 'Yes' }, { id: 'no', title: 'No' }] },
    { wamid: out.ben, campaign_id: 'spring', template_name: 'spring_v1', wa_id: `+${phones.ben}`, sent_at: new Date((t - 600) * 1000).toISOString(), buttons: [{ id: 'yes', title: 'Yes' }] },
    { wamid: out.cy, campaign_id: 'survey', template_name: 'survey_v1', wa_id: '+1 (555) 123-4567', sent_at: new Date((t - 600) * 1000).toISOString() },
    { wamid: 'BAE5F8A2C1D3E4B6', campaign_id: 'ws', wa_id: phones.dee, sent_at: new Date((t - 600) * 1000).toISOString(), buttons: [{ id: 'btn_yes', title: 'Yes' }] },
  ];
  const statuses = (['sent', 'delivered', 'read'] as const).flatMap((status, i) =>
    (['ana', 'ben', 'cy'] as const).map((who) => ({ id: out[who], status, timestamp: t - 500 + i * 10, recipient: phones[who] })),
  );
  const flowAnswer = JSON.stringify({ flow_token: 'survey-2026', name: typed.name, email: typed.email, phone: typed.phone, rating: 5, consent: true });
  const meta = metaWebhook({
    statuses,
    taps: [
      { id: inbound.ana, from: phones.ana, timestamp: t, contextId: out.ana, kind: 'button_reply', buttonId: 'yes', title: 'Yes' },
      { id: inbound.ben, from: phones.ben, timestamp: t + 5, contextId: out.ben, kind: 'list_reply', buttonId: 'yes', title: 'Yes' },
      { id: inbound.cy, from: phones.cy, timestamp: t + 9, contextId: out.cy, kind: 'quick_reply', buttonId: 'later', title: 'Later' },
    ],
  });
  const change = (meta.entry as { changes: { value: { messages: Record<string, unknown>[]; contacts: unknown[] } }[] }[])[0]!.changes[0]!.value;
  // A Flow answer and a plain text message, as Meta sends them.
  change.messages.push(
    { context: { from: '15550783881', id: out.cy }, from: phones.cy, id: wamid(phones.cy, true, 8), timestamp: String(t + 20), type: 'interactive', interactive: { type: 'nfm_reply', nfm_reply: { name: 'flow', body: 'Sent', response_json: flowAnswer } } },
    { from: phones.ana, id: inbound.anaText, timestamp: String(t + 30), type: 'text', text: { body: `call me on ${typed.phone}` } },
  );
  change.contacts.push({ profile: { name: typed.name }, wa_id: phones.cy });
  // A message to a group, read by two participants: one by number, one known only by a business-scoped id.
  (change as unknown as { statuses: Record<string, unknown>[] }).statuses.push(
    { id: out.group, status: 'read', timestamp: String(t - 400), recipient_id: '120363402111223344', recipient_type: 'group', recipient_participant_id: phones.ben },
    { id: out.group, status: 'read', timestamp: String(t - 390), recipient_id: '120363402111223344', recipient_type: 'group', recipient_participant_user_id: 'GB.13491208655302741918' },
  );
  const wasenderTap = {
    event: 'messages.upsert',
    timestamp: t,
    data: { messages: [{ key: { id: '3EB0A1C2D3E4F5061728', fromMe: false, remoteJid: `${phones.dee}@s.whatsapp.net`, cleanedSenderPn: phones.dee }, messageTimestamp: t, pushName: typed.name, message: { buttonsResponseMessage: { selectedButtonId: 'btn_yes', selectedDisplayText: 'Yes', contextInfo: { stanzaId: 'BAE5F8A2C1D3E4B6' } } } }] },
  };
  const wasenderStatus = { event: 'messages.update', timestamp: (t - 500) * 1000, data: [{ key: { remoteJid: `${phones.dee}@s.whatsapp.net`, id: 'BAE5F8A2C1D3E4B6', fromMe: true }, update: { status: 3 } }] };
  return [
    { path: '/sends', body: JSON.stringify(sends) },
    { path: '/webhooks/meta', body: JSON.stringify(meta) },
    { path: '/webhooks/wasender', body: JSON.stringify(wasenderTap) },
    { path: '/webhooks/wasender', body: JSON.stringify(wasenderStatus) },
  ];
}

function headers(path: string, body: string): Record<string, string> {
  const h: Record<string, string> = { 'content-type': 'application/json' };
  if (path === '/sends') h.authorization = `Bearer ${secrets.WA_REGISTRY_TOKEN}`;
  else if (path === '/webhooks/meta') h['x-hub-signature-256'] = signMetaBody(Buffer.from(body), secrets.WA_APP_SECRET);
  else h['x-webhook-signature'] = secrets.WASENDER_WEBHOOK_SECRET;
  return h;
}

async function walk(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const files: string[] = [];
  for (const e of entries) {
    const path = join(dir, e.name);
    if (e.isDirectory()) files.push(path, ...(await walk(path)));
    else files.push(path);
  }
  return files;
}

const asJson = (rows: unknown) => JSON.stringify(rows, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));

/** Every readable form of a file: its bytes, and what gzip, Parquet or DuckDB hold inside. */
async function views(file: string): Promise<string[]> {
  const bytes = await readFile(file);
  const out = [bytes.toString('latin1'), bytes.toString('utf8')];
  if (file.endsWith('.gz')) out.push(gunzipSync(bytes).toString('utf8'));
  if (file.endsWith('.parquet') || file.endsWith('.duckdb')) {
    const db = await DuckDBInstance.create(':memory:');
    const c = await db.connect();
    try {
      if (file.endsWith('.parquet')) {
        out.push(asJson((await c.runAndReadAll(`SELECT * FROM read_parquet('${file}')`)).getRowObjectsJS()));
      } else {
        await c.run(`ATTACH '${file}' AS scanned (READ_ONLY)`);
        const tables = (await c.runAndReadAll("SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = 'scanned'")).getRowsJS();
        expect(tables.length).toBeGreaterThan(0);
        for (const [schema, table] of tables) out.push(asJson((await c.runAndReadAll(`SELECT * FROM scanned."${String(schema)}"."${String(table)}"`)).getRowObjectsJS()));
      }
    } finally {
      c.closeSync();
      db.closeSync();
    }
  }
  return out;
}

interface Scan {
  readonly hits: string[];
  readonly files: string[];
  readonly modes: string[];
  readonly walEntries: string[];
  /** daily_ctr of the cohort: the joins through (pseudonymized) wamids, counted. */
  readonly ctr: string[];
  /** Ana's stored wa_id and wamid, and what `pseudonymize` prints for her number and wamid. */
  readonly lookup: { stored: string[]; printed: string[] };
}

/** Runs the whole local path in one PII mode and scans the data directory. */
async function runAndScan(pii: 'hash' | 'raw'): Promise<Scan> {
  const dataDir = join(await mkdtemp(join(tmpdir(), `wa-scan-${pii}-`)), 'data');
  try {
    const env = { ...secrets, WA_TIMEZONE: 'UTC', WA_PII: pii };
    const stack = await openStack({ config: readLocalConfig(env, { dataDir }), log: () => undefined });
    // Events at noon yesterday (UTC), far from midnight; they arrive now, inside the run's window.
    const date = addDays(dateInZone(Date.now(), 'UTC'), -1);
    try {
      const url = await stack.listen(0);
      for (const p of posts(Date.parse(`${date}T12:00:00Z`) / 1000)) {
        const response = await fetch(`${url}${p.path}`, { method: 'POST', headers: headers(p.path, p.body), body: p.body });
        expect([p.path, response.status]).toEqual([p.path, 200]);
      }
    } finally {
      await stack.close(); // a clean stop: flush, then the delivered log segments go
    }
    const result = await runDaily({ date, lookback: '1', dataDir }, () => undefined, { ...env, WA_DATA_DIR: dataDir });
    expect(result.status).toBe('SUCCEEDED');
    await generateReport({ dataDir });
    const ctr = (await queryRows(dataDir, `SELECT campaign_id, button_id, messages_delivered, clicked_messages FROM daily_ctr WHERE dt = '${date}' ORDER BY 1, 2`)).map((r) => Object.values(r).join(' '));
    const [ana] = await queryRows(dataDir, "SELECT wa_id, wamid FROM events WHERE interaction = 'button_reply' AND source = 'meta'");
    const printed = await runPseudonymize([`+${phones.ana.slice(0, 2)} ${phones.ana.slice(2, 4)} ${phones.ana.slice(4)}`, inbound.ana], { dataDir }, { out: () => undefined, err: () => undefined }, env);

    const files = await walk(dataDir);
    const hits: string[] = [];
    const modes: string[] = [];
    for (const path of files) {
      const s = await stat(path);
      modes.push(`${relative(dataDir, path)} ${(s.mode & 0o777).toString(8)}`);
      if (s.isDirectory()) continue;
      const texts = await views(path);
      for (const n of needles()) if (texts.some((t) => t.includes(n.text))) hits.push(`${relative(dataDir, path)}: ${n.what}`);
    }
    modes.unshift(`. ${((await stat(dataDir)).mode & 0o777).toString(8)}`);
    return { hits, files: files.map((f) => relative(dataDir, f)), modes, walEntries: await readdir(join(dataDir, 'wal')), ctr, lookup: { stored: [String(ana?.wa_id), String(ana?.wamid)], printed } };
  } finally {
    await rm(join(dataDir, '..'), { recursive: true, force: true });
  }
}

describe('hash mode, scanned byte by byte', () => {
  it('leaves no phone number, digits, base64 form, wamid or Flow answer anywhere under the data directory', async () => {
    const scan = await runAndScan('hash');
    // What was scanned: the lake (raw gzip and curated Parquet), catalog, checkpoint, report, key.
    expect(scan.files).toEqual(expect.arrayContaining(['catalog.duckdb', 'pii.key', 'report.html', join('wal', 'checkpoint.json')]));
    expect(scan.files.some((f) => f.startsWith(join('lake', 'raw', 'events')) && f.endsWith('.gz'))).toBe(true);
    expect(scan.files.filter((f) => f.endsWith('.parquet')).length).toBeGreaterThanOrEqual(4);
    expect(scan.hits).toEqual([]);
    // The data is there and every join still works on the pseudonymized ids (counted by hand:
    // Ana and Ben tapped yes on spring; Cy answered later and the Flow on survey; Dee on ws).
    expect(scan.ctr).toEqual(['spring no 2 0', 'spring yes 2 2', 'survey later 1 1', 'survey survey-2026 1 1', 'ws btn_yes 1 1']);
    // And a person can still be looked up.
    expect(scan.lookup.printed).toEqual(scan.lookup.stored);
    // A clean stop leaves no request body behind: only the checkpoint is left in the log folder.
    expect(scan.walEntries).toEqual(['checkpoint.json']);
    // Owner only, everywhere.
    for (const line of scan.modes) expect(line).toMatch(/ (700|600)$/);
    expect(scan.modes.filter((l) => l.endsWith(' 600')).length).toBeGreaterThan(0);
  }, 180_000);

  it('finds all of them in raw mode, so the scan can fail', async () => {
    const scan = await runAndScan('raw');
    const found = new Set(scan.hits.map((h) => h.split(': ')[1]));
    for (const who of ['ana', 'ben', 'cy', 'dee', 'typed']) expect(found).toContain(`${who} number`);
    for (const who of ['ana', 'ben', 'cy']) expect(found).toContain(`${who} number in base64`);
    expect(found).toContain('typed email');
    expect(found).toContain('typed name');
    expect(found).toContain('wamid ana');
  }, 180_000);
});
