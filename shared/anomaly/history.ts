import { InputError } from '../errors';
import { isIsoDate } from '../time';
import type { DetectorInputRow } from './types';

type Json = Record<string, unknown>;

function text(row: Json, name: string, line: number, nullable: boolean): string | null {
  const v = row[name];
  if (typeof v === 'string' && v !== '') return v;
  if (nullable && (v === null || v === undefined)) return null;
  throw new InputError(`history line ${line}: "${name}" must be a non-empty string${nullable ? ' or null' : ''}`);
}

function count(row: Json, name: string, line: number): number {
  const v = row[name];
  // Engines print BIGINT as a JSON number or, to stay exact, as a digit string; both are fine.
  const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
  if (typeof n === 'number' && Number.isSafeInteger(n) && n >= 0) return n;
  throw new InputError(`history line ${line}: "${name}" must be a non-negative integer`);
}

/**
 * Parses `daily_ctr` rows written as JSON lines (each with its `dt`), keeping the columns the
 * detector reads. Blank lines are skipped. Throws InputError naming the 1-based line of the first
 * bad row, or of a second row for the same date, campaign, template and button.
 */
export function parseDailyCtrLines(content: string): DetectorInputRow[] {
  const rows: DetectorInputRow[] = [];
  const seen = new Map<string, number>();
  const lines = content.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = i + 1;
    const raw = lines[i]!.trim();
    if (raw === '') continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch (cause) {
      throw new InputError(`history line ${line}: not valid JSON`, { cause });
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new InputError(`history line ${line}: expected a JSON object (one daily_ctr row)`);
    }
    const obj = parsed as Json;
    const dt = obj.dt;
    if (typeof dt !== 'string' || !isIsoDate(dt)) throw new InputError(`history line ${line}: "dt" must be a YYYY-MM-DD date`);
    const row: DetectorInputRow = {
      dt,
      campaign_id: text(obj, 'campaign_id', line, false)!,
      template_name: text(obj, 'template_name', line, true),
      button_id: text(obj, 'button_id', line, true),
      messages_delivered: count(obj, 'messages_delivered', line),
      clicked_messages: count(obj, 'clicked_messages', line),
      clicks: count(obj, 'clicks', line),
    };
    const key = JSON.stringify([row.dt, row.campaign_id, row.template_name, row.button_id]);
    const first = seen.get(key);
    if (first !== undefined) throw new InputError(`history line ${line}: same dt, campaign, template and button as line ${first}`);
    seen.set(key, line);
    rows.push(row);
  }
  return rows;
}
