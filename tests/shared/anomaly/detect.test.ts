import { detectorConfig } from '../../../shared/anomaly/config';
import { detectAnomalies, detectDates } from '../../../shared/anomaly/detect';
import { buttonCandidates } from '../../../shared/anomaly/rules';
import { indexHistory } from '../../../shared/anomaly/series';
import type { DetectorInputRow } from '../../../shared/anomaly/types';
import { InputError } from '../../../shared/errors';
import { addDays } from '../../../shared/time';

// 2025-03-03 is a Monday; with 28 days of history the target is Monday 2025-03-31.
const start = '2025-03-03';
const target = addDays(start, 28);
const isWeekend = (dt: string): boolean => [0, 6].includes(new Date(`${dt}T00:00:00Z`).getUTCDay());

interface Spec {
  campaign?: string;
  template?: string | null;
  button?: string | null;
  delivered: number | ((dt: string, t: number) => number);
  clicked: number | ((dt: string, t: number) => number);
}

/** Rows of one series from `from` for `days` days; taps are clicked messages plus 10% repeats. */
function series(spec: Spec, days = 28, from = start): DetectorInputRow[] {
  const value = (v: Spec['delivered'], dt: string, t: number): number => (typeof v === 'number' ? v : v(dt, t));
  return Array.from({ length: days }, (_, t) => {
    const dt = addDays(from, t);
    const clicked = value(spec.clicked, dt, t);
    return {
      dt,
      campaign_id: spec.campaign ?? 'c1',
      template_name: spec.template === undefined ? 't1' : spec.template,
      button_id: spec.button === undefined ? 'b1' : spec.button,
      messages_delivered: value(spec.delivered, dt, t),
      clicked_messages: clicked,
      clicks: Math.round(clicked * 1.1),
    };
  });
}

/** One row of a series on `dt`. */
function day(spec: Spec, dt: string): DetectorInputRow {
  return series(spec, 1, dt)[0]!;
}

