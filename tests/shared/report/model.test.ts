import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { timeToTapBuckets } from '../../../shared/report/charts';
import { buildReportModel, type ReportModel } from '../../../shared/report/model';
import type { ChartSpec } from '../../../shared/report/spec';
import type { AlertRow, CtrPointRow, ReportData } from '../../../shared/report/queries';
import { anomalyColor } from '../../../shared/report/format';
import { sharedCtrTop } from '../../../shared/report/ctr-chart';
import { showsToday } from '../../../shared/report/today-chart';
import { todayIn } from '../../../shared/today/read';
import { scenarioExperiments } from '../../support/experiment-rows';

const ctr = (dt: string, button: string, delivered: number, clicked: number, extra: Partial<CtrPointRow> = {}): CtrPointRow => ({
  dt,
  campaign_id: 'spring',
  template_name: 'v1',
  button_id: button,
  button_title: button.toUpperCase(),
  messages_delivered: delivered,
  clicked_messages: clicked,
  clicks: clicked,
  ctr: delivered === 0 ? null : clicked / delivered,
  ...extra,
});
const alert = (dt: string, button: string | null, extra: Partial<AlertRow> = {}): AlertRow => ({
  dt,
  campaign_id: 'spring',
  template_name: 'v1',
  button_id: button,
  metric: 'ctr',
  kind: 'drop',
  observed: 0.1,
  expected: 0.5,
  lower: 0.3,
  upper: 0.7,
  score: 5,
  baseline_days: 28,
  ...extra,
});

const key = (button: string | null) => ({ campaign_id: 'spring', template_name: 'v1', button_id: button, button_title: button === null ? null : button.toUpperCase() });

const data: ReportData = {
  // 05-02 is missing on purpose: the chart must show a gap, not join 05-01 to 05-03.
  ctrOverTime: [ctr('2024-05-01', 'yes', 10, 5), ctr('2024-05-03', 'yes', 10, 1), ctr('2024-05-01', 'no', 10, 2), ctr('2024-05-03', 'no', 0, 0)],
  ctrByPosition: [
    { button_position: 1, messages_delivered: 20, clicked_messages: 6, clicks: 7, ctr: 0.3 },
    { button_position: 2, messages_delivered: 20, clicked_messages: 2, clicks: 2, ctr: 0.1 },
  ],
  funnel: [{ campaign_id: 'spring', messages_sent: 25, messages_delivered: 20, messages_read: 15, messages_tapped: 8, messages_converted: 3, conversions: 4 }],
  conversionByButton: [{ ...key('yes'), clicked_messages: 8, converted_messages: 3, conversions: 4, conversion_rate: 0.375 }],
  revenueByButton: [
    { ...key('yes'), currency: 'BRL', conversions: 3, revenue: 300.5 },
    { ...key(null), campaign_id: 'unattributed', template_name: null, currency: 'BRL', conversions: 1, revenue: 50 },
    { ...key('yes'), currency: 'MXN', conversions: 1, revenue: 249 },
    { ...key('no'), currency: 'USD', conversions: 1, revenue: 10 },
    // Sign-ups: no value, no currency.
    { ...key('no'), currency: null, conversions: 2, revenue: null },
  ],
  timeToConvert: [
    { ...key('yes'), conversions: 4, typical_seconds: 5400 },
    { ...key('no'), conversions: 3, typical_seconds: null },
  ],
  timeToTap: [
    { lower_seconds: 60, taps: 3 },
    { lower_seconds: 259_200, taps: 1 },
  ],
  dailyVolume: [
    { day: '2024-05-01', messages_sent: 20, messages_delivered: 18, taps: 6 },
    { day: '2024-05-03', messages_sent: 5, messages_delivered: 2, taps: 2 },
  ],
  quarantine: [
    { arrival_date: '2024-05-01', reason: 'bad_signature', quarantined_rows: 2 },
    { arrival_date: '2024-05-02', reason: 'malformed_json', quarantined_rows: 1 },
  ],
  alerts: [alert('2024-05-03', 'yes')],
  experiments: scenarioExperiments,
};

const empty: ReportData = { ctrOverTime: [], ctrByPosition: [], funnel: [], conversionByButton: [], revenueByButton: [], timeToConvert: [], timeToTap: [], dailyVolume: [], quarantine: [], alerts: [], experiments: [] };

