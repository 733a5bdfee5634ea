import { buildDigest } from '../../../shared/slack/digest';
import { experimentNews, type ExperimentNewsRow } from '../../../shared/slack/experiment-news';
import { checkSlackMessage } from '../../support/slack-stand-in';

const row = (over: Partial<ExperimentNewsRow> & Pick<ExperimentNewsRow, 'dt' | 'variant'>): ExperimentNewsRow => ({
  experiment_id: 'cta_copy', metric: 'ctr', exposures: 5000, control_variant: 'control', lift: null, lift_lower: null, lift_upper: null,
  p_value: null, decision: 'inconclusive', srm_p_value: 0.41, days_running: 9, ...over,
});
const control = (dt: string, over: Partial<ExperimentNewsRow> = {}) => row({ dt, variant: 'control', ...over });
const urgent = (dt: string, over: Partial<ExperimentNewsRow> = {}) => row({ dt, variant: 'urgent', lift: 0.182, lift_lower: 0.091, lift_upper: 0.275, p_value: 0.0031, ...over });

describe('experiment news in the digest', () => {
  it('announces a winner on the day it is reached, and not again the day after', () => {
    const rows = [control('2024-05-08'), urgent('2024-05-08'), control('2024-05-09'), urgent('2024-05-09', { decision: 'winner' })];
    expect(experimentNews(rows, '2024-05-09', '2024-05-08')).toEqual([
      'Experiment `cta_copy` (day 9): `urgent` wins on ctr: +18.2% [+9.1%, +27.5%] vs `control` (always-valid p 0.003)',
    ]);
    const next = [control('2024-05-09'), urgent('2024-05-09', { decision: 'winner' }), control('2024-05-10'), urgent('2024-05-10', { decision: 'winner' })];
    expect(experimentNews(next, '2024-05-10', '2024-05-09')).toEqual([]);
  });

  it('announces a loser with its negative interval, and a decision on a second metric as news', () => {
    const loser = { decision: 'loser', lift: -0.12, lift_lower: -0.2, lift_upper: -0.041, p_value: 0.0002, metric: 'conversion_rate' } as const;
    const rows = [urgent('2024-05-09', { decision: 'winner' }), urgent('2024-05-10', { decision: 'winner' }), urgent('2024-05-10', loser)];
    expect(experimentNews(rows, '2024-05-10', '2024-05-09')).toEqual([
      'Experiment `cta_copy` (day 9): `urgent` loses on conversion_rate: −12.0% [−20.0%, −4.1%] vs `control` (always-valid p 2.0e-4); `urgent` wins on ctr: +18.2% [+9.1%, +27.5%] vs `control` (always-valid p 0.003)',
    ]);
  });

  it('announces a sample-ratio mismatch with the delivered split, instead of any decision', () => {
    const srm = { decision: 'srm', srm_p_value: 3.2e-9 } as const;
    const rows = [control('2024-05-10', { ...srm, exposures: 6200 }), urgent('2024-05-10', { ...srm, exposures: 3800 })];
    expect(experimentNews(rows, '2024-05-10', '2024-05-09')).toEqual([
      'Experiment `cta_copy` (day 9): sample ratio mismatch on ctr (χ² p 3.2e-9; delivered `control` 6,200 · `urgent` 3,800): check the assignment, no winner is called',
    ]);
  });

  it('says nothing of inconclusive experiments, and gives the digest a section only when there is news', () => {
    expect(experimentNews([control('2024-05-10'), urgent('2024-05-10')], '2024-05-10', '2024-05-09')).toEqual([]);
    const quiet = buildDigest({ date: '2024-05-10', anomalies: [], headlines: [], quarantined: 0, experiments: [] });
    expect(JSON.stringify(quiet.blocks)).not.toContain('Experiments');
    const news = experimentNews([urgent('2024-05-10', { decision: 'winner' })], '2024-05-10', '2024-05-09');
    const digest = buildDigest({ date: '2024-05-10', anomalies: [], headlines: [], quarantined: 0, experiments: news });
    expect(digest.text.split('\n')).toContain(news[0]);
    expect(JSON.stringify(digest.blocks)).toContain('*Experiments (evaluated 2024-05-10, always-valid)*');
    expect(checkSlackMessage(digest)).toEqual([]);
  });

  it('keeps a digest with hundreds of experiment lines inside Slack limits, pointing at the table', () => {
    const many = Array.from({ length: 300 }, (_, i) => `Experiment \`exp_${i}\` (day 3): \`b\` wins on ctr: +50.0% [+20.0%, +80.0%] vs \`control\` (always-valid p 0.001)`);
    const digest = buildDigest({ date: '2024-05-10', anomalies: [], headlines: [], quarantined: 0, experiments: many });
    expect(checkSlackMessage(digest)).toEqual([]);
    expect(JSON.stringify(digest.blocks)).toMatch(/… and \d+ more experiments \(query the experiments table, dt = '2024-05-10'\)/);
  });
});