describe('detectAnomalies', () => {
  it('finds a clear CTR drop and reports it once, not again as a clicks drop', () => {
    const rows = [...series({ delivered: 2000, clicked: 200 }), day({ delivered: 2000, clicked: 80 }, target)];
    const found = detectAnomalies(rows, target);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({
      dt: target,
      campaign_id: 'c1',
      template_name: 't1',
      button_id: 'b1',
      metric: 'ctr',
      kind: 'drop',
      observed: 0.04,
      expected: 0.1,
      baseline_days: 28,
    });
    const row = found[0]!;
    expect(row.lower!).toBeGreaterThan(0.04);
    expect(row.lower!).toBeLessThan(0.1);
    expect(row.upper!).toBeGreaterThan(0.1);
    expect(row.score!).toBeGreaterThan(-Math.log10(detectorConfig.falseDiscoveryRate));
  });

  it('does not flag the same proportions at tiny volume, but does at a large one', () => {
    const tiny = [...series({ delivered: 50, clicked: 5 }), day({ delivered: 50, clicked: 2 }, target)];
    expect(detectAnomalies(tiny, target)).toEqual([]);
    const large = [...series({ delivered: 5000, clicked: 500 }), day({ delivered: 5000, clicked: 200 }, target)];
    expect(detectAnomalies(large, target).map((r) => r.kind)).toEqual(['drop']);
  });

  it('reports a normally tapped button with no taps at all as kind zero on clicks', () => {
    const rows = [...series({ delivered: 1000, clicked: 100 }), day({ delivered: 1000, clicked: 0 }, target)];
    const found = detectAnomalies(rows, target);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ metric: 'clicks', kind: 'zero', observed: 0, expected: 110, button_id: 'b1' });
  });

  it('lets a rarely tapped button have a day without taps', () => {
    const rows = [...series({ delivered: 1000, clicked: 3 }), day({ delivered: 1000, clicked: 0 }, target)];
    expect(detectAnomalies(rows, target)).toEqual([]);
  });

  it('does not flag a weekend dip that earlier weekends had too, but flags the same CTR on a weekday', () => {
    const pattern: Spec = { delivered: 2000, clicked: (dt) => (isWeekend(dt) ? 100 : 200) };
    const history = series(pattern, 33);
    const saturday = addDays(start, 33);
    const wednesday = addDays(start, 30);
    expect(new Date(`${saturday}T00:00:00Z`).getUTCDay()).toBe(6);
    expect(detectAnomalies([...history, day({ delivered: 2000, clicked: 100 }, saturday)], saturday)).toEqual([]);
    const weekday = detectAnomalies([...series(pattern, 30), day({ delivered: 2000, clicked: 100 }, wednesday)], wednesday);
    expect(weekday.map((r) => [r.metric, r.kind, r.expected])).toEqual([['ctr', 'drop', 0.1]]);
  });

  it('lets the multiple-testing correction turn a borderline drop into no alert', () => {
    // Small day-to-day wiggle (−2 … +2 tapped messages) around 10% of 1000.
    const wiggle = (button: string): Spec => ({ button, delivered: 1000, clicked: (_, t) => 100 + ((t * 7) % 5) - 2 });
    const borderline = [...series(wiggle('b0')), day({ button: 'b0', delivered: 1000, clicked: 54 }, target)];
    const ctrTest = buttonCandidates(indexHistory(borderline).buttons[0]!, target, 2.5, detectorConfig).find((c) => c.metric === 'ctr')!;
    expect(Math.exp(ctrTest.logP)).toBeLessThan(detectorConfig.falseDiscoveryRate);
    expect(detectAnomalies(borderline, target).map((r) => [r.button_id, r.kind])).toEqual([['b0', 'drop']]);

    const quiet = Array.from({ length: 20 }, (_, i) => {
      const button = `n${String(i).padStart(2, '0')}`;
      return [...series(wiggle(button)), day({ button, delivered: 1000, clicked: 100 }, target)];
    }).flat();
    expect(detectAnomalies([...borderline, ...quiet], target)).toEqual([]);
  });

  it('emits a delivery collapse once per campaign and template, with no button', () => {
    const buttons = [
      { button: 'b1', share: 0.1 },
      { button: 'b2', share: 0.06 },
      { button: 'b3', share: 0.02 },
    ];
    const rows = buttons.flatMap(({ button, share }) => [
      ...series({ button, delivered: 5000, clicked: 5000 * share }),
      day({ button, delivered: 500, clicked: 500 * share }, target),
    ]);
    const found = detectAnomalies(rows, target);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ button_id: null, metric: 'messages_delivered', kind: 'drop', observed: 500, expected: 5000 });
  });

  it('returns the same rows in the same order whatever the input order', () => {
    const rows = ['c2', 'c1', 'c3'].flatMap((campaign) => [
      ...series({ campaign, delivered: 2000, clicked: 200 }),
      day({ campaign, delivered: 2000, clicked: 60 }, target),
    ]);
    const found = detectAnomalies(rows, target);
    expect(found.map((r) => r.campaign_id)).toEqual(['c1', 'c2', 'c3']);
    expect(detectAnomalies([...rows].reverse(), target)).toEqual(found);
  });

  it('rejects a target date that is not YYYY-MM-DD', () => {
    expect(() => detectAnomalies([], '2025-3-31')).toThrow(InputError);
  });
});

