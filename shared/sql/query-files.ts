/**
 * The registry of the project's SQL files (shared/sql/queries/): the names the renderer loads,
 * checked against the folder by tests/shared/sql/render.test.ts, so a file is never orphaned and
 * a name never dangles.
 */

/** Every query file, by its path under queries/ without `.sql`. */
export const queryNames = [
  // The daily workflow: the tables it writes and the view over them.
  'curated-events',
  'daily-ctr',
  'daily-conversions',
  'daily-experiments',
  'button-clicks-view',
  'conversions-view',
  // What the workflow's anomaly and digest steps read back.
  'daily/ctr-history',
  'daily/prior-anomalies',
  'daily/attribution-cohorts',
  'daily/digest-anomalies',
  'daily/digest-headlines',
  'daily/digest-quarantined',
  'daily/digest-conversions',
  'daily/experiment-history',
  'daily/digest-experiments',
  // The dashboard (local engine).
  'report/ctr-over-time',
  'report/ctr-by-position',
  'report/funnel',
  'report/conversion-by-button',
  'report/revenue-by-button',
  'report/time-to-convert',
  'report/time-to-tap',
  'report/daily-volume',
  'report/quarantine',
  'report/alerts',
  'report/experiments',
  // `wa-analytics experiments` and the demo (either engine).
  'experiments/of-date',
  'experiments/latest-date',
  // Operator commands against a stage (Athena).
  'ops/raw-counts',
  // `wa-analytics today` and the dashboard's "today so far" (either engine, raw rows).
  'today/by-button',
  // The demo's printed tables.
  'demo/ctr-summary',
  'demo/revenue-summary',
  'demo/alerts',
] as const;
export type QueryName = (typeof queryNames)[number];

/** Fragments a query may `{{include:…}}` (files under queries/include/). */
export const includeNames = ['cohort-events', 'conversion-events', 'report-events', 'messages', 'attribution', 'cohort-ctr'] as const;