function chart(model: ReportModel, id: string): ChartSpec {
  const found = model.charts.find((c) => c.id === id);
  if (found === undefined) throw new Error(`no chart ${id}`);
  return found;
}

const model = buildReportModel(data, { generatedAt: '2024-05-04T06:00:00.000Z' });

describe('report model: CTR per button over time', () => {
  const c = chart(model, 'ctr-over-time-spring');

  it('puts every day of the range on the x axis and leaves missing days empty', () => {
    expect(c.labels).toEqual(['2024-05-01', '2024-05-02', '2024-05-03']);
    const no = c.datasets.find((d) => d.label === 'v1 · NO')!;
    const yes = c.datasets.find((d) => d.label === 'v1 · YES')!;
    expect(yes.data).toEqual([50, null, 10]);
    // Nothing delivered: the CTR is unknown, not 0 %.
    expect(no.data).toEqual([20, null, null]);
    expect(c.yTitle).toBe('CTR (%)');
    expect(c.yUnit).toBe('percent');
  });

  it('marks the alerted day on its series with a legend entry of its own', () => {
    const marker = c.datasets.find((d) => d.role === 'marker')!;
    expect(marker.label).toMatch(/anomaly/i);
    expect(marker.color).toBe(anomalyColor);
    expect(marker.data).toEqual([{ x: '2024-05-03', y: 10 }]);
    expect(marker.notes).toEqual(['drop in ctr: observed 10.0 %, expected 50.0 %']);
    expect(c.datasets.filter((d) => d.role === 'series').every((d) => d.color !== anomalyColor)).toBe(true);
  });

  it('marks every button of the template for an alert without a button', () => {
    const m = buildReportModel({ ...data, alerts: [alert('2024-05-01', null, { metric: 'messages_delivered', kind: 'zero', observed: 0, expected: 40 })] }, { generatedAt: 'x' });
    const marker = chart(m, 'ctr-over-time-spring').datasets.find((d) => d.role === 'marker')!;
    expect(marker.data).toEqual([
      { x: '2024-05-01', y: 20 },
      { x: '2024-05-01', y: 50 },
    ]);
    expect(marker.notes![0]).toBe('zero in messages_delivered: observed 0.0, expected 40.0');
  });

  it('draws alerted series first when capped and says how many are only in the table', () => {
    const m = buildReportModel({ ...data, alerts: [alert('2024-05-01', 'no')] }, { generatedAt: 'x', maxCtrSeries: 1 });
    const c1 = chart(m, 'ctr-over-time-spring');
    // "yes" has more taps, but "no" carries the alert.
    expect(c1.datasets.filter((d) => d.role === 'series').map((d) => d.label)).toEqual(['v1 · NO']);
    expect(c1.description).toContain('Showing 1 of 2 buttons');
    expect(c1.table.rows).toHaveLength(4);
  });

  it('lists every point in the table with counts, the CTR in percent and the alert', () => {
    expect(c.table.columns.map((col) => col.label)).toContain('CTR (%)');
    expect(c.table.rows).toContainEqual(['2024-05-03', 'v1', 'YES', '10', '1', '1', '10.0 %', 'drop in ctr']);
    expect(c.table.rows).toContainEqual(['2024-05-03', 'v1', 'NO', '0', '0', '0', '–', '']);
  });
});

