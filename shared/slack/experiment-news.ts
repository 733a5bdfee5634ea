import type { ExperimentRow } from '../schema/types';
import { slackData } from './mrkdwn';

/**
 * The digest's experiment lines: one per experiment that reached a decision (a winner or a
 * loser) or a sample-ratio mismatch on the digest's date, that is, whose `experiments` rows of
 * that date say something the previous evaluation date's did not. An experiment that goes on
 * winning is not announced again every morning.
 */

/** The `experiments` columns the lines need, with the evaluation date. */
export type ExperimentNewsRow = Pick<
  ExperimentRow,
  'experiment_id' | 'variant' | 'metric' | 'exposures' | 'control_variant' | 'lift' | 'lift_lower' | 'lift_upper' | 'p_value' | 'decision' | 'srm_p_value' | 'days_running'
> & { readonly dt: string };

const notable = new Set(['winner', 'loser', 'srm']);

/** What an experiment's rows of one date announce: `metric:variant:decision` of each notable row. */
function findings(rows: readonly ExperimentNewsRow[]): Set<string> {
  return new Set(rows.filter((r) => notable.has(r.decision)).map((r) => (r.decision === 'srm' ? `${r.metric}:srm` : `${r.metric}:${r.variant}:${r.decision}`)));
}

function signedPercent(value: number | null): string {
  if (value === null || !Number.isFinite(value)) return 'n/a';
  const text = `${Math.abs(value * 100).toFixed(1)}%`;
  return value < 0 ? `−${text}` : `+${text}`;
}

function pText(p: number | null): string {
  if (p === null || !Number.isFinite(p)) return 'n/a';
  return p < 0.001 ? p.toExponential(1) : p.toFixed(3);
}

function decisionText(r: ExperimentNewsRow): string {
  const verb = r.decision === 'winner' ? 'wins' : 'loses';
  return `${slackData(r.variant)} ${verb} on ${r.metric}: ${signedPercent(r.lift)} [${signedPercent(r.lift_lower)}, ${signedPercent(r.lift_upper)}] vs ${slackData(r.control_variant)} (always-valid p ${pText(r.p_value)})`;
}

function srmText(metric: string, rows: readonly ExperimentNewsRow[]): string {
  const split = rows.map((r) => `${slackData(r.variant)} ${r.exposures.toLocaleString('en-US')}`).join(' · ');
  return `sample ratio mismatch on ${metric} (χ² p ${pText(rows[0]?.srm_p_value ?? null)}; delivered ${split}): check the assignment, no winner is called`;
}

/**
 * One line per experiment with news on `date`, in experiment order: its decisions and
 * mismatches on that date, when the rows of `previous` (the evaluation before) did not already
 * say all of them. `rows` holds the `experiments` rows of both dates.
 */
export function experimentNews(rows: readonly ExperimentNewsRow[], date: string, previous: string): string[] {
  const byExperiment = new Map<string, { today: ExperimentNewsRow[]; before: ExperimentNewsRow[] }>();
  for (const row of rows) {
    if (row.dt !== date && row.dt !== previous) continue;
    const entry = byExperiment.get(row.experiment_id) ?? { today: [], before: [] };
    (row.dt === date ? entry.today : entry.before).push(row);
    byExperiment.set(row.experiment_id, entry);
  }
  const lines: string[] = [];
  for (const [experimentId, { today, before }] of [...byExperiment].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const now = findings(today);
    const known = findings(before);
    if (![...now].some((f) => !known.has(f))) continue;
    const parts: string[] = [];
    const metrics = [...new Set(today.map((r) => r.metric))].sort();
    for (const metric of metrics) {
      const metricRows = today.filter((r) => r.metric === metric).sort((a, b) => (a.variant < b.variant ? -1 : a.variant > b.variant ? 1 : 0));
      if (metricRows.some((r) => r.decision === 'srm')) parts.push(srmText(metric, metricRows));
      else for (const r of metricRows) if (r.decision === 'winner' || r.decision === 'loser') parts.push(decisionText(r));
    }
    const days = today[0]?.days_running ?? 0;
    lines.push(`Experiment ${slackData(experimentId)} (day ${days}): ${parts.join('; ')}`);
  }
  return lines;
}
