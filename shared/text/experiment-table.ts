import type { ExperimentRow } from '../schema/types';
import { textTable } from './table';

/**
 * The experiments table as a terminal shows it (`wa-analytics experiments`, the demo): one line
 * per experiment, metric and variant, the control first; lift with its always-valid interval in
 * percent, the corrected p-value, the decision, and the sample-ratio check's p-value.
 */

const percent = (v: number | null, digits = 1): string | null => (v === null ? null : `${(100 * v).toFixed(digits)}%`);
const signed = (v: number | null): string | null => (v === null ? null : `${v >= 0 ? '+' : ''}${(100 * v).toFixed(1)}%`);
const pValue = (p: number | null): string | null => (p === null ? null : p < 0.0001 ? p.toExponential(1) : p.toFixed(4));

/** The rows of one evaluation date (experiments/of-date.sql order) as aligned text. */
export function experimentTable(rows: readonly ExperimentRow[]): string {
  if (rows.length === 0) return '(no experiments)';
  return textTable(
    ['experiment', 'metric', 'variant', 'delivered', 'successes', 'rate', 'lift', 'interval (always valid)', 'p', 'decision', 'srm p', 'days'],
    rows.map((r) => [
      r.experiment_id,
      r.metric,
      r.variant === r.control_variant ? `${r.variant} (control)` : r.variant,
      r.exposures,
      r.successes,
      percent(r.rate, 2),
      signed(r.lift),
      r.lift_lower === null || r.lift_upper === null ? null : `[${signed(r.lift_lower)}, ${signed(r.lift_upper)}]`,
      pValue(r.p_value),
      r.decision,
      pValue(r.srm_p_value),
      r.days_running,
    ]),
    { nullText: '-' },
  );
}
