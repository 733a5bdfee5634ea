import { errorMessage, InputError } from '../errors';
import { type JsonLine, lineCount, lineText, parseJsonLines } from '../text/json-lines';
import { isIsoDate } from '../time';
import { dailyCountProblem } from './evaluate';
import { parseDeclaredSplit } from './srm';
import { type DailyExperimentCount, experimentMetrics } from './types';

function declaredSplit(row: JsonLine): DailyExperimentCount['declared_split'] {
  const v = row.value.declared_split;
  if (v === null || v === undefined) return null;
  if (typeof v !== 'string' && (typeof v !== 'object' || Array.isArray(v))) throw new InputError(`history line ${row.line}: "declared_split" must be a JSON object, its text, or null`);
  try {
    parseDeclaredSplit(v as string | Record<string, unknown>);
  } catch (cause) {
    throw new InputError(`history line ${row.line}: ${errorMessage(cause)}`, { cause });
  }
  return v as string | Readonly<Record<string, number>>;
}

const metrics: ReadonlySet<string> = new Set(experimentMetrics);

/**
 * Parses `daily_experiments` rows written as JSON lines (`dt, experiment_id, variant, metric,
 * exposures, successes`, optional `declared_split`): daily, not cumulative, counts. Blank lines
 * are skipped. Throws InputError naming the 1-based line of the first bad row, or of a second row
 * for the same date, experiment, variant and metric.
 */
export function parseDailyExperimentLines(content: string): DailyExperimentCount[] {
  const rows: DailyExperimentCount[] = [];
  const seen = new Map<string, number>();
  for (const parsed of parseJsonLines(content, 'one daily_experiments row')) {
    const { line, value } = parsed;
    const dt = value.dt;
    if (typeof dt !== 'string' || !isIsoDate(dt)) throw new InputError(`history line ${line}: "dt" must be a YYYY-MM-DD date`);
    const metric = lineText(parsed, 'metric');
    if (!metrics.has(metric)) throw new InputError(`history line ${line}: "metric" must be one of ${experimentMetrics.join(', ')} (got ${JSON.stringify(metric)})`);
    const row: DailyExperimentCount = {
      dt,
      experiment_id: lineText(parsed, 'experiment_id'),
      variant: lineText(parsed, 'variant'),
      metric,
      exposures: lineCount(parsed, 'exposures'),
      successes: lineCount(parsed, 'successes'),
      declared_split: declaredSplit(parsed),
    };
    const problem = dailyCountProblem(row.exposures, row.successes);
    if (problem !== null) throw new InputError(`history line ${line}: ${problem}`);
    const key = JSON.stringify([row.dt, row.experiment_id, row.variant, row.metric]);
    const first = seen.get(key);
    if (first !== undefined) throw new InputError(`history line ${line}: same dt, experiment, variant and metric as line ${first}`);
    seen.set(key, line);
    rows.push(row);
  }
  return rows;
}