describe('no look-ahead', () => {
  const drop = [...series({ delivered: 2000, clicked: 200 }), day({ delivered: 2000, clicked: 80 }, target)];

  it('ignores rows dated after the target', () => {
    // Forty later days at the dropped level would pull any baseline that saw them down to 4%.
    const future = series({ delivered: 2000, clicked: 80 }, 40, addDays(target, 1));
    const found = detectAnomalies([...drop, ...future], target);
    expect(found.map((r) => [r.kind, r.expected])).toEqual([['drop', 0.1]]);
    expect(found).toEqual(detectAnomalies(drop, target));
  });

  it('never counts the target row in its own baseline', () => {
    expect(detectAnomalies(drop, target)[0]!.baseline_days).toBe(28);
    // Without outlier removal, a spike on the target would be the seventh baseline day if it
    // counted; six earlier days are one short of minBaselineDays, seven are enough.
    const keepAll = { ...detectorConfig, outlierZ: Infinity };
    const spike = day({ delivered: 2000, clicked: 600 }, target);
    const six = [...series({ delivered: 2000, clicked: 200 }, 6, addDays(target, -6)), spike];
    const seven = [...series({ delivered: 2000, clicked: 200 }, 7, addDays(target, -7)), spike];
    expect(detectAnomalies(six, target, keepAll)).toEqual([]);
    expect(detectAnomalies(seven, target, keepAll).map((r) => [r.kind, r.baseline_days])).toEqual([['spike', 7]]);
  });

  it('runs each date of a range on the rows before it only', () => {
    const next = addDays(target, 1);
    const rows = [...drop, day({ delivered: 2000, clicked: 200 }, next)];
    const ranged = detectDates(rows, [next, target]);
    expect(ranged.map((r) => [r.dt, r.kind])).toEqual([[target, 'drop']]);
    expect(ranged).toEqual(detectAnomalies(rows.filter((r) => r.dt <= target), target));
  });
});

