/** The demo's options and their defaults, apart from the simulator so `demo --help` can show them cheaply. */

export interface DemoOptions {
  readonly seed: number;
  /** First simulated day (UTC). Fixed by default so one seed always gives the same dates. */
  readonly startDate: string;
  readonly days: number;
  /**
   * The daily workflow's lookback. Nothing about a message happens later than lookback + 1 days
   * after its send date: the workflow reads that far back to tell a message's cohort, so older
   * messages would look new to it.
   */
  readonly lookbackDays: number;
}

/** 2025-03-03 is a Monday: the default 28 days are four full weeks. */
export const defaultDemoOptions = { seed: 42, startDate: '2025-03-03', days: 28, lookbackDays: 3 } as const;
