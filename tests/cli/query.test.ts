import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { formatTable, runQuery } from '../../cli/commands/query/run';
import { LocalCatalog } from '../../shared/adapters/local/catalog';
import { InputError, QueryError } from '../../shared/errors';
import { tables } from '../../shared/schema/tables';

const run = promisify(execFile);
const bin = resolve(__dirname, '../../bin/wa-analytics.cjs');

let dataDir: string;
beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'wa-analytics-query-'));
  const dir = join(dataDir, 'lake', 'raw', 'events', 'dt=2024-05-01');
  await mkdir(dir, { recursive: true });
  const rows = [
    { event_id: 'meta:wamid.1', kind: 'click', source: 'meta', button_id: 'yes', received_ts: 1_714_557_600_000 },
    { event_id: 'meta:wamid.2', kind: 'click', source: 'meta', button_id: 'no', received_ts: 1_714_557_600_500 },
    { event_id: 'meta:wamid.3', kind: 'click', source: 'meta', button_id: 'yes', received_ts: 1_714_557_601_000 },
  ];
  await writeFile(join(dir, 'a.gz'), gzipSync(rows.map((r) => `${JSON.stringify(r)}\n`).join('')));
  await (await LocalCatalog.open(dataDir)).registerPartitions('raw_events', ['2024-05-01']);
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

async function capture(sql: string, options: { json?: boolean; dataDir?: string }): Promise<string> {
  let out = '';
  await runQuery(sql, { dataDir, ...options }, (text) => (out += text), {});
  return out;
}

describe('wa-analytics query', () => {
  it('prints JSON lines keyed by column name, with BIGINT counts as numbers', async () => {
    const out = await capture('SELECT button_id, count(*) AS clicks, max(received_ts) AS last_ts FROM raw_events GROUP BY button_id ORDER BY button_id', { json: true });
    expect(out).toBe('{"button_id":"no","clicks":1,"last_ts":1714557600500}\n{"button_id":"yes","clicks":2,"last_ts":1714557601000}\n');
  });

  it('reaches every table of the schema and the tutorial views, daily_conversions and conversions included', async () => {
    for (const name of [...Object.keys(tables), 'button_clicks', 'conversions', 'quarantine']) {
      expect({ name, out: await capture(`SELECT count(*) AS n FROM whatsapp_analytics.${name} WHERE dt < '2024-05-01'`, { json: true }) }).toEqual({ name, out: '{"n":0}\n' });
    }
    expect(await capture('SELECT conversion_id, conversion_name, value, currency FROM conversions', { json: true })).toBe('');
  });

  it('prints BIGINT values beyond 2^53 as strings in JSON', async () => {
    expect(await capture('SELECT 9007199254740993::BIGINT AS big', { json: true })).toBe('{"big":"9007199254740993"}\n');
  });

  it('prints an aligned table with numbers right-aligned and a row count', async () => {
    const out = await capture("SELECT button_id, count(*) AS clicks FROM whatsapp_analytics.raw_events WHERE dt = '2024-05-01' GROUP BY button_id ORDER BY button_id", {});
    expect(out).toBe(['button_id  clicks', '---------  ------', 'no              1', 'yes             2', '(2 rows)', ''].join('\n'));
  });

  it('formats NULL, nested values and line breaks on one line per row', () => {
    const text = formatTable({ columns: ['a', 'b'], rows: [{ a: null, b: 'x\ny' }, { a: [1, 2], b: { k: 'v' } }] });
    expect(text).toBe(['a      b', '-----  ---------', 'NULL   x\\ny', '[1,2]  {"k":"v"}', '(2 rows)'].join('\n'));
  });

  it('shows ESC, BEL, backspace and other control characters from the data escaped, in the table and in JSON', async () => {
    const hostile = "chr(27) || '[2J' || chr(7) || 'ok' || chr(8) || chr(155) || chr(8238)";
    const table = await capture(`SELECT ${hostile} AS title`, {});
    expect(table).toBe(['title', '-'.repeat(27), '\\x1b[2J\\x07ok\\x08\\x9b\\u202e', '(1 row)', ''].join('\n'));
    const json = await capture(`SELECT ${hostile} AS title`, { json: true });
    expect(json).toBe('{"title":"\\u001b[2J\\u0007ok\\b\\u009b\\u202e"}\n');
    // Still JSON, and the same value once parsed.
    expect(JSON.parse(json).title).toBe('\u001b[2J\u0007ok\b\u009b\u202e');
    for (const out of [table, json]) expect(out).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202e]/);
  });

  it('fails with a QueryError on bad SQL', async () => {
    await expect(capture('SELECT * FROM nowhere', {})).rejects.toBeInstanceOf(QueryError);
  });

  it('fails with an InputError for a data dir that does not exist, creating nothing', async () => {
    const missing = join(dataDir, 'missing');
    await expect(capture('SELECT 1', { dataDir: missing })).rejects.toThrow(new InputError(`no local data at ${missing} (run wa-analytics start or demo first, or pass --data-dir)`).message);
  });

  it('exits non-zero with one clear line on stderr for a SQL error (through the bin)', async () => {
    const failure = await run(process.execPath, [bin, 'query', 'selec 1', '--data-dir', dataDir]).then(
      () => null,
      (error: { code: number; stdout: string; stderr: string }) => error,
    );
    expect(failure).not.toBeNull();
    // The engine rejected the statement while running it: a failure (1), not a flag problem (2).
    expect(failure!.code).toBe(1);
    expect(failure!.stdout).toBe('');
    expect(failure!.stderr).toBe('wa-analytics: query error: Parser Error: syntax error at or near "selec"\n');
  });

  it('prints JSON lines through the bin', async () => {
    const { stdout } = await run(process.execPath, [bin, 'query', 'SELECT count(*) AS n FROM raw_events', '--json', '--data-dir', dataDir]);
    expect(stdout).toBe('{"n":3}\n');
  });

  it('rebuilds a deleted catalog from the lake, answers with the old partitions and says it rebuilt', async () => {
    const copy = await mkdtemp(join(tmpdir(), 'wa-analytics-query-lost-'));
    try {
      await cp(join(dataDir, 'lake'), join(copy, 'lake'), { recursive: true });
      // No catalog.duckdb: as if it was deleted or lost.
      const notes: string[] = [];
      let out = '';
      await runQuery('SELECT count(*) AS n FROM raw_events', { json: true, dataDir: copy }, (text) => (out += text), {}, (line) => notes.push(line));
      expect(out).toBe('{"n":3}\n');
      expect(notes).toEqual([`wa-analytics: ${join(copy, 'catalog.duckdb')} was missing: rebuilt it from the lake: 1 partitions in the lake (raw_events 1, events 0, daily_ctr 0, daily_conversions 0, daily_experiments 0, experiments 0, anomalies 0), 1 newly registered`]);
      const { stdout, stderr } = await run(process.execPath, [bin, 'query', 'SELECT count(*) AS n FROM raw_events', '--json', '--data-dir', copy]);
      expect([stdout, stderr]).toEqual(['{"n":3}\n', '']);
    } finally {
      await rm(copy, { recursive: true, force: true });
    }
  });
});
