import { experimentsSection, liftAxis, referenceColor } from '../../../shared/report/experiment-charts';
import { seriesStyle } from '../../../shared/report/format';
import { buildReportModel } from '../../../shared/report/model';
import type { ReportData } from '../../../shared/report/queries';
import type { ChartSpec } from '../../../shared/report/spec';
import { scenarioExperiments } from '../../support/experiment-rows';

const section = experimentsSection(scenarioExperiments);

function chart(id: string, charts: readonly ChartSpec[] = section.charts): ChartSpec {
  const found = charts.find((c) => c.id === id);
  if (found === undefined) throw new Error(`no chart ${id} among ${charts.map((c) => c.id).join(', ')}`);
  return found;
}

describe('experiments section: lift over time', () => {
  it('draws one chart per experiment and metric, the most recently evaluated experiment first, CTR before conversion rate', () => {
    expect(section.charts.map((c) => c.id)).toEqual(['experiment-welcome-cta-ctr', 'experiment-welcome-cta-conversion-rate', 'experiment-button-order-ctr']);
    expect(section.charts.map((c) => c.title)).toEqual([
      'Experiment welcome-cta: lift in CTR over time',
      'Experiment welcome-cta: lift in conversion rate over time',
      'Experiment button-order: lift in CTR over time',
    ]);
    expect(section.rest).toBeNull();
  });

  it('draws each variant as its lift in percent with the interval ends as a band around it, and a zero line', () => {
    const c = chart('experiment-welcome-cta-ctr');
    expect(c.type).toBe('line');
    expect(c.xTitle).toBe('Evaluation date');
    expect(c.yTitle).toBe('Lift vs control (%)');
    expect(c.yUnit).toBe('percent');
    expect(c.labels).toEqual(['2024-05-04', '2024-05-05', '2024-05-06']);
    const color = seriesStyle(0).color;
    expect(c.datasets.map((d) => ({ label: d.label, data: d.data, role: d.role, color: d.color, dash: d.dash, fill: d.fillToPrevious ?? false, hidden: d.hideInLegend ?? false }))).toEqual([
      { label: 'short: lift', data: [33.33, 33.33, 40], role: 'series', color, dash: [], fill: false, hidden: false },
      { label: 'short: always-valid interval', data: [-45, -10, 5], role: 'interval', color, dash: [4, 3], fill: false, hidden: false },
      { label: 'short: interval upper end', data: [260, 95, 82], role: 'interval', color, dash: [4, 3], fill: true, hidden: true },
      { label: 'No difference from control', data: [0, 0, 0], role: 'reference', color: referenceColor, dash: [2, 2], fill: false, hidden: false },
    ]);
    expect(c.datasets[0]!.notes).toEqual([
      'interval -45.0 % to +260.0 % · p 0.620 · inconclusive',
      'interval -10.0 % to +95.0 % · p 0.210 · inconclusive',
      'interval +5.0 % to +82.0 % · p 0.012 · winner',
    ]);
    expect(c.emptyMessage).toBeNull();
  });

  it('fits the y axis to the lifts and the latest interval, clipping the wide first days, and says so', () => {
    // Fitted: 0, lifts up to 40, latest interval 5 to 82; span 82, padded by 8.2, in steps of 20.
    // The first days' -45 and +260 fall outside: clipped.
    const c = chart('experiment-welcome-cta-ctr');
    expect(c.yRange).toEqual({ min: -20, max: 100 });
    expect(c.description).toContain('the wider intervals of earlier days run off it');
    // button-order's one day fits: the axis is left to fit itself.
    expect(chart('experiment-button-order-ctr').yRange).toBeUndefined();
    expect(chart('experiment-button-order-ctr').description).not.toContain('run off');
  });

  it('never puts the axis below a lift of -100 %', () => {
    // Fitted -100 to 10: span 110, padded by 11, steps of 50: -150 raised to -100, 21 up to 50.
    expect(liftAxis([-90], [-100, 10], [-100, 400])).toEqual({ min: -100, max: 50 });
  });

  it('tables the latest evaluation with counts, rate, lift and interval, p-value, decision and days running', () => {
    const c = chart('experiment-welcome-cta-ctr');
    expect(c.table.columns.map((col) => col.label)).toEqual([
      'Variant',
      'Delivered (messages)',
      'Tapped (messages)',
      'CTR (%)',
      'Lift [always-valid interval]',
      'p-value',
      'Decision',
      'SRM p',
      'Days running',
    ]);
    expect(c.table.rows).toEqual([
      ['control (control)', '600', '90', '15.0 %', '–', '–', 'inconclusive', '1.000', '3'],
      ['short', '600', '126', '21.0 %', '+40.0 % [+5.0 %, +82.0 %]', '0.012', 'winner', '1.000', '3'],
    ]);
    expect(chart('experiment-welcome-cta-conversion-rate').table.columns[2]!.label).toBe('Converted (messages)');
    expect(chart('experiment-welcome-cta-conversion-rate').table.rows[1]).toEqual(['short', '600', '15', '2.5 %', '+25.0 % [-50.0 %, +220.0 %]', '0.800', 'inconclusive', '1.000', '3']);
  });

  it('states the latest decision of each variant in the chart description', () => {
    expect(chart('experiment-welcome-cta-ctr').description).toContain('Latest evaluation 2024-05-06 (day 3): short winner, lift +40.0 % [+5.0 %, +82.0 %], p 0.012.');
  });

  it('makes a sample-ratio mismatch visible in the table and the description, with the control named', () => {
    const c = chart('experiment-button-order-ctr');
    expect(c.yTitle).toBe('Lift vs a (%)');
    expect(c.table.rows).toEqual([
      ['a (control)', '500', '50', '10.0 %', '–', '–', 'srm (sample-ratio mismatch)', '< 0.001', '1'],
      ['b', '380', '57', '15.0 %', '+50.0 % [+10.0 %, +110.0 %]', '0.003', 'srm (sample-ratio mismatch)', '< 0.001', '1'],
    ]);
    expect(c.description).toContain('Sample-ratio mismatch (split check p < 0.001)');
    expect(c.description).toContain('no variant is called a winner');
    expect(chart('experiment-welcome-cta-ctr').description).not.toContain('Sample-ratio mismatch');
  });

  it('starts a metric at its own first evaluation and leaves a day without one as a gap', () => {
    expect(chart('experiment-welcome-cta-conversion-rate').labels).toEqual(['2024-05-05', '2024-05-06']);
    const s = experimentsSection(scenarioExperiments.filter((r) => r.dt !== '2024-05-05'));
    const c = chart('experiment-welcome-cta-ctr', s.charts);
    expect(c.labels).toEqual(['2024-05-04', '2024-05-05', '2024-05-06']);
    expect(c.datasets[0]!.data).toEqual([33.33, null, 40]);
    expect(c.datasets[0]!.notes![1]).toBeNull();
  });

  it('gives colliding experiment names distinct chart ids', () => {
    const rows = scenarioExperiments.filter((r) => r.experiment_id === 'button-order');
    const s = experimentsSection([...rows.map((r) => ({ ...r, experiment_id: 'A/B' })), ...rows.map((r) => ({ ...r, experiment_id: 'a-b' }))]);
    expect(s.charts.map((c) => c.id)).toEqual(['experiment-a-b-ctr', 'experiment-a-b-ctr-2']);
  });
});

