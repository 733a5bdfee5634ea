import type { ExperimentPointRow } from '../../shared/report/queries';

/**
 * Hand-made rows of the `experiments` table, as the daily workflow writes them: rate =
 * successes ÷ exposures and lift = rate ÷ control rate − 1 hold to the figures given; the interval
 * ends, p-values and decisions are plausible values of an always-valid method, not computed here
 * (the report only shows them).
 *
 * - `welcome-cta` (control `control`, variant `short`), evaluated 2024-05-04 to 2024-05-06: CTR
 *   from a wide interval on day 1 to a winner on day 3; conversion rate from day 2, inconclusive.
 * - `button-order` (no variant named control, so `a`, the first by name), evaluated 2024-05-05
 *   only: 500 against 380 exposures on an equal split, a sample-ratio mismatch.
 */

type Fields = Omit<ExperimentPointRow, 'dt' | 'experiment_id' | 'metric' | 'variant' | 'control_variant'>;

function point(dt: string, experiment_id: string, metric: string, variant: string, control_variant: string, fields: Fields): ExperimentPointRow {
  return { dt, experiment_id, variant, metric, control_variant, ...fields };
}

const welcome = (dt: string, metric: string, variant: string, fields: Fields) => point(dt, 'welcome-cta', metric, variant, 'control', fields);
const order = (variant: string, fields: Fields) => point('2024-05-05', 'button-order', 'ctr', variant, 'a', fields);
const none = { lift: null, lift_lower: null, lift_upper: null, p_value: null } as const;

/** The rows, in the order the report query returns them (experiment, metric, dt, variant). */
export const scenarioExperiments: readonly ExperimentPointRow[] = [
  order('a', { exposures: 500, successes: 50, rate: 0.1, control_rate: 0.1, ...none, decision: 'srm', srm_p_value: 0.00005, days_running: 1 }),
  order('b', { exposures: 380, successes: 57, rate: 0.15, control_rate: 0.1, lift: 0.5, lift_lower: 0.1, lift_upper: 1.1, p_value: 0.003, decision: 'srm', srm_p_value: 0.00005, days_running: 1 }),
  welcome('2024-05-05', 'conversion_rate', 'control', { exposures: 400, successes: 8, rate: 0.02, control_rate: 0.02, ...none, decision: 'inconclusive', srm_p_value: 0.724, days_running: 2 }),
  welcome('2024-05-05', 'conversion_rate', 'short', { exposures: 410, successes: 12, rate: 12 / 410, control_rate: 0.02, lift: 0.4634, lift_lower: -0.6, lift_upper: 4.1, p_value: 0.9, decision: 'inconclusive', srm_p_value: 0.724, days_running: 2 }),
  welcome('2024-05-06', 'conversion_rate', 'control', { exposures: 600, successes: 12, rate: 0.02, control_rate: 0.02, ...none, decision: 'inconclusive', srm_p_value: 1, days_running: 3 }),
  welcome('2024-05-06', 'conversion_rate', 'short', { exposures: 600, successes: 15, rate: 0.025, control_rate: 0.02, lift: 0.25, lift_lower: -0.5, lift_upper: 2.2, p_value: 0.8, decision: 'inconclusive', srm_p_value: 1, days_running: 3 }),
  welcome('2024-05-04', 'ctr', 'control', { exposures: 200, successes: 30, rate: 0.15, control_rate: 0.15, ...none, decision: 'inconclusive', srm_p_value: 1, days_running: 1 }),
  welcome('2024-05-04', 'ctr', 'short', { exposures: 200, successes: 40, rate: 0.2, control_rate: 0.15, lift: 1 / 3, lift_lower: -0.45, lift_upper: 2.6, p_value: 0.62, decision: 'inconclusive', srm_p_value: 1, days_running: 1 }),
  welcome('2024-05-05', 'ctr', 'control', { exposures: 400, successes: 60, rate: 0.15, control_rate: 0.15, ...none, decision: 'inconclusive', srm_p_value: 0.724, days_running: 2 }),
  welcome('2024-05-05', 'ctr', 'short', { exposures: 410, successes: 82, rate: 0.2, control_rate: 0.15, lift: 1 / 3, lift_lower: -0.1, lift_upper: 0.95, p_value: 0.21, decision: 'inconclusive', srm_p_value: 0.724, days_running: 2 }),
  welcome('2024-05-06', 'ctr', 'control', { exposures: 600, successes: 90, rate: 0.15, control_rate: 0.15, ...none, decision: 'inconclusive', srm_p_value: 1, days_running: 3 }),
  welcome('2024-05-06', 'ctr', 'short', { exposures: 600, successes: 126, rate: 0.21, control_rate: 0.15, lift: 0.4, lift_lower: 0.05, lift_upper: 0.82, p_value: 0.012, decision: 'winner', srm_p_value: 1, days_running: 3 }),
];
