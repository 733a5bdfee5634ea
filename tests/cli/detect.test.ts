import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { detect } from '../../cli/commands/detect/run';
import { targetDates } from '../../cli/history';
import { buildProgram } from '../../cli/main';
import { InputError } from '../../shared/errors';
import { addDays } from '../../shared/time';

const bin = join(__dirname, '../../bin/wa-analytics.cjs');
// 28 days of history from Monday 2025-03-03; the target is Monday 2025-03-31.
const start = '2025-03-03';
const target = addDays(start, 28);

const line = (dt: string, clicked: number, delivered = 2000): string =>
  JSON.stringify({ dt, campaign_id: 'spring', template_name: 'promo', button_id: 'yes', messages_delivered: delivered, clicked_messages: clicked, clicks: clicked, ctr: clicked / delivered });

/** History lines: 28 normal days at 10%, a drop to 4% on the target, a normal day after. */
const historyLines = [...Array.from({ length: 28 }, (_, t) => line(addDays(start, t), 200)), line(target, 80), line(addDays(target, 1), 200)];

let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'wa-detect-'));
  file = join(dir, 'daily_ctr.jsonl');
  writeFileSync(file, `${historyLines.join('\n')}\n`);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('wa-analytics detect', () => {
  it('prints the drop as one JSON line with the anomaly columns in schema order', async () => {
    const written: string[] = [];
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    try {
      await buildProgram().parseAsync(['node', 'wa-analytics', 'detect', '--history', file, '--date', target]);
    } finally {
      spy.mockRestore();
    }
    const lines = written.join('').split('\n');
    expect(lines.at(-1)).toBe('');
    expect(lines).toHaveLength(2);
    const row = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(Object.keys(row)).toEqual(['dt', 'campaign_id', 'template_name', 'button_id', 'metric', 'kind', 'observed', 'expected', 'lower', 'upper', 'score', 'baseline_days', 'incident_start']);
    expect(row).toMatchObject({ dt: target, campaign_id: 'spring', template_name: 'promo', button_id: 'yes', metric: 'ctr', kind: 'drop', observed: 0.04, expected: 0.1, baseline_days: 28, incident_start: target });
    expect(row.lower as number).toBeGreaterThan(0.04);
    expect(row.upper as number).toBeGreaterThan(0.1);
    expect(row.score as number).toBeGreaterThan(2);
  });

  it('runs every date of a range on earlier rows only: the day after the drop is quiet', () => {
    const lines = detect({ history: file, from: addDays(target, -1), to: addDays(target, 1) });
    expect(lines.map((l) => JSON.parse(l) as { dt: string; kind: string }).map((r) => [r.dt, r.kind])).toEqual([[target, 'drop']]);
  });

  it('flags every day of a three-day drop with the day it began, run alone or in a range', () => {
    const incident = [...historyLines.slice(0, 28), line(target, 80), line(addDays(target, 1), 90), line(addDays(target, 2), 85), line(addDays(target, 3), 200)];
    writeFileSync(file, `${incident.join('\n')}\n`);
    const ranged = detect({ history: file, from: target, to: addDays(target, 3) });
    const rows = ranged.map((l) => JSON.parse(l) as { dt: string; kind: string; incident_start: string });
    expect(rows.map((r) => [r.dt, r.kind, r.incident_start])).toEqual([0, 1, 2].map((k) => [addDays(target, k), 'drop', target]));
    // A date run alone sees the days before it as if the detector had run on each of them.
    expect(detect({ history: file, date: addDays(target, 2) })).toEqual([ranged[2]]);
  });

  it('prints nothing for a quiet date', () => {
    expect(detect({ history: file, date: addDays(target, -1) })).toEqual([]);
  });

  it('names the line of a bad history row', () => {
    writeFileSync(file, `${historyLines[0]}\n${historyLines[1]}\nnot json\n`);
    const run = (): unknown => detect({ history: file, date: target });
    expect(run).toThrow(InputError);
    expect(run).toThrow('history line 3: not valid JSON');
  });

  it('says when the history file cannot be read', () => {
    expect(() => detect({ history: join(dir, 'missing.jsonl'), date: target })).toThrow(/^cannot read history file .*missing\.jsonl/);
  });

  it.each([
    [{ from: '2025-04-02', to: '2025-04-01' }, '--from 2025-04-02 is after --to 2025-04-01'],
    [{ date: target, from: target, to: target }, 'give either --date or --from/--to, not both'],
    [{}, 'give --date D or --from D1 --to D2'],
    [{ from: target }, '--from and --to go together'],
    [{ date: '31/03/2025' }, '--date must be a date YYYY-MM-DD (got "31/03/2025")'],
    [{ date: '2026-02-30' }, '--date must be a date YYYY-MM-DD (got "2026-02-30")'],
    [{ from: '1999-12-31', to: '2000-01-02' }, '--from 1999-12-31 is outside 2000-01-01 … '],
    [{ date: '9999-12-31' }, '--date 9999-12-31 is outside 2000-01-01 … '],
  ])('rejects the flags %j', (flags, message) => {
    expect(() => targetDates(flags)).toThrow(InputError);
    expect(() => targetDates(flags)).toThrow(message);
  });

  it('lists an inclusive range of dates', () => {
    expect(targetDates({ from: '2025-03-30', to: '2025-04-01' })).toEqual(['2025-03-30', '2025-03-31', '2025-04-01']);
  });

  it('exits non-zero with one line on stderr from the bin', () => {
    const run = spawnSync(process.execPath, [bin, 'detect', '--history', file, '--from', '2025-04-02', '--to', '2025-04-01'], { encoding: 'utf8' });
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe('wa-analytics: input error: --from 2025-04-02 is after --to 2025-04-01\n');
  });
});