describe('experiments section: bounds and empty state', () => {
  it('charts only the most recently evaluated experiments, says so, and lists the others by their latest evaluation', () => {
    const s = experimentsSection(scenarioExperiments, 1);
    expect(s.charts.map((c) => c.id)).toEqual(['experiment-welcome-cta-ctr', 'experiment-welcome-cta-conversion-rate']);
    expect(s.charts[0]!.description).toContain('Charted: the 1 most recently evaluated of 2 experiments; the others are in the table "Other experiments".');
    expect(s.rest).toEqual({
      id: 'experiments-other',
      title: 'Other experiments',
      description: 'The 1 experiment evaluated less recently than the 1 charted, by their latest evaluation.',
      table: {
        columns: expect.any(Array),
        rows: [
          ['button-order', 'CTR', '2024-05-05', 'a (control)', '500', '10.0 %', '–', '–', 'srm (sample-ratio mismatch)'],
          ['button-order', 'CTR', '2024-05-05', 'b', '380', '15.0 %', '+50.0 % [+10.0 %, +110.0 %]', '0.003', 'srm (sample-ratio mismatch)'],
        ],
      },
    });
  });

  it('says there is no experiment yet when the table has no rows, with one empty chart', () => {
    const s = experimentsSection([]);
    expect(s.rest).toBeNull();
    expect(s.charts).toHaveLength(1);
    expect(s.charts[0]).toMatchObject({ id: 'experiments', labels: [], datasets: [], table: { rows: [] } });
    expect(s.charts[0]!.emptyMessage).toMatch(/^No experiment evaluated yet/);
  });

  it('says so when only the control has been evaluated', () => {
    const s = experimentsSection(scenarioExperiments.filter((r) => r.variant === 'a'));
    expect(s.charts[0]!.datasets).toEqual([]);
    expect(s.charts[0]!.emptyMessage).toBe('No variant besides the control a evaluated yet.');
    expect(s.charts[0]!.table.rows).toHaveLength(1);
  });

  it('sits in the report model after the conversion charts, the other experiments among the tables', () => {
    const empty: ReportData = { ctrOverTime: [], ctrByPosition: [], funnel: [], conversionByButton: [], revenueByButton: [], timeToConvert: [], timeToTap: [], dailyVolume: [], quarantine: [], alerts: [], experiments: scenarioExperiments };
    const m = buildReportModel(empty, { generatedAt: 'x', maxExperiments: 1 });
    const ids = m.charts.map((c) => c.id);
    expect(ids.slice(ids.indexOf('time-to-convert') + 1, ids.indexOf('time-to-tap'))).toEqual(['experiment-welcome-cta-ctr', 'experiment-welcome-cta-conversion-rate']);
    expect(m.tables.map((t) => t.id)).toEqual(['experiments-other']);
  });
});
