import type { DetectorConfig } from './config';
import { normalQuantile, studentTQuantile } from './stats';

/**
 * How a day's value varies by chance around its mean m, given that day's exposure n:
 * `binomial` for a proportion of n trials (variance m(1 − m)/n), `poisson` for a count per unit of
 * exposure (variance m/n; a raw count is exposure 1).
 */
export type SamplingModel = 'binomial' | 'poisson';

/** One history day of a series: its value (a rate or a count) and the exposure behind it. */
export interface HistoryPoint {
  readonly dt: string;
  readonly value: number;
  readonly exposure: number;
}

export const seasonalities = ['day_of_week', 'weekday_weekend', 'none'] as const;
export type Seasonality = (typeof seasonalities)[number];

/** What a series' own history says about the target date. */
export interface Baseline {
  /** Expected value on the target date (level × seasonal factor). */
  readonly expected: number;
  /** Deseasonalised level at the target date. */
  readonly level: number;
  readonly seasonalFactor: number;
  readonly seasonality: Seasonality;
  /** Trend of the deseasonalised level per day. */
  readonly slopePerDay: number;
  /** Day-to-day variance of the true value beyond sampling noise, at the target's season (inflated, see below). */
  readonly betweenDayVariance: number;
  /** Variance of `expected` itself, which is estimated from a few noisy days (inflated, see below). */
  readonly expectedVariance: number;
  /** Degrees of freedom of the spread estimate; the two variances above are multiplied by `spreadInflation(df)`. */
  readonly spreadDf: number;
  /** History days the baseline used (outliers left out). */
  readonly days: number;
}

/** Median of a non-empty list (mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

// 1.4826 × MAD estimates a normal standard deviation; π/2 is the variance of a median of normal
// values relative to that of their mean.
const MAD_TO_SD = 1.4826;
const MEDIAN_VARIANCE_FACTOR = Math.PI / 2;
const DAY_MS = 86_400_000;

/** Day of week of a YYYY-MM-DD date, 0 = Sunday. */
export function weekdayOf(dt: string): number {
  return new Date(`${dt}T00:00:00Z`).getUTCDay();
}

const dayNumber = (dt: string): number => Date.parse(`${dt}T00:00:00Z`) / DAY_MS;

const inflations = new Map<string, number>();

/**
 * A spread estimated from a few days is itself uncertain, which makes large deviations more
 * likely than a normal tail says (Student's t). The variance is multiplied by (t/z)², the squared
 * ratio of the t and normal critical values at two-sided level `p`, so that tails match there.
 */
export function spreadInflation(df: number, p: number): number {
  const key = `${df}|${p}`;
  let k = inflations.get(key);
  if (k === undefined) {
    k = (studentTQuantile(1 - p / 2, df) / normalQuantile(1 - p / 2)) ** 2;
    inflations.set(key, k);
  }
  return k;
}

/** Robust scale: 1.4826 × median absolute deviation from the median. */
function robustSd(values: readonly number[]): number {
  const centre = median(values);
  return MAD_TO_SD * median(values.map((v) => Math.abs(v - centre)));
}

/**
 * Tukey's resistant line: slope between the medians of the first and last thirds (by time).
 * Unmoved by a few outliers and cheap, unlike least squares.
 */
function resistantSlope(t: readonly number[], y: readonly number[]): number {
  const third = Math.floor(t.length / 3);
  if (third < 1) return 0;
  const left = median(t.slice(0, third));
  const right = median(t.slice(-third));
  return right > left ? (median(y.slice(-third)) - median(y.slice(0, third))) / (right - left) : 0;
}

function samplingVariance(model: SamplingModel, mean: number, exposure: number): number {
  if (model === 'binomial') {
    const m = Math.min(Math.max(mean, 0), 1);
    return (m * (1 - m)) / exposure;
  }
  return Math.max(mean, 0) / exposure;
}

interface Day {
  readonly point: HistoryPoint;
  readonly t: number;
  readonly weekday: number;
  readonly weekend: boolean;
}

/**
 * Baseline for the target date from a series' history points (dates before the target, in date
 * order, within the window). Returns null when fewer than `minBaselineDays` usable days remain.
 *
 * Model: value = level(t) × seasonal factor(weekday) × day-to-day noise + sampling noise.
 * 1. A rough fit (weekday/weekend factors, resistant trend line) finds earlier anomalies: days
 *    more than `outlierZ` robust standard deviations away are left out of everything below.
 * 2. Seasonal factors are medians of value / trend over the remaining days of the same weekday
 *    (or the same weekday/weekend class when there are too few).
 * 3. The level is the median of the latest `levelDays` deseasonalised days, each carried forward
 *    to the target date along the trend, so slow drift does not lag behind.
 * 4. The day-to-day spread beyond sampling noise comes from consecutive differences of the kept
 *    days (drift cancels in a difference), each weighted by the inverse of its sampling variance,
 *    floored at `minRelativeSd` × level; then inflated for its own uncertainty (spreadInflation).
 */
