import { InputError } from '../../../shared/errors';
import { evaluateRange } from '../../../shared/experiments/evaluate';
import { parseDailyExperimentLines } from '../../../shared/experiments/history';
import { experimentColumns } from '../../../shared/schema/columns';
import { terminalSafeJson } from '../../../shared/text/terminal';
import { readHistoryFile, type TargetDateFlags, targetDates } from '../../history';

/** Flags of `wa-analytics experiments`. */
export interface ExperimentsCommandOptions extends TargetDateFlags {
  history?: string;
}

/**
 * `--history` mode: every target date evaluated on the history rows dated up to and including
 * it, as JSON lines (without newlines) `{"dt": …, <experiments columns in schema order>}`, dates
 * in order, then experiment_id, metric, control first, other variants in plain string order.
 * Throws InputError for bad flags, an unreadable file or a bad row.
 */
export function experimentsFromHistory(opts: ExperimentsCommandOptions & { history: string }): string[] {
  // Validate the flags before reading a possibly large file.
  const dates = targetDates(opts);
  const history = parseDailyExperimentLines(readHistoryFile(opts.history));
  const lines: string[] = [];
  for (const { dt, rows } of evaluateRange(history, dates[0]!, dates.at(-1)!)) {
    for (const row of rows) {
      const ordered: Record<string, unknown> = { dt };
      for (const column of experimentColumns) ordered[column.name] = row[column.name];
      lines.push(terminalSafeJson(JSON.stringify(ordered)));
    }
  }
  return lines;
}

/** `wa-analytics experiments`: the lines to print. Only the `--history` mode exists yet. */
export function experiments(opts: ExperimentsCommandOptions): string[] {
  const { history } = opts;
  if (history === undefined) throw new InputError('experiments: give --history FILE (reading a lake or stage comes next)');
  return experimentsFromHistory({ ...opts, history });
}
