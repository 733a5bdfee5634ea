import { resolveRun } from '../../../services/daily/steps';
import { InputError } from '../../../shared/errors';

const now = Date.UTC(2026, 11, 1, 1, 0); // 2026-12-01T01:00Z

describe('resolveRun (the workflow input, on AWS and locally)', () => {
  it('defaults to yesterday in the reporting time zone', () => {
    expect(resolveRun({}, 'UTC', now)).toMatchObject({ date: '2026-11-30', lookbackDays: 3 });
    expect(resolveRun({}, 'America/Sao_Paulo', now)).toMatchObject({ date: '2026-11-29' });
  });

  it('refuses a date outside 2000-01-01 … one year ahead before any step runs', () => {
    expect(() => resolveRun({ date: '9999-12-31' }, 'UTC', now)).toThrow(new InputError('date 9999-12-31 is outside 2000-01-01 … 2027-12-01 (from 2000-01-01 to one year ahead)'));
    expect(() => resolveRun({ date: '9999-12-29', lookbackDays: 3 }, 'UTC', now)).toThrow(InputError);
    expect(() => resolveRun({ date: '2026-02-30' }, 'UTC', now)).toThrow('date must be a date YYYY-MM-DD (got "2026-02-30")');
  });
});