export function estimateBaseline(
  points: readonly HistoryPoint[],
  targetDt: string,
  model: SamplingModel,
  minRelativeSd: number,
  config: DetectorConfig,
): Baseline | null {
  const minDays = Math.max(config.minBaselineDays, 3);
  if (points.length < minDays || median(points.map((p) => p.value)) <= 0) return null;
  // Time in days relative to the target date, which keeps the trend's intercept small.
  const targetDay = dayNumber(targetDt);
  const days: Day[] = points.map((point) => {
    const weekday = weekdayOf(point.dt);
    return { point, t: dayNumber(point.dt) - targetDay, weekday, weekend: config.weekendDays.includes(weekday) };
  });

  // 1. Rough fit and outliers: a trend line through the raw values, weekday/weekend factors
  // relative to it, then the trend again through the values with those factors taken out.
  const t = days.map((d) => d.t);
  const rawSlope = resistantSlope(t, points.map((p) => p.value));
  const rawIntercept = median(days.map((d) => d.point.value - rawSlope * d.t));
  const classFactor = (weekend: boolean): number => {
    const same = days.filter((d) => d.weekend === weekend);
    const f = same.length >= config.minSeasonClassDays ? median(same.map((d) => d.point.value / (rawIntercept + rawSlope * d.t))) : 1;
    return Number.isFinite(f) && f > 0 ? f : 1;
  };
  const roughFactor = { true: classFactor(true), false: classFactor(false) };
  const rough = days.map((d) => d.point.value / roughFactor[`${d.weekend}`]);
  const roughSlope = resistantSlope(t, rough);
  const intercept = median(rough.map((y, i) => y - roughSlope * days[i]!.t));
  const residuals = rough.map((y, i) => y - (intercept + roughSlope * days[i]!.t));
  const spread = robustSd(residuals);
  const kept = days.filter((d, i) => {
    const trend = intercept + roughSlope * d.t;
    const f = roughFactor[`${d.weekend}`];
    const scale = Math.max(spread, minRelativeSd * Math.abs(trend), Math.sqrt(samplingVariance(model, trend * f, d.point.exposure)) / f);
    return Math.abs(residuals[i]!) <= config.outlierZ * scale;
  });
  if (kept.length < minDays) return null;

  // 2. Seasonal factors relative to the trend.
  const ratio = (d: Day): number => {
    const trend = intercept + roughSlope * d.t;
    return trend > 0 ? d.point.value / trend : 0;
  };
  const factorOf = (weekday: number): { factor: number; seasonality: Seasonality; days: number } => {
    const sameDay = kept.filter((d) => d.weekday === weekday);
    if (sameDay.length >= config.minSameWeekdayDays) return { factor: median(sameDay.map(ratio)), seasonality: 'day_of_week', days: sameDay.length };
    const weekend = config.weekendDays.includes(weekday);
    const sameClass = kept.filter((d) => d.weekend === weekend);
    if (sameClass.length >= config.minSeasonClassDays) return { factor: median(sameClass.map(ratio)), seasonality: 'weekday_weekend', days: sameClass.length };
    return { factor: median(kept.map(ratio)), seasonality: 'none', days: 0 };
  };
  const factors = new Map<number, ReturnType<typeof factorOf>>();
  const factor = (weekday: number): ReturnType<typeof factorOf> => {
    let f = factors.get(weekday);
    if (!f) {
      f = factorOf(weekday);
      factors.set(weekday, f);
    }
    return f;
  };

  // 3. Level at the target date. A zero factor (a weekday without taps) says nothing about it.
  const usable = kept.filter((d) => factor(d.weekday).factor > 0);
  if (usable.length < 2) return null;
  const y = usable.map((d) => d.point.value / factor(d.weekday).factor);
  const slope = resistantSlope(usable.map((d) => d.t), y);
  const latest = usable.slice(-config.levelDays);
  const level = Math.max(0, median(latest.map((d, i) => y[usable.length - latest.length + i]! + slope * -d.t)));

  // 4. Spread: a precision-weighted moment estimate over consecutive differences (the
  // DerSimonian–Laird estimator of meta-analysis, each difference a "study" whose sampling
  // variance is known), so a day with few deliveries cannot inflate it.
  const samplingOf = usable.map((d) => samplingVariance(model, level * factor(d.weekday).factor, d.point.exposure) / factor(d.weekday).factor ** 2);
  const sampling = median(samplingOf);
  const floor = (minRelativeSd * level) ** 2;
  const diffs = y.slice(1).map((v, i) => ({
    d: v - y[i]! - slope * (usable[i + 1]!.t - usable[i]!.t),
    w: 1 / Math.max(samplingOf[i]! + samplingOf[i + 1]!, floor * 1e-6, Number.MIN_VALUE),
  }));
  const sumW = diffs.reduce((a, x) => a + x.w, 0);
  const meanD = diffs.reduce((a, x) => a + x.w * x.d, 0) / sumW;
  const q = diffs.reduce((a, x) => a + x.w * (x.d - meanD) ** 2, 0);
  const denominator = 2 * (sumW - diffs.reduce((a, x) => a + x.w * x.w, 0) / sumW);
  const between = Math.max(denominator > 0 ? (q - (diffs.length - 1)) / denominator : 0, floor);
  // n differences of independent days estimate a variance with about 2n/3 degrees of freedom
  // (neighbouring differences share a day).
  const spreadDf = Math.max(1, Math.round((2 * diffs.length) / 3));
  const inflation = spreadInflation(spreadDf, config.spreadCalibrationP);

  const target = factor(weekdayOf(targetDt));
  const f = target.factor;
  const seasonalShare = target.seasonality === 'none' ? 0 : 1 / target.days;
  return {
    expected: level * f,
    level,
    seasonalFactor: f,
    seasonality: target.seasonality,
    slopePerDay: slope,
    betweenDayVariance: inflation * between * f * f,
    expectedVariance: inflation * MEDIAN_VARIANCE_FACTOR * (between + sampling) * f * f * (1 / latest.length + seasonalShare),
    spreadDf,
    days: kept.length,
  };
}
