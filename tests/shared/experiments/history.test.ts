import { InputError } from '../../../shared/errors';
import { parseDailyExperimentLines } from '../../../shared/experiments/history';

const line = (o: Record<string, unknown>): string => JSON.stringify({ dt: '2025-03-03', experiment_id: 'btn', variant: 'control', metric: 'ctr', exposures: 2000, successes: 200, ...o });

describe('parseDailyExperimentLines', () => {
  it('reads rows, with or without a declared split, skipping blank lines; BIGINT digit strings are counts', () => {
    const rows = parseDailyExperimentLines(`${line({})}\n\n${line({ variant: 'b', exposures: '1999', successes: '250', declared_split: '{"control":1,"b":1}' })}\n${line({ metric: 'conversion_rate', declared_split: { control: 1, b: 1 } })}\n`);
    expect(rows).toEqual([
      { dt: '2025-03-03', experiment_id: 'btn', variant: 'control', metric: 'ctr', exposures: 2000, successes: 200, declared_split: null },
      { dt: '2025-03-03', experiment_id: 'btn', variant: 'b', metric: 'ctr', exposures: 1999, successes: 250, declared_split: '{"control":1,"b":1}' },
      { dt: '2025-03-03', experiment_id: 'btn', variant: 'control', metric: 'conversion_rate', exposures: 2000, successes: 200, declared_split: { control: 1, b: 1 } },
    ]);
  });

  it.each([
    ['not json', 'history line 2: not valid JSON'],
    ['[1,2]', 'history line 2: expected a JSON object (one daily_experiments row)'],
    [line({ dt: '03/03/2025' }), 'history line 2: "dt" must be a YYYY-MM-DD date'],
    [line({ metric: 'clicks' }), 'history line 2: "metric" must be one of ctr, conversion_rate (got "clicks")'],
    [line({ experiment_id: '' }), 'history line 2: "experiment_id" must be a non-empty string'],
    [line({ variant: 7 }), 'history line 2: "variant" must be a non-empty string'],
    [line({ exposures: -1 }), 'history line 2: "exposures" must be a non-negative integer'],
    [line({ successes: 2.5 }), 'history line 2: "successes" must be a non-negative integer'],
    [line({ successes: 2001 }), 'history line 2: "successes" must not exceed "exposures"'],
    [line({ declared_split: '{"control":' }), 'history line 2: declared_split is not valid JSON'],
    [line({ declared_split: [0.5, 0.5] }), 'history line 2: "declared_split" must be a JSON object, its text, or null'],
    [line({ declared_split: { control: -1 } }), 'history line 2: declared_split share of "control" must be a finite number ≥ 0'],
    [line({}), 'history line 2: same dt, experiment, variant and metric as line 1'],
  ])('names the line and the problem of %s', (bad, message) => {
    const run = (): unknown => parseDailyExperimentLines(`${line({})}\n${bad}\n`);
    expect(run).toThrow(InputError);
    expect(run).toThrow(message);
  });
});
