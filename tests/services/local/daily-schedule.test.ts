import { nextDailyRun, parseDailyTime, scheduleDaily } from '../../../services/local/daily-schedule';
import { InputError } from '../../../shared/errors';

describe('local daily schedule', () => {
  it('parses HH:MM and rejects anything else with one clear line', () => {
    expect(parseDailyTime('02:30')).toBe(150);
    expect(parseDailyTime('23:59')).toBe(1439);
    expect(() => parseDailyTime('24:00')).toThrow(InputError);
    expect(() => parseDailyTime('2:30')).toThrow('the daily time must be HH:MM on a 24-hour clock (got "2:30")');
  });

  it('finds the next local 02:30 in UTC and in zones east and west of it', () => {
    const now = Date.parse('2026-03-10T12:00:00Z');
    expect(new Date(nextDailyRun(now, 150, 'UTC')).toISOString()).toBe('2026-03-11T02:30:00.000Z');
    // Kolkata is UTC+05:30: 02:30 local on the 11th is 21:00 UTC on the 10th.
    expect(new Date(nextDailyRun(now, 150, 'Asia/Kolkata')).toISOString()).toBe('2026-03-10T21:00:00.000Z');
    // São Paulo is UTC−03:00 (no daylight saving since 2019).
    expect(new Date(nextDailyRun(now, 150, 'America/Sao_Paulo')).toISOString()).toBe('2026-03-11T05:30:00.000Z');
  });

  it('follows daylight saving: 02:30 in New York the day after clocks go forward', () => {
    // US clocks went forward on 2026-03-08; 02:30 local on the 9th is EDT (UTC−4).
    const now = Date.parse('2026-03-08T12:00:00Z');
    expect(new Date(nextDailyRun(now, 150, 'America/New_York')).toISOString()).toBe('2026-03-09T06:30:00.000Z');
    // Before the change the same time is EST (UTC−5).
    expect(new Date(nextDailyRun(Date.parse('2026-03-05T12:00:00Z'), 150, 'America/New_York')).toISOString()).toBe('2026-03-06T07:30:00.000Z');
  });

  it('runs the workflow for yesterday when the time comes, and not twice while a run is going', async () => {
    jest.useFakeTimers();
    try {
      let clock = Date.parse('2026-05-01T02:29:00Z');
      const runs: string[] = [];
      const logs: string[] = [];
      let finish!: () => void;
      const schedule = scheduleDaily({
        minutes: 150,
        timeZone: 'UTC',
        now: () => clock,
        log: (l) => logs.push(l),
        run: (date) => {
          runs.push(date);
          return new Promise<void>((r) => (finish = r));
        },
      });
      clock += 60_000;
      jest.advanceTimersByTime(60_000);
      expect(runs).toEqual(['2026-04-30']);
      clock += 24 * 3600_000;
      jest.advanceTimersByTime(24 * 3600_000);
      expect(runs).toEqual(['2026-04-30']);
      expect(logs).toEqual(['daily workflow for 2026-04-30: starting', 'daily workflow for 2026-05-01 skipped: the previous run is still going']);
      finish();
      schedule.stop();
    } finally {
      jest.useRealTimers();
    }
  });
});
