import { InputError } from '../../shared/errors';
import { addDays, dateInZone } from '../../shared/time';

/** `HH:MM` (24 h) → minutes after local midnight. */
export function parseDailyTime(value: string): number {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(value.trim());
  if (!m) throw new InputError(`the daily time must be HH:MM on a 24-hour clock (got "${value}")`);
  return Number(m[1]) * 60 + Number(m[2]);
}

const offsetFormatters = new Map<string, Intl.DateTimeFormat>();

/** Offset of `timeZone` from UTC at instant `ms`, in ms (local wall clock minus UTC). */
function zoneOffsetMs(ms: number, timeZone: string): number {
  let f = offsetFormatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    offsetFormatters.set(timeZone, f);
  }
  const p = Object.fromEntries(f.formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
  const wall = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second));
  return wall - Math.floor(ms / 1000) * 1000;
}

/** The UTC instant at which the wall clock of `timeZone` shows `date` at `minutes` after midnight. */
function instantOf(date: string, minutes: number, timeZone: string): number {
  const wall = Date.parse(`${date}T00:00:00Z`) + minutes * 60_000;
  // Two refinements settle the offset even across a daylight-saving change.
  let guess = wall - zoneOffsetMs(wall, timeZone);
  guess = wall - zoneOffsetMs(guess, timeZone);
  return guess;
}

/**
 * The next instant after `now` at which the local time in `timeZone` is the daily time. Written
 * here (a few lines on Intl) rather than pulling a cron library for one schedule.
 */
export function nextDailyRun(now: number, minutes: number, timeZone: string): number {
  const today = dateInZone(now, timeZone);
  for (const d of [today, addDays(today, 1), addDays(today, 2)]) {
    const at = instantOf(d, minutes, timeZone);
    if (at > now) return at;
  }
  throw new Error('unreachable: a daily time always occurs within two days');
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
  const arm = () => {
    if (stopped) return;
    const at = nextDailyRun(now(), options.minutes, options.timeZone);
    // Timers beyond ~24.8 days overflow; a day is far below that.
    timer = setTimeout(fire, Math.max(0, at - now()));
    timer.unref();
  };
  const fire = () => {
    const target = addDays(dateInZone(now(), options.timeZone), -1);
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
    arm();
  };
  arm();
  return {
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}
