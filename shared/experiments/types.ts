/** The metrics an experiment is judged on (SPEC section 3 `experiments`). */
export const experimentMetrics = ['ctr', 'conversion_rate'] as const;
export type ExperimentMetric = (typeof experimentMetrics)[number];

/** What the evaluation says of a variant. */
export const experimentDecisions = ['winner', 'loser', 'inconclusive', 'srm'] as const;
export type ExperimentDecision = (typeof experimentDecisions)[number];

/** One history line: the daily (not cumulative) counts of one cohort date, variant and metric. */
export interface DailyExperimentCount {
  readonly dt: string;
  readonly experiment_id: string;
  readonly variant: string;
  readonly metric: string;
  readonly exposures: number;
  readonly successes: number;
  /** JSON object text (or the parsed object) variant -> share, as the sends declared it; null or absent when none did. */
  readonly declared_split?: string | Readonly<Record<string, number>> | null;
}
