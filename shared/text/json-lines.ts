import { InputError } from '../errors';

/** One parsed line of a JSON-lines file and its 1-based line number. */
export interface JsonLine {
  readonly line: number;
  readonly value: Readonly<Record<string, unknown>>;
}

/**
 * The JSON objects of a JSON-lines text, blank lines skipped. Throws InputError naming the 1-based
 * line of the first line that is not JSON or not an object (`what` says what one line holds).
 */
export function parseJsonLines(content: string, what: string): JsonLine[] {
  const out: JsonLine[] = [];
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
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new InputError(`history line ${line}: expected a JSON object (${what})`);
    out.push({ line, value: parsed as Record<string, unknown> });
  }
  return out;
}

/** A non-empty string field of a history line (or null when `nullable` and null or absent). */
export function lineText(row: JsonLine, name: string, nullable: true): string | null;
export function lineText(row: JsonLine, name: string, nullable?: false): string;
export function lineText(row: JsonLine, name: string, nullable = false): string | null {
  const v = row.value[name];
  if (typeof v === 'string' && v !== '') return v;
  if (nullable && (v === null || v === undefined)) return null;
  throw new InputError(`history line ${row.line}: "${name}" must be a non-empty string${nullable ? ' or null' : ''}`);
}

/** A count field of a history line: a non-negative safe integer. */
export function lineCount(row: JsonLine, name: string): number {
  const v = row.value[name];
  // Engines print BIGINT as a JSON number or, to stay exact, as a digit string; both are fine.
  const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
  if (typeof n === 'number' && Number.isSafeInteger(n) && n >= 0) return n;
  throw new InputError(`history line ${row.line}: "${name}" must be a non-negative integer`);
}
