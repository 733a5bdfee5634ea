import { detectorConfig } from '../../../shared/anomaly/config';
import { baselineHistory, directionOf, IncidentMemory, incidentStart, type PriorAnomaly } from '../../../shared/anomaly/incidents';
import { addDays } from '../../../shared/time';

const start = '2025-03-03';
/** `n` consecutive days from `start`. */
const days = (n: number, from = start): { dt: string }[] => Array.from({ length: n }, (_, t) => ({ dt: addDays(from, t) }));
const row = (dt: string, kind: PriorAnomaly['kind'], extra: Partial<PriorAnomaly> = {}): PriorAnomaly => ({
  dt,
  campaign_id: 'c1',
  template_name: 't1',
  button_id: 'b1',
  metric: kind === 'zero' ? 'clicks' : 'ctr',
  kind,
  ...extra,
});
const reportedOf = (rows: PriorAnomaly[]) => new IncidentMemory(rows).buttonDays('c1', 't1', 'b1');

describe('IncidentMemory', () => {
  it('keeps button series and delivery groups apart', () => {
    const memory = new IncidentMemory([row(start, 'drop'), row(addDays(start, 1), 'drop', { button_id: null, metric: 'messages_delivered' })]);
    expect([...memory.buttonDays('c1', 't1', 'b1')!.keys()]).toEqual([start]);
    expect([...memory.groupDays('c1', 't1')!.keys()]).toEqual([addDays(start, 1)]);
    expect(memory.buttonDays('c1', 't1', null)).toBeUndefined();
    expect(memory.groupDays('c1', 't2')).toBeUndefined();
  });

  it('merges the rows of one series and day, and marks a day that moved both ways', () => {
    const reported = reportedOf([row(start, 'drop'), row(start, 'zero', { incident_start: '2025-03-01' }), row(addDays(start, 1), 'drop'), row(addDays(start, 1), 'spike', { metric: 'clicks' })]);
    expect(reported!.get(start)).toEqual({ direction: 'down', incidentStart: '2025-03-01' });
    expect(reported!.get(addDays(start, 1))).toEqual({ direction: 'both', incidentStart: null });
  });

  it('reads drops and zero-tap days as going down, spikes as going up', () => {
    expect([directionOf('drop'), directionOf('zero'), directionOf('spike')]).toEqual(['down', 'down', 'up']);
  });
});

describe('baselineHistory', () => {
  const window = days(28);
  const dt = (t: number): string => addDays(start, t);

  it('uses every day when nothing was reported', () => {
    expect(baselineHistory(window, undefined, detectorConfig)).toEqual({ days: window, before: [] });
  });

  it('leaves out the days reported earlier', () => {
    const reported = reportedOf([row(dt(10), 'spike'), row(dt(25), 'drop'), row(dt(26), 'drop'), row(dt(27), 'drop')]);
    const { days: kept, before } = baselineHistory(window, reported, detectorConfig);
    expect(kept.map((d) => d.dt)).toEqual(window.map((d) => d.dt).filter((d) => ![dt(10), dt(25), dt(26), dt(27)].includes(d)));
    expect(before).toEqual([]);
  });

  it('takes newNormalDays consecutive same-way reported days as the new normal, keeping the earlier days apart', () => {
    expect(detectorConfig.newNormalDays).toBe(7);
    // Days 14–20 reported as drops (seven in a row), day 5 a spike long before, day 24 a drop after.
    const run = [14, 15, 16, 17, 18, 19, 20];
    const reported = reportedOf([row(dt(5), 'spike'), ...run.map((t) => row(dt(t), t === 17 ? 'zero' : 'drop')), row(dt(24), 'drop')]);
    const { days: kept, before } = baselineHistory(window, reported, detectorConfig);
    expect(kept.map((d) => d.dt)).toEqual([14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 25, 26, 27].map(dt));
    expect(before.map((d) => d.dt)).toEqual([0, 1, 2, 3, 4, 6, 7, 8, 9, 10, 11, 12, 13].map(dt));
  });

  it('does not accept a run that changes direction, moves both ways, or is one day short', () => {
    const mixed = reportedOf([14, 15, 16].map((t) => row(dt(t), 'drop')).concat([17, 18, 19, 20].map((t) => row(dt(t), 'spike'))));
    expect(baselineHistory(window, mixed, detectorConfig).days).toHaveLength(21);
    const both = reportedOf([14, 15, 16, 17, 18, 19, 20].map((t) => row(dt(t), 'drop')).concat([row(dt(17), 'spike', { metric: 'clicks' })]));
    expect(baselineHistory(window, both, detectorConfig).before).toEqual([]);
    const short = reportedOf([21, 22, 23, 24, 25, 26].map((t) => row(dt(t), 'drop')));
    expect(baselineHistory(window, short, detectorConfig)).toEqual({ days: [...window.slice(0, 21), window[27]], before: [] });
  });

  it('counts a run over the days the series has, not calendar days', () => {
    // A weekday-only series: seven reported sending days span nine calendar days.
    const weekdays = days(28).filter((d) => ![0, 6].includes(new Date(`${d.dt}T00:00:00Z`).getUTCDay()));
    const run = weekdays.slice(-7);
    const reported = reportedOf(run.map((d) => row(d.dt, 'drop')));
    expect(baselineHistory(weekdays, reported, detectorConfig).days).toEqual(run);
  });
});

describe('incidentStart', () => {
  const window = days(10);
  const target = addDays(start, 10);

  it('is the target date when the previous day was not reported the same way', () => {
    expect(incidentStart(window, undefined, 'down', target)).toBe(target);
    expect(incidentStart(window, reportedOf([row(addDays(start, 9), 'spike')]), 'down', target)).toBe(target);
    expect(incidentStart(window, reportedOf([row(addDays(start, 8), 'drop')]), 'down', target)).toBe(target);
  });

  it('walks back over the consecutive days reported the same way', () => {
    const reported = reportedOf([row(addDays(start, 5), 'drop'), row(addDays(start, 7), 'drop'), row(addDays(start, 8), 'zero'), row(addDays(start, 9), 'drop')]);
    expect(incidentStart(window, reported, 'down', target)).toBe(addDays(start, 7));
  });

  it('takes the start a reported row carries, which reaches past the window', () => {
    const reported = reportedOf([row(addDays(start, 8), 'spike', { incident_start: '2025-02-20' }), row(addDays(start, 9), 'spike')]);
    expect(incidentStart(window, reported, 'up', target)).toBe('2025-02-20');
  });
});
