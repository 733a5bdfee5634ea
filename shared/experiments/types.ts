import type { ExperimentRow } from '../schema/types';

/** The metrics an experiment is read on, each per delivered message (SPEC section 3 `experiments`). */
export const experimentMetrics = ['ctr', 'conversion_rate'] as const;

/** What the `decision` column can say. */
export const experimentDecisions = ['winner', 'loser', 'inconclusive', 'srm'] as const;
export type ExperimentDecision = (typeof experimentDecisions)[number];

/** The variant name that is the control whenever an experiment has one. */
export const controlVariantName = 'control';

/** One history line: daily (not cumulative) counts of one cohort date. */
export interface DailyExperimentCount {
  /** Cohort date, YYYY-MM-DD. */
  readonly dt: string;
  readonly experiment_id: string;
  readonly variant: string;
  /** One of experimentMetrics (the CLI reader rejects others). */
  readonly metric: string;
  /** Delivered messages, integer ≥ 0. */
  readonly exposures: number;
  /** Of those, tapped (ctr) or converted (conversion_rate) messages: integer, 0 ≤ successes ≤ exposures. */
  readonly successes: number;
  /** JSON object text (or the parsed object) variant -> share, as the sends declared it; null/absent when none. */
  readonly declared_split?: string | Readonly<Record<string, number>> | null;
}

/** Tuning of the method (docs/experiments.md). */
export interface ExperimentOptions {
  /** Family-wise false-positive rate per experiment and metric, however often it is read. */
  readonly alpha: number;
  /**
   * N*, the mixture's tuning parameter: the total delivered messages of a comparison (control plus
   * one variant) at which the interval is narrowest relative to a fixed-horizon one.
   */
  readonly tuning: number;
  /** The sample-ratio-mismatch test's level: χ² p-value below it makes every row `srm`. */
  readonly srmAlpha: number;
}

/** α = 0.05, N* = 5,000 (GrowthBook's default), SRM at p < 0.001. */
export const defaultExperimentOptions: ExperimentOptions = { alpha: 0.05, tuning: 5000, srmAlpha: 0.001 };

/** The rows of one evaluation date. */
export interface DatedExperimentRows {
  readonly dt: string;
  readonly rows: ExperimentRow[];
}
