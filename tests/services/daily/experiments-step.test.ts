import { LocalPartitionWriter } from '../../../shared/adapters/local/partition-writer';
import { rowsSelect } from '../../../shared/daily/rows-select';
import { evaluateExperiments } from '../../../shared/experiments/evaluate';
import type { DailyExperimentCount } from '../../../shared/experiments/types';
import type { ChatMessage, Notifier } from '../../../shared/ports/notifier';
import { dailyExperimentColumns } from '../../../shared/schema/columns';
import { dateRange } from '../../../shared/time';
import { localDailyContext } from '../../../local/daily-context';
import { digest, experiments } from '../../../services/daily/steps';
import { closeTempLake, openTempLake, type TempLake } from '../../support/temp-lake';

/*
 * The experiments step and the digest over a local lake: daily_experiments partitions as the
 * cohort rebuilds write them (hand-made counts), evaluated on each date and written as the
 * `experiments` partition of that date; the digest tells a decision on the day it is reached.
 */

class RecordingNotifier implements Notifier {
  readonly messages: ChatMessage[] = [];
  async post(message: ChatMessage): Promise<void> {
    this.messages.push(message);
  }
}

const days = dateRange('2024-05-01', '2024-05-06');
const split = '{"b":1,"control":1}';
// 1,500 delivered a day per arm; `b` taps 13% against 10%. An experiment that stopped sending
// 40 days before is left out; one without a split still gets evaluated against an equal one.
const counts = (dt: string): DailyExperimentCount[] => [
  { dt, experiment_id: 'cta', variant: 'control', metric: 'ctr', exposures: 1500, successes: 150, declared_split: split },
  { dt, experiment_id: 'cta', variant: 'b', metric: 'ctr', exposures: 1500, successes: 195, declared_split: split },
];
const stale: DailyExperimentCount[] = [
  { dt: '2024-03-20', experiment_id: 'old', variant: 'control', metric: 'ctr', exposures: 900, successes: 90, declared_split: null },
  { dt: '2024-03-20', experiment_id: 'old', variant: 'b', metric: 'ctr', exposures: 900, successes: 91, declared_split: null },
];

let lake: TempLake;

beforeAll(async () => {
  lake = await openTempLake('wa-experiments-step-');
  const writer = new LocalPartitionWriter(lake);
  await writer.write('daily_experiments', '2024-03-20', rowsSelect(dailyExperimentColumns, stale));
  for (const dt of days) await writer.write('daily_experiments', dt, rowsSelect(dailyExperimentColumns, counts(dt)));
});

afterAll(() => closeTempLake(lake));

describe('the experiments step', () => {
  it('writes each date the method evaluates on the whole history of the running experiments, and the digest tells the day of the decision', async () => {
    const history = [...stale, ...days.flatMap(counts)];
    const decidedOn = days.find((dt) => evaluateExperiments(history.filter((r) => r.experiment_id === 'cta'), dt).some((r) => r.decision === 'winner'));
    // The counts make the decision come after the first day, so "the day it is reached" is a real day.
    expect(decidedOn).toBeDefined();
    expect(decidedOn! > days[0]!).toBe(true);
    const slack = new RecordingNotifier();
    const ctx = localDailyContext({ catalog: lake.catalog, engine: lake.engine, timeZone: 'UTC', attributionDays: 7, notifier: slack });
    for (const dt of days) {
      expect(await experiments(ctx, { date: dt })).toEqual({ experiments: 1, rows: 2 });
      await digest(ctx, { date: dt, lookbackDays: 2, attributionDays: 7 });
    }
    const { rows } = await lake.engine.query(`SELECT dt, experiment_id, variant, exposures, successes, decision, days_running FROM experiments ORDER BY dt, variant`);
    const expected = days.flatMap((dt) =>
      evaluateExperiments(history.filter((r) => r.experiment_id === 'cta'), dt)
        .sort((a, b) => (a.variant < b.variant ? -1 : 1))
        .map((r) => ({ dt, experiment_id: r.experiment_id, variant: r.variant, exposures: r.exposures, successes: r.successes, decision: r.decision, days_running: r.days_running })),
    );
    expect(rows).toEqual(expected);
    expect(rows.filter((r) => r.dt === '2024-05-06')).toEqual([
      { dt: '2024-05-06', experiment_id: 'cta', variant: 'b', exposures: 9000, successes: 1170, decision: 'winner', days_running: 6 },
      { dt: '2024-05-06', experiment_id: 'cta', variant: 'control', exposures: 9000, successes: 900, decision: 'inconclusive', days_running: 6 },
    ]);
    expect(slack.messages).toHaveLength(days.length);
    const told = slack.messages.map((m, i) => [days[i], m.text.split('\n').filter((l) => l.startsWith('Experiment '))]);
    expect(told.filter(([, lines]) => lines!.length > 0).map(([dt]) => dt)).toEqual([decidedOn]);
    const line = told.find(([dt]) => dt === decidedOn)![1]![0]!;
    expect(line).toMatch(/^Experiment `cta` \(day \d\): `b` wins on ctr: \+30\.0% \[\+\d+\.\d%, \+\d+\.\d%\] vs `control` \(always-valid p /);
  });
});
