import { InputError } from '../errors';
import { lineCount, lineText, parseJsonLines } from '../text/json-lines';
import { isIsoDate } from '../time';
import type { DetectorInputRow } from './types';

/**
 * Parses `daily_ctr` rows written as JSON lines (each with its `dt`), keeping the columns the
 * detector reads. Blank lines are skipped. Throws InputError naming the 1-based line of the first
 * bad row, or of a second row for the same date, campaign, template and button.
 */
export function parseDailyCtrLines(content: string): DetectorInputRow[] {
  const rows: DetectorInputRow[] = [];
  const seen = new Map<string, number>();
  for (const parsed of parseJsonLines(content, 'one daily_ctr row')) {
    const { line, value } = parsed;
    const dt = value.dt;
    if (typeof dt !== 'string' || !isIsoDate(dt)) throw new InputError(`history line ${line}: "dt" must be a YYYY-MM-DD date`);
    const row: DetectorInputRow = {
      dt,
      campaign_id: lineText(parsed, 'campaign_id'),
      template_name: lineText(parsed, 'template_name', true),
      button_id: lineText(parsed, 'button_id', true),
      messages_delivered: lineCount(parsed, 'messages_delivered'),
      clicked_messages: lineCount(parsed, 'clicked_messages'),
      clicks: lineCount(parsed, 'clicks'),
    };
    const key = JSON.stringify([row.dt, row.campaign_id, row.template_name, row.button_id]);
    const first = seen.get(key);
    if (first !== undefined) throw new InputError(`history line ${line}: same dt, campaign, template and button as line ${first}`);
    seen.set(key, line);
    rows.push(row);
  }
  return rows;
}
