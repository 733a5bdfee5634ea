import { estimateBaseline, median, spreadInflation, type HistoryPoint } from '../../../shared/anomaly/baseline';
import { detectorConfig } from '../../../shared/anomaly/config';
import { addDays } from '../../../shared/time';

// 2025-03-03 is a Monday; 28 days later (the target) is Monday 2025-03-31.
const start = '2025-03-03';
const target = addDays(start, 28);
const isWeekend = (dt: string): boolean => [0, 6].includes(new Date(`${dt}T00:00:00Z`).getUTCDay());

function points(value: (dt: string, t: number) => number, exposure = 1_000_000): HistoryPoint[] {
  return Array.from({ length: 28 }, (_, t) => {
    const dt = addDays(start, t);
    return { dt, value: value(dt, t), exposure };
  });
}

describe('estimateBaseline', () => {
  it('expects a weekend value on a weekend day and a weekday value on a weekday', () => {
    const history = points((dt) => (isWeekend(dt) ? 0.05 : 0.1));
    const saturday = estimateBaseline(history, '2025-03-29', 'binomial', 0.05, detectorConfig)!;
    const monday = estimateBaseline(history, target, 'binomial', 0.05, detectorConfig)!;
    expect(saturday.seasonality).toBe('day_of_week');
    expect(saturday.expected).toBeCloseTo(0.05, 12);
    expect(monday.expected).toBeCloseTo(0.1, 12);
    expect(monday.days).toBe(28);
  });

  it('leaves an earlier anomalous day out', () => {
    const history = points((_, t) => (t === 20 ? 0 : 0.1));
    const b = estimateBaseline(history, target, 'binomial', 0.05, detectorConfig)!;
    expect(b.expected).toBeCloseTo(0.1, 12);
    expect(b.days).toBe(27);
  });

  it('follows a slow linear drift to the target date instead of lagging behind it', () => {
    const history = points((_, t) => 0.1 + 0.001 * t);
    const b = estimateBaseline(history, target, 'binomial', 0.05, detectorConfig)!;
    expect(b.slopePerDay).toBeCloseTo(0.001, 12);
    expect(b.expected).toBeCloseTo(0.1 + 0.001 * 28, 12);
  });

  it('uses the minimum relative spread when history is perfectly flat', () => {
    const b = estimateBaseline(points(() => 0.1), target, 'binomial', 0.05, detectorConfig)!;
    const inflation = spreadInflation(18, detectorConfig.spreadCalibrationP);
    expect(b.spreadDf).toBe(18);
    expect(b.betweenDayVariance).toBeCloseTo(inflation * (0.05 * 0.1) ** 2, 15);
  });

  it('needs minBaselineDays of history', () => {
    const short = points(() => 0.1).slice(-6);
    expect(estimateBaseline(short, target, 'binomial', 0.05, detectorConfig)).toBeNull();
    expect(estimateBaseline(points(() => 0.1).slice(-7), target, 'binomial', 0.05, detectorConfig)).not.toBeNull();
  });

  it('has no baseline for a series that never moves off zero', () => {
    expect(estimateBaseline(points(() => 0), target, 'binomial', 0.05, detectorConfig)).toBeNull();
  });
});

describe('median', () => {
  it('takes the middle value or the mean of the middle two', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
});

describe('spreadInflation', () => {
  it('is (t/z)² at the calibration level and shrinks towards 1 with more days', () => {
    // t(0.975, 10) = 2.228139, z(0.975) = 1.959964
    expect(spreadInflation(10, 0.05)).toBeCloseTo((2.228139 / 1.959964) ** 2, 5);
    expect(spreadInflation(1000, 0.05)).toBeLessThan(spreadInflation(10, 0.05));
    expect(spreadInflation(1000, 0.05)).toBeCloseTo(1, 2);
  });
});