describe('report model: one CTR panel per campaign', () => {
  // A second campaign whose best day (3 of 4 tapped, 75 %) is the highest CTR of any panel.
  const autumn = [ctr('2024-05-02', 'go', 4, 3, { campaign_id: 'autumn', template_name: 'a1' }), ctr('2024-05-03', 'go', 4, 1, { campaign_id: 'autumn', template_name: 'a1' })];
  const m = buildReportModel({ ...data, ctrOverTime: [...data.ctrOverTime, ...autumn] }, { generatedAt: 'x' });
  const panels = m.charts.filter((c) => c.id.startsWith('ctr-over-time'));

  it('draws each campaign in its own panel, alerted campaigns first, each with its own buttons and table', () => {
    expect(panels.map((c) => [c.id, c.title])).toEqual([
      ['ctr-over-time-spring', 'CTR per button over time: spring'],
      ['ctr-over-time-autumn', 'CTR per button over time: autumn'],
    ]);
    expect(panels[1]!.datasets.map((d) => [d.label, d.data])).toEqual([['a1 · GO', [null, 75, 25]]]);
    expect(panels[1]!.table.rows).toEqual([
      ['2024-05-02', 'a1', 'GO', '4', '3', '3', '75.0 %', ''],
      ['2024-05-03', 'a1', 'GO', '4', '1', '1', '25.0 %', ''],
    ]);
    // The alert is spring's: only spring's panel carries a marker.
    expect(panels.map((c) => c.datasets.filter((d) => d.role === 'marker').length)).toEqual([1, 0]);
  });

  it('puts every panel on the same dates and the same y scale, the highest CTR drawn plus a step', () => {
    expect(panels.map((c) => c.labels)).toEqual([['2024-05-01', '2024-05-02', '2024-05-03'], ['2024-05-01', '2024-05-02', '2024-05-03']]);
    // 75 % on steps of 10 above 50 %: 80.
    expect(panels.map((c) => c.yRange)).toEqual([{ min: 0, max: 80 }, { min: 0, max: 80 }]);
    expect(sharedCtrTop(0)).toBe(10);
    expect(sharedCtrTop(3.2)).toBe(4);
    expect(sharedCtrTop(20)).toBe(25);
    expect(sharedCtrTop(100)).toBe(100);
  });

  it('lists the campaigns beyond the panel limit in one table, every point', () => {
    const capped = buildReportModel({ ...data, ctrOverTime: [...data.ctrOverTime, ...autumn] }, { generatedAt: 'x', maxCtrPanels: 1 });
    expect(capped.charts.filter((c) => c.id.startsWith('ctr-over-time')).map((c) => c.id)).toEqual(['ctr-over-time-spring']);
    expect(capped.charts[0]!.description).toContain('Charted: 1 of 2 campaigns');
    const rest = capped.tables.find((t) => t.id === 'ctr-over-time-other')!;
    expect(rest.table.columns.map((c) => c.label).slice(0, 3)).toEqual(['Cohort date', 'Campaign', 'Template']);
    expect(rest.table.rows.map((r) => r.slice(0, 3))).toEqual([
      ['2024-05-02', 'autumn', 'a1'],
      ['2024-05-03', 'autumn', 'a1'],
    ]);
  });

  it('keeps one empty CTR chart that says what to run when there are no rows', () => {
    const e = buildReportModel(empty, { generatedAt: 'x' });
    expect(e.charts.filter((c) => c.id.startsWith('ctr-over-time')).map((c) => [c.id, c.emptyMessage])).toEqual([['ctr-over-time', 'No daily CTR rows yet: run the daily workflow (wa-analytics daily).']]);
  });
});

describe('report model: today so far', () => {
  const row = { ...ctr('2024-05-04', 'yes', 40, 6), button_position: 1, messages_sent: 50, messages_read: 30, unique_users: 6, read_ctr: 0.2, median_seconds_to_click: 60, conversions: 2, converted_messages: 2, conversion_rate: 1 / 3 };
  const { dt: _dt, ...todayRow } = row;
  // 2024-05-04 09:30 in São Paulo (UTC−3).
  const clock = todayIn('America/Sao_Paulo', Date.parse('2024-05-04T12:30:00Z'));

  it('comes first, wide, with the date, the zone and the time it counts up to, and every number in the table', () => {
    const m = buildReportModel({ ...data, today: { clock, rows: [todayRow] } }, { generatedAt: 'x' });
    const t = m.charts[0]!;
    expect([t.id, t.title, t.wide]).toEqual(['today', 'Today so far: 2024-05-04', true]);
    expect(t.description).toContain('(2024-05-04, America/Sao_Paulo) as of 09:30');
    expect(t.labels).toEqual(['spring · YES']);
    expect(t.datasets[0]!.data).toEqual([15]);
    expect(t.table.rows).toEqual([['spring', 'v1', 'YES', '50', '40', '6', '6', '15.0 %', '2']]);
  });

  it('is left out of a report built without today (a past range, the demo)', () => {
    expect(model.charts.some((c) => c.id === 'today')).toBe(false);
  });

  it('shows when something of today arrived, or when the report reaches yesterday; not for an older history', () => {
    expect(showsToday({ clock, rows: [todayRow] }, '2024-04-01')).toBe(true);
    expect(showsToday({ clock, rows: [] }, '2024-05-03')).toBe(true);
    expect(showsToday({ clock, rows: [] }, '2024-05-02')).toBe(false);
    expect(showsToday({ clock, rows: [] }, null)).toBe(false);
  });
});

