import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { experiments } from '../../cli/commands/experiments/run';
import { buildProgram } from '../../cli/main';
import { InputError } from '../../shared/errors';
import { evaluateExperiments } from '../../shared/experiments/evaluate';
import { parseDailyExperimentLines } from '../../shared/experiments/history';
import { addDays } from '../../shared/time';

const bin = join(__dirname, '../../bin/wa-analytics.cjs');
const start = '2025-03-03';
const split = '{"control":50,"b":50}';

const line = (d: number, variant: string, exposures: number, successes: number, metric = 'ctr'): string =>
  JSON.stringify({ dt: addDays(start, d), experiment_id: 'button-wording', variant, metric, exposures, successes, declared_split: split });

/** Five days: b taps at 15% against the control's 10%, conversions equal; 2,000 delivered a day per arm. */
const historyLines = Array.from({ length: 5 }, (_, d) => [line(d, 'control', 2000, 200), line(d, 'b', 2000, 300), line(d, 'control', 2000, 40, 'conversion_rate'), line(d, 'b', 2000, 40, 'conversion_rate')]).flat();

let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'wa-experiments-'));
  file = join(dir, 'daily_experiments.jsonl');
  writeFileSync(file, `${historyLines.join('\n')}\n`);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

type Printed = Record<string, unknown>;

async function runCli(args: string[]): Promise<string> {
  const written: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
  try {
    await buildProgram().parseAsync(['node', 'wa-analytics', 'experiments', ...args]);
  } finally {
    spy.mockRestore();
  }
  return written.join('');
}

describe('wa-analytics experiments --history', () => {
  it('prints one JSON line per date, experiment, variant and metric: dt, then the experiments columns in schema order', async () => {
    const out = await runCli(['--history', file, '--from', start, '--to', addDays(start, 2)]);
    const lines = out.split('\n');
    expect(lines.at(-1)).toBe('');
    const rows = lines.slice(0, -1).map((l) => JSON.parse(l) as Printed);
    expect(rows).toHaveLength(3 * 4);
    for (const row of rows) {
      expect(Object.keys(row)).toEqual(['dt', 'experiment_id', 'variant', 'metric', 'exposures', 'successes', 'rate', 'control_variant', 'control_rate', 'lift', 'lift_lower', 'lift_upper', 'p_value', 'decision', 'srm_p_value', 'days_running']);
    }
    expect(rows.map((r) => [r.dt, r.metric, r.variant, r.exposures, r.days_running])).toEqual(
      [0, 1, 2].flatMap((d) => [
        [addDays(start, d), 'conversion_rate', 'control', 2000 * (d + 1), d + 1],
        [addDays(start, d), 'conversion_rate', 'b', 2000 * (d + 1), d + 1],
        [addDays(start, d), 'ctr', 'control', 2000 * (d + 1), d + 1],
        [addDays(start, d), 'ctr', 'b', 2000 * (d + 1), d + 1],
      ]),
    );
    const ctrB = rows.filter((r) => r.metric === 'ctr' && r.variant === 'b');
    expect(ctrB.map((r) => r.decision)).toEqual(['winner', 'winner', 'winner']);
    expect(rows.filter((r) => r.metric === 'conversion_rate' && r.variant === 'b').map((r) => [r.lift, r.p_value, r.decision])).toEqual([
      [0, 1, 'inconclusive'],
      [0, 1, 'inconclusive'],
      [0, 1, 'inconclusive'],
    ]);
  });

  it('evaluates each date on the rows up to and including it, as the library does', () => {
    const printed = experiments({ history: file, date: addDays(start, 1) }).map((l) => JSON.parse(l) as Printed);
    const expected = evaluateExperiments(parseDailyExperimentLines(historyLines.join('\n')), addDays(start, 1));
    expect(printed).toEqual(expected.map((r) => ({ dt: addDays(start, 1), ...r })));
    expect(printed.every((r) => r.exposures === 4000)).toBe(true);
  });

  it('prints nothing for a date before the first row', () => {
    expect(experiments({ history: file, date: addDays(start, -1) })).toEqual([]);
  });

  it('refuses a history run without the file, or with a lake or stage to read as well', () => {
    expect(() => experiments({ date: start })).toThrow(InputError);
    expect(() => experiments({ date: start })).toThrow('experiments: --history FILE is needed to run the method on a file');
    expect(() => experiments({ history: file, date: start, stage: 'dev' })).toThrow('experiments: --history reads a file; it takes no --data-dir or --stage');
  });

  it('names the line of a bad history row', () => {
    writeFileSync(file, `${historyLines[0]}\n${historyLines[1]!.replace('"ctr"', '"clicks"')}\n`);
    const run = (): unknown => experiments({ history: file, date: start });
    expect(run).toThrow(InputError);
    expect(run).toThrow('history line 2: "metric" must be one of ctr, conversion_rate (got "clicks")');
  });

  it('exits 2 with one line on stderr from the bin, for a bad row and for a range without --history', () => {
    writeFileSync(file, `${historyLines[0]}\n{"dt":"2025-03-03"\n`);
    const bad = spawnSync(process.execPath, [bin, 'experiments', '--history', file, '--from', start, '--to', start], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toBe('wa-analytics: input error: history line 2: not valid JSON\n');
    const missing = spawnSync(process.execPath, [bin, 'experiments', '--from', start, '--to', start], { encoding: 'utf8' });
    expect(missing.status).toBe(2);
    expect(missing.stderr).toBe('wa-analytics: input error: experiments: --from and --to go with --history FILE; to read the table of one date, give --date\n');
  });

  it('prints the lines from the bin, exit 0', () => {
    const ok = spawnSync(process.execPath, [bin, 'experiments', '--history', file, '--date', addDays(start, 4)], { encoding: 'utf8' });
    expect(ok.status).toBe(0);
    expect(ok.stderr).toBe('');
    const rows = ok.stdout.trim().split('\n').map((l) => JSON.parse(l) as Printed);
    expect(rows.map((r) => [r.metric, r.variant, r.decision, r.days_running])).toEqual([
      ['conversion_rate', 'control', 'inconclusive', 5],
      ['conversion_rate', 'b', 'inconclusive', 5],
      ['ctr', 'control', 'inconclusive', 5],
      ['ctr', 'b', 'winner', 5],
    ]);
  });
});
