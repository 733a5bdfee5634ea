import { InputError } from '../../shared/errors';
import { checkDate, checkInstant, dateBounds, dateInZone, dateRange, daysBetween, parseIsoInstant } from '../../shared/time';

const now = Date.UTC(2026, 11, 1, 19, 30); // 2026-12-01T19:30Z

describe('date bounds', () => {
  it('accepts 2000-01-01 up to one year after today (UTC)', () => {
    expect(dateBounds(now)).toEqual({ from: '2000-01-01', to: '2027-12-01' });
    expect(checkDate('--date', '2000-01-01', now)).toBe('2000-01-01');
    expect(checkDate('--date', '2027-12-01', now)).toBe('2027-12-01');
  });

  it.each([
    ['1999-12-31', '--date 1999-12-31 is outside 2000-01-01 … 2027-12-01 (from 2000-01-01 to one year ahead)'],
    ['2027-12-02', '--date 2027-12-02 is outside 2000-01-01 … 2027-12-01 (from 2000-01-01 to one year ahead)'],
    ['9999-12-31', '--date 9999-12-31 is outside 2000-01-01 … 2027-12-01 (from 2000-01-01 to one year ahead)'],
    ['2026-02-30', '--date must be a date YYYY-MM-DD (got "2026-02-30")'],
    ['2026-13-01', '--date must be a date YYYY-MM-DD (got "2026-13-01")'],
    ['26-01-01', '--date must be a date YYYY-MM-DD (got "26-01-01")'],
  ])('refuses %s in one line', (value, message) => {
    expect(() => checkDate('--date', value, now)).toThrow(new InputError(message));
  });

  it('keeps 29 February only in leap years', () => {
    expect(checkDate('d', '2024-02-29', now)).toBe('2024-02-29');
    expect(() => checkDate('d', '2025-02-29', now)).toThrow(InputError);
  });
});

describe('ISO-8601 instants', () => {
  it('reads zones and fractions exactly', () => {
    expect(parseIsoInstant('2026-06-10T08:00:00Z')).toBe(Date.UTC(2026, 5, 10, 8));
    expect(parseIsoInstant('2026-06-10T10:00:00+02:00')).toBe(Date.UTC(2026, 5, 10, 8));
    expect(parseIsoInstant('2026-06-10T08:00:00.25-0130')).toBe(Date.UTC(2026, 5, 10, 9, 30, 0, 250));
  });

  it('refuses impossible calendar dates and clocks instead of rolling them over', () => {
    expect(Date.parse('2026-02-30T00:00:00Z')).toBe(Date.UTC(2026, 2, 2)); // what it replaces
    for (const bad of ['2026-02-30T00:00:00Z', '2026-04-31T00:00:00Z', '2026-01-01T24:00:00Z', '2026-01-01T00:60:00Z', '2026-01-01T00:00:00', '2026-01-01', 'yesterday']) {
      expect(parseIsoInstant(bad)).toBeNull();
    }
  });

  it('checks a time argument against the same bounds as dates', () => {
    expect(checkInstant('--received-at', '2026-06-10T08:00:00Z', now)).toBe(Date.UTC(2026, 5, 10, 8));
    expect(() => checkInstant('--received-at', '2026-02-30T00:00:00Z', now)).toThrow('--received-at must be an ISO-8601 time with a zone, on a real date (got "2026-02-30T00:00:00Z")');
    expect(() => checkInstant('--received-at', '9999-12-31T00:00:00Z', now)).toThrow('--received-at 9999-12-31T00:00:00Z is outside 2000-01-01 … 2027-12-01');
  });
});

describe('dateRange', () => {
  it('lists an inclusive range', () => {
    expect(dateRange('2024-02-28', '2024-03-01')).toEqual(['2024-02-28', '2024-02-29', '2024-03-01']);
  });

  it('refuses an end it could never reach instead of looping', () => {
    expect(() => dateRange('9999-12-30', '+010000-01-02')).toThrow(InputError);
  });
});

describe('daysBetween', () => {
  it('counts calendar days across month ends, leap days and backwards', () => {
    expect(daysBetween('2025-03-03', '2025-03-03')).toBe(0);
    expect(daysBetween('2024-02-28', '2024-03-01')).toBe(2);
    expect(daysBetween('2025-02-28', '2025-03-01')).toBe(1);
    expect(daysBetween('2025-12-31', '2025-01-01')).toBe(-364);
  });
});

describe('dateInZone', () => {
  it('gives the UTC date on both sides of every day boundary, before 1970 too', () => {
    const instants = [0, -1, 86_399_999, 86_400_000, Date.UTC(2026, 11, 1) - 1, Date.UTC(2026, 11, 1), Date.UTC(1969, 11, 31, 12), Date.UTC(2024, 1, 29, 23, 59, 59, 999)];
    for (const ms of instants) {
      expect(dateInZone(ms, 'UTC')).toBe(new Date(ms).toISOString().slice(0, 10));
      expect(dateInZone(ms, 'Etc/UTC')).toBe(new Date(ms).toISOString().slice(0, 10));
    }
  });

  it('gives the local date in a zone with a half-hour offset, across its midnight', () => {
    // Asia/Kolkata is UTC+05:30: its midnight is 18:30 UTC the day before.
    expect(dateInZone(Date.UTC(2026, 11, 1, 18, 29, 59, 999), 'Asia/Kolkata')).toBe('2026-12-01');
    expect(dateInZone(Date.UTC(2026, 11, 1, 18, 30), 'Asia/Kolkata')).toBe('2026-12-02');
    // The cache is per zone: the same instant in UTC is still the 1st.
    expect(dateInZone(Date.UTC(2026, 11, 1, 18, 30), 'UTC')).toBe('2026-12-01');
  });
});