describe('sustained incidents', () => {
  // A button with about ±10% day-to-day noise: tapped messages out of 3000 deliveries a day,
  // 28 days from Monday 2025-03-03 (a fixed draw, written out so the test reads the same forever).
  const normal = [324, 332, 293, 327, 326, 275, 338, 324, 334, 289, 267, 248, 238, 307, 272, 333, 266, 348, 342, 332, 315, 344, 336, 235, 253, 379, 297, 251];
  const d = (t: number): string => addDays(start, t);
  /** The normal days, then `tail` (tapped messages a day) from the target on. */
  const history = (tail: readonly number[]): DetectorInputRow[] =>
    [...normal, ...tail].map((clicked, t) => ({ ...day({ delivered: 3000, clicked }, d(t)), clicks: clicked }));
  const run = (rows: DetectorInputRow[]) => detectDates(rows, rows.map((r) => r.dt).filter((dt) => dt >= target));
  const summary = (found: ReturnType<typeof run>) => found.map((r) => [r.dt, r.metric, r.kind, r.incident_start]);

  it('flags every day of a CTR that halves for three days, each with the day it began', () => {
    const rows = history([150, 160, 135, 314]);
    const found = run(rows);
    expect(summary(found)).toEqual([
      [d(28), 'ctr', 'drop', d(28)],
      [d(29), 'ctr', 'drop', d(28)],
      [d(30), 'ctr', 'drop', d(28)],
    ]);
    // The baseline of day 2 is the one day 1 would have had no part in: the incident is not absorbed.
    const withoutDayOne = rows.filter((r) => r.dt !== d(28));
    expect(found[1]!.expected).toBe(detectAnomalies(withoutDayOne, d(29))[0]!.expected);
  });

  it('does not call the recovery after the incident a spike: its baseline leaves the incident out', () => {
    expect(run(history([150, 160, 135, 314, 330])).map((r) => r.dt)).toEqual([d(28), d(29), d(30)]);
    // A real spike two days later is reported, against the baseline the incident had no part in.
    const rows = history([150, 160, 135, 314, 520]);
    const spike = run(rows).at(-1)!;
    expect(spike).toMatchObject({ dt: d(32), kind: 'spike', incident_start: d(32) });
    const withoutIncident = rows.filter((r) => r.dt < d(28) || r.dt > d(30));
    expect(spike.expected).toBe(detectAnomalies(withoutIncident, d(32))[0]!.expected);
  });

  it('flags a zero-tap run, a spike run and a delivery collapse run on every day', () => {
    expect(summary(run(history([0, 0, 0, 314])))).toEqual([d(28), d(29), d(30)].map((dt) => [dt, 'clicks', 'zero', d(28)]));
    expect(summary(run(history([800, 760, 820, 300])))).toEqual([d(28), d(29), d(30)].map((dt) => [dt, 'ctr', 'spike', d(28)]));
    // Deliveries fall from about 3000 to 400 for three days; the CTR stays at 10%.
    const delivered = (t: number): number => (t >= 28 && t < 31 ? 400 : 3000 - 40 * (t % 5));
    const volume = Array.from({ length: 32 }, (_, t) => day({ delivered: delivered(t), clicked: delivered(t) / 10 }, d(t)));
    expect(summary(run(volume))).toEqual([d(28), d(29), d(30)].map((dt) => [dt, 'messages_delivered', 'drop', d(28)]));
  });

  it(`takes a lasting shift as the new normal after ${detectorConfig.newNormalDays} reported days`, () => {
    // CTR halves on day 28 and stays there.
    const shifted = [150, 160, 135, 145, 155, 166, 140, 150, 148, 158, 152, 147, 161, 143];
    const found = run(history(shifted));
    const reported = Array.from({ length: detectorConfig.newNormalDays }, (_, k) => d(28 + k));
    expect(summary(found)).toEqual(reported.map((dt) => [dt, 'ctr', 'drop', d(28)]));
    // Still flagged with a shorter new-normal rule? Then it is the rule that stops the alerts.
    const sooner = detectDates(history(shifted), [target, ...shifted.map((_, k) => d(28 + k))], { ...detectorConfig, newNormalDays: 8 });
    expect(sooner.map((r) => r.dt)).toEqual([...reported, d(35)]);
  });

  it('takes the return to the earlier level after a change became the new normal as a return, not a spike', () => {
    const shifted = [150, 160, 135, 145, 155, 166, 140, 150, 148, 158];
    const back = [330, 301, 315, 290, 322, 305];
    const found = run(history([...shifted, ...back]));
    expect(found.map((r) => r.dt)).toEqual(Array.from({ length: detectorConfig.newNormalDays }, (_, k) => d(28 + k)));
  });

  it('keeps an open incident open on a day the correction alone would not report', () => {
    // Twenty quiet buttons make the correction strict; b0 drops clearly, then stays low.
    const wiggle = (button: string): Spec => ({ button, delivered: 1000, clicked: (_, t) => 100 + ((t * 7) % 5) - 2 });
    const quiet = Array.from({ length: 20 }, (_, i) => {
      const button = `n${String(i).padStart(2, '0')}`;
      return [...series(wiggle(button), 30)];
    }).flat();
    const b0 = (first: number): DetectorInputRow[] => [
      ...series(wiggle('b0')),
      day({ button: 'b0', delivered: 1000, clicked: first }, target),
      day({ button: 'b0', delivered: 1000, clicked: 54 }, d(29)),
    ];
    const open = detectDates([...quiet, ...b0(40)], [target, d(29)]);
    expect(open.map((r) => [r.dt, r.button_id, r.kind, r.incident_start])).toEqual([
      [target, 'b0', 'drop', target],
      [d(29), 'b0', 'drop', target],
    ]);
    expect(open[1]!.score!).toBeLessThan(-Math.log10(detectorConfig.falseDiscoveryRate));
    // The same day after a normal one opens nothing: the correction decides.
    expect(detectDates([...quiet, ...b0(100)], [target, d(29)])).toEqual([]);
  });

  it('reads earlier anomalies back as the daily workflow does, old rows without incident_start included', () => {
    const rows = history([150, 160, 135, 314]);
    const all = run(rows);
    const third = all.filter((r) => r.dt === d(30));
    expect(detectAnomalies(rows, d(30), detectorConfig, all.filter((r) => r.dt < d(30)))).toEqual(third);
    const oldRows = all.filter((r) => r.dt < d(30)).map(({ incident_start: _, ...r }) => r);
    expect(detectAnomalies(rows, d(30), detectorConfig, oldRows)).toEqual(third);
    // Without that record, day 3 is tested against a baseline holding days 1 and 2.
    expect(detectAnomalies(rows, d(30), detectorConfig, [])).not.toEqual(third);
  });
});
