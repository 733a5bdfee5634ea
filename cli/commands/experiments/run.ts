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

/** `wa-analytics experiments --history`: the lines to print; the history mode reads no lake or stage. */
export function experiments(opts: ExperimentsCommandOptions & { dataDir?: string; stage?: string }): string[] {
  const { history } = opts;
  if (history === undefined) throw new InputError('experiments: --history FILE is needed to run the method on a file');
  if (opts.dataDir !== undefined || opts.stage !== undefined) throw new InputError('experiments: --history reads a file; it takes no --data-dir or --stage');
  return experimentsFromHistory({ ...opts, history });
}

/** The table mode (no --history): a range is a history-mode flag. */
export function checkTableFlags(opts: ExperimentsCommandOptions): void {
  if (opts.from !== undefined || opts.to !== undefined) throw new InputError('experiments: --from and --to go with --history FILE; to read the table of one date, give --date');
}