describe('report model: other charts', () => {
  it('shows CTR by position as percentages per position', () => {
    const c = chart(model, 'ctr-by-position');
    expect(c.labels).toEqual(['Position 1', 'Position 2']);
    expect(c.datasets[0]!.data).toEqual([30, 10]);
    expect(c.table.rows[0]).toEqual(['1', '20', '6', '7', '30.0 %']);
  });

  it('shows the funnel as message counts per stage with rates in the table', () => {
    const c = chart(model, 'funnel');
    expect(c.datasets.map((d) => [d.label, d.data])).toEqual([
      ['Sent', [25]],
      ['Delivered', [20]],
      ['Read', [15]],
      ['Tapped', [8]],
      ['Converted', [3]],
    ]);
    expect(c.yTitle).toBe('Messages');
    expect(c.table.rows[0]).toEqual(['spring', '25', '20', '15', '8', '3', '4', '75.0 %', '40.0 %', '37.5 %']);
  });

  it('shows the converted stage as unknown, not zero, for a campaign with no cohort counted with conversions', () => {
    const m = buildReportModel({ ...data, funnel: [{ ...data.funnel[0]!, messages_converted: null, conversions: null }] }, { generatedAt: 'x' });
    const c = chart(m, 'funnel');
    expect(c.datasets.find((d) => d.label === 'Converted')!.data).toEqual([null]);
    expect(c.table.rows[0]!.slice(5)).toEqual(['–', '–', '75.0 %', '40.0 %', '–']);
  });

  it('shows the conversion rate per button as a percentage of tapped messages', () => {
    const c = chart(model, 'conversion-rate');
    expect(c.labels).toEqual(['spring · YES']);
    expect(c.datasets[0]!.data).toEqual([37.5]);
    expect(c.table.rows[0]).toEqual(['spring', 'v1', 'YES', '8', '3', '4', '37.5 %']);
  });

  it('draws revenue in one currency per chart, the currencies with most conversions, and lists the rest in a table', () => {
    expect(model.charts.filter((c) => c.id.startsWith('revenue')).map((c) => c.id)).toEqual(['revenue-brl', 'revenue-mxn']);
    const brl = chart(model, 'revenue-brl');
    expect(brl.labels).toEqual(['spring · YES', 'unattributed · (no tap)']);
    expect(brl.datasets.map((d) => [d.label, d.data])).toEqual([['Revenue (BRL)', [300.5, 50]]]);
    expect(brl.table.rows).toEqual([
      ['spring', 'v1', 'YES', '3', 'R$300.50'],
      ['unattributed', '–', '(no tap)', '1', 'R$50.00'],
    ]);
    expect(chart(model, 'revenue-mxn').table.rows).toEqual([['spring', 'v1', 'YES', '1', 'MX$249.00']]);
    expect(model.tables).toEqual([
      expect.objectContaining({ id: 'revenue-other', table: { columns: expect.any(Array), rows: [['spring', 'v1', 'NO', 'USD', '1', '$10.00']] } }),
    ]);
    // With room for every currency there is no table.
    expect(buildReportModel({ ...data, revenueByButton: data.revenueByButton.filter((r) => r.currency !== 'USD') }, { generatedAt: 'x' }).tables).toEqual([]);
  });

  it('labels buttons by campaign and title, adding the template only where two would read the same', () => {
    const rows = [key('yes'), { ...key('yes'), template_name: 'v2' }, key('no')];
    const m = buildReportModel({ ...data, conversionByButton: rows.map((k) => ({ ...k, clicked_messages: 1, converted_messages: 1, conversions: 1, conversion_rate: 1 })) }, { generatedAt: 'x' });
    expect(chart(m, 'conversion-rate').labels).toEqual(['spring · v1 · YES', 'spring · v2 · YES', 'spring · NO']);
  });

  it('shows the typical time from tap to conversion in hours, buttons without one left out', () => {
    const c = chart(model, 'time-to-convert');
    expect(c.labels).toEqual(['spring · YES']);
    expect(c.datasets[0]!.data).toEqual([1.5]);
    expect(c.table.rows).toEqual([['spring', 'v1', 'YES', '4', '2 h', '5,400']]);
  });

  it('shows every time-to-tap bucket, empty ones as zero, with readable labels', () => {
    const c = chart(model, 'time-to-tap');
    expect(c.labels).toEqual(['< 1 min', '1 min – 5 min', '5 min – 15 min', '15 min – 1 h', '1 h – 6 h', '6 h – 1 d', '1 d – 3 d', '≥ 3 d']);
    expect(c.datasets[0]!.data).toEqual([0, 3, 0, 0, 0, 0, 0, 1]);
    expect(c.table.rows[1]).toEqual(['1 min – 5 min', '60', '300', '3', '75.0 %']);
  });

  it('adds a bucket for taps timed before the delivery status only when there are some', () => {
    const m = buildReportModel({ ...data, timeToTap: [{ lower_seconds: -1, taps: 2 }] }, { generatedAt: 'x' });
    expect(chart(m, 'time-to-tap').labels[0]).toBe('before delivery status');
    expect(chart(model, 'time-to-tap').labels).not.toContain('before delivery status');
  });

  it('uses the same bucket bounds as the SQL', () => {
    const sql = readFileSync(join(__dirname, '../../../shared/sql/queries/report/time-to-tap.sql'), 'utf8');
    const thens = [...sql.matchAll(/WHEN seconds < -?\d+ THEN (-?\d+)/g)].map((m) => Number(m[1]));
    const last = Number(/ELSE (\d+)/.exec(sql)![1]);
    expect([...thens.filter((t) => t >= 0), last]).toEqual([...timeToTapBuckets]);
  });

  it('fills days without volume with zeros', () => {
    const c = chart(model, 'daily-volume');
    expect(c.labels).toEqual(['2024-05-01', '2024-05-02', '2024-05-03']);
    expect(c.datasets.find((d) => d.label === 'Taps')!.data).toEqual([6, 0, 2]);
    expect(c.yTitle).toBe('Messages per day');
  });

  it('stacks quarantined rows by reason per arrival day', () => {
    const c = chart(model, 'quarantine');
    expect(c.stacked).toBe(true);
    expect(c.datasets.map((d) => [d.label, d.data])).toEqual([
      ['bad_signature', [2, 0]],
      ['malformed_json', [0, 1]],
    ]);
  });
});

