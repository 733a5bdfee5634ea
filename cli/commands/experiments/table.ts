import type { Env } from '../../../shared/config/local';
import type { QueryEngine } from '../../../shared/ports/query-engine';
import { experimentColumns } from '../../../shared/schema/columns';
import type { ExperimentRow } from '../../../shared/schema/types';
import { schemaRow, strOrNull } from '../../../shared/sql/decode';
import type { DialectName } from '../../../shared/sql/dialect';
import { runQuery } from '../../../shared/sql/run-query';
import { experimentTable } from '../../../shared/text/experiment-table';
import { checkDate } from '../../../shared/time';
import { withReadTarget, type ReadTargetFlags } from '../../ops/read-engine';

/**
 * `experiments [--date D] [--data-dir D | --stage S]`: the `experiments` table of one evaluation
 * date (default: the latest one written) as aligned text, read from the local lake or from a
 * stage's Athena, through the same query either way (experiments/of-date.sql).
 */

export interface ExperimentTableFlags extends ReadTargetFlags {
  readonly date?: string;
}

/** The rows of `date`, or of the latest evaluation date when none is given (null: the table is empty). */
export async function readExperimentTable(engine: QueryEngine, dialect: DialectName, date: string | undefined): Promise<{ date: string | null; rows: ExperimentRow[] }> {
  let dt: string | null = date ?? null;
  if (dt === null) [dt = null] = await runQuery(engine, { name: 'experiments/latest-date', params: {}, dialect }, (r) => strOrNull(r, 'dt'));
  if (dt === null) return { date: null, rows: [] };
  const rows = await runQuery(engine, { name: 'experiments/of-date', params: { dt }, dialect }, (r) => schemaRow(experimentColumns, r));
  return { date: dt, rows };
}

/** Prints the table of one evaluation date (a heading line naming it, then the rows). */
export async function printExperimentTable(flags: ExperimentTableFlags, out: (text: string) => void, env: Env = process.env, note: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): Promise<void> {
  const date = flags.date === undefined ? undefined : checkDate('--date', flags.date);
  const { date: dt, rows } = await withReadTarget(flags, env, note, ({ engine, dialect }) => readExperimentTable(engine, dialect, date));
  if (dt === null) {
    out('(no experiments evaluated yet: the daily workflow writes them once sends carry experiment_id and variant)\n');
    return;
  }
  out(`Experiments evaluated ${dt} (always-valid intervals and p-values, α = 0.05, corrected across variants)\n${experimentTable(rows)}\n`);
}
