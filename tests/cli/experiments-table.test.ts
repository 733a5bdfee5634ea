import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { printExperimentTable } from '../../cli/commands/experiments/table';
import { LocalPartitionWriter } from '../../shared/adapters/local/partition-writer';
import { rowsSelect } from '../../shared/daily/rows-select';
import { evaluateRange } from '../../shared/experiments/evaluate';
import type { DailyExperimentCount } from '../../shared/experiments/types';
import { experimentColumns } from '../../shared/schema/columns';
import { closeTempLake, openTempLake, type TempLake } from '../support/temp-lake';

/*
 * `wa-analytics experiments` over a local lake: the rows the workflow writes (the real method on a
 * hand-made history, written through the local partition writer) printed for a date, by default
 * the latest one evaluated.
 */

const bin = join(__dirname, '..', '..', 'bin', 'wa-analytics.cjs');
const days = ['2024-05-01', '2024-05-02', '2024-05-03'];
// 2,000 delivered a day per arm: control taps 10%, `urgent` 14% (a clear winner by day 2).
const history: DailyExperimentCount[] = days.flatMap((dt) => [
  { dt, experiment_id: 'cta_copy', variant: 'control', metric: 'ctr', exposures: 2000, successes: 200, declared_split: '{"control":1,"urgent":1}' },
  { dt, experiment_id: 'cta_copy', variant: 'urgent', metric: 'ctr', exposures: 2000, successes: 280, declared_split: '{"control":1,"urgent":1}' },
]);

let lake: TempLake;
const printed = async (flags: { date?: string; dataDir?: string }) => {
  let text = '';
  await printExperimentTable({ dataDir: lake.dataDir, ...flags }, (t) => (text += t), {}, () => undefined);
  return text;
};

beforeAll(async () => {
  lake = await openTempLake('wa-experiments-cli-');
  const writer = new LocalPartitionWriter(lake);
  for (const { dt, rows } of evaluateRange(history, days[0]!, days[2]!)) await writer.write('experiments', dt, rowsSelect(experimentColumns, rows));
});

afterAll(() => closeTempLake(lake));

describe('wa-analytics experiments (table of a date)', () => {
  it('prints the latest evaluation by default: the control first, the lift with its interval, the decision', async () => {
    const [latest] = evaluateRange(history, days[2]!, days[2]!).map((d) => d.rows);
    const urgent = latest!.find((r) => r.variant === 'urgent')!;
    expect(urgent.decision).toBe('winner');
    const lines = (await printed({})).split('\n');
    expect(lines[0]).toBe('Experiments evaluated 2024-05-03 (always-valid intervals and p-values, α = 0.05, corrected across variants)');
    expect(lines[1]).toMatch(/^experiment\s+metric\s+variant\s+delivered\s+successes\s+rate\s+lift\s+interval \(always valid\)\s+p\s+decision\s+srm p\s+days$/);
    expect(lines[3]).toMatch(/^cta_copy\s+ctr\s+control \(control\)\s+6000\s+600\s+10\.00%\s+-\s+-\s+-\s+inconclusive\s+1\.0000\s+3$/);
    const interval = `[+${(100 * urgent.lift_lower!).toFixed(1)}%, +${(100 * urgent.lift_upper!).toFixed(1)}%]`;
    expect(lines[4]).toMatch(new RegExp(`^cta_copy\\s+ctr\\s+urgent\\s+6000\\s+840\\s+14\\.00%\\s+\\+40\\.0%\\s+${interval.replace(/[[\]+.]/g, '\\$&')}\\s+${urgent.p_value!.toExponential(1).replace(/[+.]/g, '\\$&')}\\s+winner`));
  });

  it('prints the evaluation of the date asked for, and says when nothing was evaluated that day', async () => {
    expect(await printed({ date: '2024-05-01' })).toContain('Experiments evaluated 2024-05-01');
    expect(await printed({ date: '2024-05-01' })).toMatch(/cta_copy\s+ctr\s+urgent\s+2000\s+280\s+14\.00%/);
    expect(await printed({ date: '2024-04-20' })).toBe('Experiments evaluated 2024-04-20 (always-valid intervals and p-values, α = 0.05, corrected across variants)\n(no experiments)\n');
  });

  it('says so when the lake has no evaluation yet, and exits 2 on a missing data dir or a bad date', async () => {
    const empty = await openTempLake('wa-experiments-empty-');
    try {
      let text = '';
      await printExperimentTable({ dataDir: empty.dataDir }, (t) => (text += t), {}, () => undefined);
      expect(text).toBe('(no experiments evaluated yet: the daily workflow writes them once sends carry experiment_id and variant)\n');
    } finally {
      await closeTempLake(empty);
    }
    const missing = spawnSync(process.execPath, [bin, 'experiments', '--data-dir', join(lake.dataDir, 'nope')], { encoding: 'utf8' });
    expect(missing.status).toBe(2);
    expect(missing.stderr).toBe(`wa-analytics: input error: no local data at ${join(lake.dataDir, 'nope')} (run wa-analytics start or demo first, or pass --data-dir)\n`);
    const badDate = spawnSync(process.execPath, [bin, 'experiments', '--data-dir', lake.dataDir, '--date', '2024-13-01'], { encoding: 'utf8' });
    expect(badDate.status).toBe(2);
    expect(badDate.stderr).toMatch(/^wa-analytics: input error: --date/);
    const both = spawnSync(process.execPath, [bin, 'experiments', '--data-dir', lake.dataDir, '--stage', 'dev'], { encoding: 'utf8' });
    expect(both.status).toBe(2);
    expect(both.stderr).toBe('wa-analytics: input error: give --data-dir or --stage, not both\n');
  });
});
