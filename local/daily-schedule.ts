import { Cron } from 'croner';
import { InputError } from '../shared/errors';
import { addDays, dateInZone } from '../shared/time';

/** `HH:MM` (24 h) → minutes after local midnight. */
export function parseDailyTime(value: string): number {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(value.trim());
  if (!m) throw new InputError(`the daily time must be HH:MM on a 24-hour clock (got "${value}")`);
  return Number(m[1]) * 60 + Number(m[2]);
}

/**
 * The next instant after `now` at which the local time in `timeZone` is the daily time, from
 * croner, which follows Vixie cron across daylight-saving changes: a time that a spring-forward
 * gap skips runs at the end of the gap that day, and a time an autumn repeat shows twice runs at
 * its first occurrence only, so the job runs exactly once per local day.
 */
export function nextDailyRun(now: number, minutes: number, timeZone: string): number {
  const next = new Cron(`${minutes % 60} ${Math.floor(minutes / 60)} * * *`, { timezone: timeZone }).nextRun(new Date(now));
  if (next === null) throw new Error(`no next daily run at minute ${minutes} in ${timeZone}`);
  return next.getTime();
}

export interface DailySchedule {
  stop(): void;
}

export interface DailyScheduleOptions {
  readonly minutes: number;
  readonly timeZone: string;
  /** Runs the workflow for a target date (yesterday in the zone at the scheduled time). */
  readonly run: (date: string) => Promise<void>;
  readonly log: (line: string) => void;
  readonly now?: () => number;
}

/**
 * The local stand-in for EventBridge Scheduler: runs the daily workflow once a day at the stage's
 * time in its time zone, for the day before. A run still going when the next is due is not
 * doubled; a failed run is logged (its failure alert went out from the workflow itself).
 */
export function scheduleDaily(options: DailyScheduleOptions): DailySchedule {
  const now = options.now ?? Date.now;
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  let stopped = false;
  // Croner computes the instants; the timer stays here so that tests can drive the clock (`now`).
  const arm = (after: number) => {
    if (stopped) return;
    const at = nextDailyRun(after, options.minutes, options.timeZone);
    // Timers beyond ~24.8 days overflow; a day is far below that.
    timer = setTimeout(() => fire(at), Math.max(0, at - now()));
    timer.unref();
  };
  const fire = (at: number) => {
    const target = addDays(dateInZone(at, options.timeZone), -1);
    if (running) {
      options.log(`daily workflow for ${target} skipped: the previous run is still going`);
    } else {
      running = true;
      options.log(`daily workflow for ${target}: starting`);
      options.run(target).then(
        () => options.log(`daily workflow for ${target}: done`),
        (error: unknown) => options.log(`daily workflow for ${target} failed: ${(error as Error)?.message ?? String(error)}`),
      ).finally(() => {
        running = false;
      });
    }
    // From the slot itself too: a timer that fires a moment early must not fire the same slot again.
    arm(Math.max(at, now()));
  };
  arm(now());
  return {
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}
