import { flatRowColumns, type ColumnDef } from '../../shared/schema/columns';
import type { FlatRow } from '../../shared/schema/types';

const expected: Record<ColumnDef['type'], (v: unknown) => boolean> = {
  string: (v) => typeof v === 'string',
  int: (v) => typeof v === 'number' && Number.isInteger(v) && Math.abs(v) < 2 ** 31,
  bigint: (v) => typeof v === 'number' && Number.isSafeInteger(v),
  double: (v) => typeof v === 'number' && Number.isFinite(v),
};

/** Problems of a parsed row against the one schema: exact keys, types, non-null columns. */
export function schemaProblems(row: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const names = flatRowColumns.map((c) => c.name);
  const keys = Object.keys(row);
  if (keys.join(',') !== names.join(',')) problems.push(`keys ${keys.join(',')} differ from the schema`);
  for (const c of flatRowColumns) {
    const v = row[c.name];
    if (v === null || v === undefined) {
      if (!c.nullable) problems.push(`${c.name} is null`);
    } else if (!expected[c.type](v)) problems.push(`${c.name} has type ${typeof v}`);
  }
  return problems;
}

/** Decodes a Firehose `Ok` record's data into its rows (newline-terminated JSON). */
export function rowsOfData(data: string): FlatRow[] {
  const text = Buffer.from(data, 'base64').toString('utf8');
  if (text === '') return [];
  if (!text.endsWith('\n')) throw new Error('record data is not newline-terminated');
  return text.slice(0, -1).split('\n').map((line) => JSON.parse(line) as FlatRow);
}

/** An expected row with every schema column: null unless given. */
export function fullRow(fields: Partial<FlatRow>): FlatRow {
  const row = Object.fromEntries(flatRowColumns.map((c) => [c.name, null])) as unknown as FlatRow;
  return Object.assign(row, fields);
}
