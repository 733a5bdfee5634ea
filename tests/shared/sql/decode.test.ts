import { QueryError } from '../../../shared/errors';
import { anomalyColumns, dailyCtrColumns } from '../../../shared/schema/columns';
import { num, numOrNull, schemaColumns, schemaRow, str, strOrNull } from '../../../shared/sql/decode';

const row = { name: 'spring', none: null, n: 7, big: '9007199254740993', ratio: 0.25, text_n: '12', flag: true, list: ['a'] };

describe('row decoders', () => {
  it('read text and numbers as the engines give them', () => {
    expect(str(row, 'name')).toBe('spring');
    expect(strOrNull(row, 'none')).toBeNull();
    expect(strOrNull(row, 'name')).toBe('spring');
    expect(num(row, 'n')).toBe(7);
    expect(num(row, 'ratio')).toBe(0.25);
    // An integer beyond 2^53 arrives as its decimal string (QueryValue); it reads as the nearest double.
    expect(num(row, 'big')).toBe(9007199254740992);
    expect(numOrNull(row, 'none')).toBeNull();
    expect(numOrNull(row, 'text_n')).toBe(12);
  });

  it.each([
    ['a number for text', () => str(row, 'n'), 'column "n": expected text, got 7 (number)'],
    ['null for required text', () => str(row, 'none'), 'column "none": expected text, got null (null)'],
    ['text for a number', () => num(row, 'name'), 'column "name": expected a number, got "spring" (string)'],
    ['a boolean for a number', () => numOrNull(row, 'flag'), 'column "flag": expected a number, got true (boolean)'],
    ['an array for text', () => strOrNull(row, 'list'), 'column "list": expected text, got ["a"] (array)'],
    ['a column the result lacks', () => num(row, 'missing'), 'column "missing": expected a number, got no such column'],
    ['a column the result lacks, even where null is allowed', () => strOrNull(row, 'missing'), 'column "missing": expected text, got no such column'],
  ])('throw a QueryError naming the column for %s', (_what, read, message) => {
    expect(read).toThrow(QueryError);
    expect(read).toThrow(message);
  });

  it('read a table row by its schema types and nullability', () => {
    const stored = { campaign_id: 'spring', template_name: null, button_id: 'yes', metric: 'ctr', kind: 'drop', observed: 0.05, expected: 0.4, lower: 0.3, upper: 0.5, score: 12.5, baseline_days: 28, incident_start: null, dt: '2024-05-03' };
    const { dt: _dt, ...expected } = stored;
    expect(schemaRow(anomalyColumns, stored)).toEqual(expected);
    expect(() => schemaRow(anomalyColumns, { ...stored, campaign_id: null })).toThrow('column "campaign_id": expected text, got null (null)');
    expect(() => schemaRow(anomalyColumns, { ...stored, score: 'high' })).toThrow('column "score": expected a number, got "high" (string)');
  });

  it('read the named columns of a table by their schema types, ignoring the others', () => {
    const selected = { dt: '2024-05-03', campaign_id: 'spring', template_name: null, messages_delivered: '12', clicks: 3 };
    expect(schemaColumns(dailyCtrColumns, ['campaign_id', 'template_name', 'messages_delivered', 'clicks'], selected)).toEqual({ campaign_id: 'spring', template_name: null, messages_delivered: 12, clicks: 3 });
    // messages_delivered is never null in daily_ctr: a null there is an error, not a zero.
    expect(() => schemaColumns(dailyCtrColumns, ['messages_delivered'], { messages_delivered: null })).toThrow('column "messages_delivered": expected a number, got null (null)');
  });
});