describe('report model: summary, alerts and empty data', () => {
  it('summarises the period, delivered and tapped messages, alerts and quarantine', () => {
    expect(model.summary).toEqual([
      { label: 'Period (3 days)', value: '2024-05-01 → 2024-05-03' },
      { label: 'Messages delivered', value: '20' },
      { label: 'Messages tapped', value: '8' },
      { label: 'Tapped / delivered', value: '40.0 %' },
      { label: 'Conversions', value: '8' },
      { label: 'Revenue', value: 'R$350.50 · MX$249.00 · $10.00' },
      { label: 'Alerts', value: '1' },
      { label: 'Quarantined rows', value: '3' },
    ]);
  });

  it('prints alert values in their metric unit', () => {
    expect(model.alerts.rows).toEqual([['2024-05-03', 'spring', 'v1', 'yes', 'ctr', 'drop', '10.0 %', '50.0 %', '30.0 % – 70.0 %', '5.0', '28']]);
    expect(model.alertsEmptyMessage).toBeNull();
  });

  it('gives every chart an empty-state message when there is no data, and none when there is', () => {
    const m = buildReportModel(empty, { generatedAt: 'x' });
    expect(m.charts.map((c) => c.emptyMessage !== null)).toEqual(m.charts.map(() => true));
    expect(model.charts.map((c) => c.emptyMessage)).toEqual(model.charts.map(() => null));
    expect(m.alertsEmptyMessage).toMatch(/no alerts/i);
    expect(m.summary[0]).toEqual({ label: 'Period', value: 'no data' });
  });

  it('titles both axes of every chart, with a unit on the y axis', () => {
    for (const c of model.charts) {
      expect(c.xTitle).not.toBe('');
      expect(c.yTitle).toMatch(/%|Messages|Taps|rows|\([A-Z]{3}\)|Hours/);
    }
  });
});
