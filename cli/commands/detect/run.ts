import { detectDates } from '../../../shared/anomaly/detect';
import { parseDailyCtrLines } from '../../../shared/anomaly/history';
import { terminalSafeJson } from '../../../shared/text/terminal';
import { readHistoryFile, type TargetDateFlags, targetDates } from '../../history';

/** Flags of `wa-analytics detect`. */
export interface DetectOptions extends TargetDateFlags {
  history: string;
}

/**
 * The anomalies of the target dates as JSON lines (without newlines), each date seeing only the
 * history rows dated before it. The detector runs every date of the history in turn, as the daily
 * workflow would have, so the days it reported stay out of later baselines and a target gets the
 * same answer alone or in a range. Throws InputError for bad flags, an unreadable file or a bad row.
 */
export function detect(opts: DetectOptions): string[] {
  // Validate the flags before reading a possibly large file.
  const dates = targetDates(opts);
  const rows = parseDailyCtrLines(readHistoryFile(opts.history));
  return detectDates(rows, dates).map((row) => terminalSafeJson(JSON.stringify(row)));
}
