import { nextDailyRun, parseDailyTime, scheduleDaily } from '../../local/daily-schedule';
import { InputError } from '../../shared/errors';
import { addDays, dateInZone } from '../../shared/time';

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

  it('runs a time a spring-forward gap skips at the end of the gap, that day', () => {
    // Berlin, 2026-03-29: 02:00 CET becomes 03:00 CEST, so 02:30 does not exist; 03:00 CEST is 01:00 UTC.
    expect(new Date(nextDailyRun(Date.parse('2026-03-28T12:00:00Z'), 150, 'Europe/Berlin')).toISOString()).toBe('2026-03-29T01:00:00.000Z');
    expect(new Date(nextDailyRun(Date.parse('2026-03-29T01:00:00Z'), 150, 'Europe/Berlin')).toISOString()).toBe('2026-03-30T00:30:00.000Z');
    // São Paulo, 2018-11-04 (when Brazil still had daylight saving): midnight became 01:00, so
    // 00:30 did not exist; 01:00 at UTC−02:00 is 03:00 UTC.
    expect(new Date(nextDailyRun(Date.parse('2018-11-03T12:00:00Z'), 30, 'America/Sao_Paulo')).toISOString()).toBe('2018-11-04T03:00:00.000Z');
  });

  it('runs a time an autumn repeat shows twice at its first occurrence only', () => {
    // Berlin, 2026-10-25: 03:00 CEST becomes 02:00 CET, so 02:30 comes at 00:30 and at 01:30 UTC.
    expect(new Date(nextDailyRun(Date.parse('2026-10-24T12:00:00Z'), 150, 'Europe/Berlin')).toISOString()).toBe('2026-10-25T00:30:00.000Z');
    expect(new Date(nextDailyRun(Date.parse('2026-10-25T00:30:00Z'), 150, 'Europe/Berlin')).toISOString()).toBe('2026-10-26T01:30:00.000Z');
    expect(new Date(nextDailyRun(Date.parse('2026-10-25T01:00:00Z'), 150, 'Europe/Berlin')).toISOString()).toBe('2026-10-26T01:30:00.000Z');
    // São Paulo, 2019-02-16: midnight (UTC−02:00) became 23:00 (UTC−03:00), so 23:30 came at 01:30 and 02:30 UTC.
    expect(new Date(nextDailyRun(Date.parse('2019-02-16T12:00:00Z'), 1410, 'America/Sao_Paulo')).toISOString()).toBe('2019-02-17T01:30:00.000Z');
    expect(new Date(nextDailyRun(Date.parse('2019-02-17T01:30:00Z'), 1410, 'America/Sao_Paulo')).toISOString()).toBe('2019-02-18T02:30:00.000Z');
  });

  it.each([
    ['Europe/Berlin', 150, '2026-03-26T12:00:00Z', ['2026-03-27T01:30:00.000Z', '2026-03-28T01:30:00.000Z', '2026-03-29T01:00:00.000Z', '2026-03-30T00:30:00.000Z']],
    ['Europe/Berlin', 150, '2026-10-23T12:00:00Z', ['2026-10-24T00:30:00.000Z', '2026-10-25T00:30:00.000Z', '2026-10-26T01:30:00.000Z', '2026-10-27T01:30:00.000Z']],
    ['America/Sao_Paulo', 30, '2018-11-02T12:00:00Z', ['2018-11-03T03:30:00.000Z', '2018-11-04T03:00:00.000Z', '2018-11-05T02:30:00.000Z', '2018-11-06T02:30:00.000Z']],
    ['America/Sao_Paulo', 1410, '2019-02-14T12:00:00Z', ['2019-02-15T01:30:00.000Z', '2019-02-16T01:30:00.000Z', '2019-02-17T01:30:00.000Z', '2019-02-18T02:30:00.000Z']],
  ])('runs exactly once per local day across a daylight-saving change in %s (minute %i)', async (timeZone, minutes, start, expected) => {
    jest.useFakeTimers();
    try {
      let clock = Date.parse(start);
      const runs: { at: string; date: string }[] = [];
      const schedule = scheduleDaily({ minutes, timeZone, now: () => clock, log: () => undefined, run: async (date) => void runs.push({ at: new Date(clock).toISOString(), date }) });
      // Four days in five-minute steps, the timers and the clock moving together.
      for (let i = 0; i < (4 * 24 * 60) / 5; i++) {
        clock += 5 * 60_000;
        await jest.advanceTimersByTimeAsync(5 * 60_000);
      }
      schedule.stop();
      expect(runs.map((r) => r.at)).toEqual(expected);
      // One run per target date, each the local day before the run's own.
      const dates = runs.map((r) => r.date);
      expect(new Set(dates).size).toBe(4);
      expect(dates).toEqual(expected.map((at) => addDays(dateInZone(Date.parse(at), timeZone), -1)));
    } finally {
      jest.useRealTimers();
    }
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
