/**
 * Every parameter of the anomaly detector, in one place. docs/anomaly-detection.md explains each
 * in plain words; the defaults were tuned on the benchmark's tuning seeds only (bench/detect.ts).
 */
export const detectorConfig = {
  /** Days before the target date the baseline may look at (the target day itself never). */
  windowDays: 28,
  /** A series is tested only with at least this many days of history in the window. */
  minBaselineDays: 7,
  /** The level is the median of the latest this-many (deseasonalised) history days, so it follows slow drift. */
  levelDays: 7,
  /** History days farther than this many robust standard deviations from the series' trend are left out (earlier anomalies). */
  outlierZ: 4,
  /**
   * Days the detector reported are left out of their series' later baselines; after this many
   * consecutive reported days moving the same way the change is the new normal, and the baseline
   * restarts from the first of them (one week: the eighth day is tested against the new level).
   * Keep it at least `minBaselineDays`, or the new level has too few days to be a baseline.
   */
  newNormalDays: 7,
  /** Use a day-of-week factor when the window holds at least this many days of the target's weekday. */
  minSameWeekdayDays: 3,
  /** Otherwise a weekday/weekend factor when the window holds this many days of the same class. */
  minSeasonClassDays: 2,
  /** Days counted as weekend by the weekday/weekend fallback (0 = Sunday … 6 = Saturday, UTC dates). */
  weekendDays: [0, 6],
  /** Benjamini–Hochberg false discovery rate q over all tests of one target date. */
  falseDiscoveryRate: 0.01,
  /** CTR, clicks and zero tests need at least this many messages delivered on the target date. */
  minDelivered: 100,
  /** CTR and clicks tests need the baseline to expect at least this many tapped messages (or clicks) today. */
  minExpectedCount: 10,
  /** The zero rule needs the baseline to expect at least this many tapped messages today. */
  zeroMinExpected: 5,
  /** A CTR or clicks alert needs observed/expected at most 1 − this (drop) or at least 1 + this (spike). */
  minRelativeChange: 0.25,
  /** Two-sided level at which the spread's uncertainty is priced in (normal tail matched to Student's t there). */
  spreadCalibrationP: 1e-4,
  /** Smallest day-to-day spread assumed for a rate (CTR, clicks per delivery), relative to its level. */
  rateMinRelativeSd: 0.05,
  /** Smallest day-to-day spread assumed for delivered volume, relative to its level. */
  volumeMinRelativeSd: 0.1,
  /** A delivery collapse needs delivered at most this share of the expected volume. */
  collapseRatio: 0.5,
  /** The delivery collapse test needs the baseline to expect at least this many deliveries. */
  minExpectedDelivered: 100,
} as const;

/** The detector's parameters; `detectorConfig` is the default. */
export type DetectorConfig = {
  readonly [K in keyof typeof detectorConfig]: (typeof detectorConfig)[K] extends readonly number[] ? readonly number[] : number;
};
