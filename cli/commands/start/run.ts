import type { LocalConfig } from '../../../shared/config/local';
import { errorMessage, InputError } from '../../../shared/errors';
import { parseDailyTime, scheduleDaily } from '../../../local/daily-schedule';
import { maxBufferBytes, maxBufferMs } from '../../../local/delivery-stream';
import { maintainLake } from '../../../local/maintenance';
import { parseRetentionDays } from '../../../local/retention';
import { openStack, startWarnings, stopOnSignals, type LocalStack } from '../../../local/stack';
import { runDailyWith } from '../daily/run';
import { routesLine, twilioPaths } from '../../../services/ingest/routes';

export interface StartOptions {
  port: string;
  dataDir?: string;
  bufferSeconds: string;
  bufferMb: string;
  /** `--daily-at HH:MM`. */
  dailyAt?: string;
  /** false with `--no-daily`. */
  daily?: boolean;
  /** `--retention-days N`: drop partitions older than N days after each daily run. */
  retentionDays?: string;
  /** `--public-url URL`: read with the configuration (shared/config/local.ts), over WA_PUBLIC_URL. */
  publicUrl?: string;
}

/** A number in (0, max]: out-of-range values are refused, never wrapped (a 3,000,000 s timer fires at once). */
export function boundedNumber(value: string, flag: string, max: number): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0 || n > max) throw new InputError(`${flag} must be a number above 0 and at most ${max} (got "${value}")`);
  return n;
}

/** Parses `--port`: an integer 0–65535 (0 picks a free port). */
export function parsePort(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n > 65535) throw new InputError(`--port must be an integer from 0 to 65535 (got "${value}")`);
  return n;
}

/**
 * What `start` does at the daily time (the local EventBridge schedule): deliver what is buffered,
 * run yesterday's workflow, then the lake's upkeep between deliveries (retention, and the closed
 * days compacted), whether or not the workflow succeeded. A failed workflow still fails the run.
 */
export async function scheduledRun(stack: LocalStack, date: string, retentionDays: number | null, log: (line: string) => void): Promise<void> {
  await stack.stream.flush();
  let failure: unknown = null;
  try {
    await runDailyWith({ date }, (text) => process.stderr.write(text), stack.config);
  } catch (error) {
    failure = error;
  }
  try {
    const upkeep = await stack.stream.exclusive((flushed) => maintainLake({ catalog: stack.catalog, timeZone: stack.config.timeZone, flushed, retentionDays }));
    for (const line of upkeep.lines) log(`wa-analytics: ${line}`);
  } catch (error) {
    log(`wa-analytics: lake upkeep failed (the lake is as it was; it is tried again after the next daily run): ${errorMessage(error)}`);
  }
  if (failure !== null) throw failure;
}

/**
 * The URLs to paste into the Twilio console (its "A message comes in" webhook, then the status
 * callback URL): Twilio signs the URL it calls, so they must be the public URL it reaches.
 */
export function twilioConsoleLine(publicUrl: string): string {
  const [inbound, status] = twilioPaths.map((p) => `${publicUrl}${p}`);
  return `Twilio: "A message comes in" ${inbound}, status callback ${status} (HTTP POST; --public-url if Twilio reaches this API through a tunnel or proxy)`;
}

/** `start`'s flags, checked: what it was asked to do, before any configuration is read. */
interface StartFlags {
  readonly port: number;
  readonly bufferSeconds: number;
  readonly bufferMb: number;
  /** false with `--no-daily`. */
  readonly daily: boolean;
  /** `--daily-at`, in minutes after midnight; null when not given (WA_DAILY_TIME, else 02:30). */
  readonly dailyAt: number | null;
  readonly retentionDays: number | null;
}

/** Checks `start`'s flags: each bad one is an InputError naming it, before the data dir is touched. */
export function checkStartFlags(options: StartOptions): StartFlags {
  const port = parsePort(options.port);
  // Firehose's own ranges: at most 900 s and 128 MB.
  const bufferSeconds = boundedNumber(options.bufferSeconds, '--buffer-seconds', maxBufferMs / 1000);
  const bufferMb = boundedNumber(options.bufferMb, '--buffer-mb', maxBufferBytes / (1024 * 1024));
  const daily = options.daily !== false;
  const dailyAt = daily && options.dailyAt !== undefined ? parseDailyTime(options.dailyAt) : null;
  const retentionDays = options.retentionDays === undefined ? null : parseRetentionDays(options.retentionDays);
  if (retentionDays !== null && !daily) throw new InputError('--retention-days is applied after each daily run: it cannot go with --no-daily (run wa-analytics compact --retention-days instead)');
  return { port, bufferSeconds, bufferMb, daily, dailyAt, retentionDays };
}

/**
 * `start`: runs the local API and delivery stream until SIGTERM/SIGINT, with the configuration
 * the command read once (the stack and every scheduled daily run use it). The bound URL is the
 * only line on stdout (so `--port 0` is usable from scripts); everything else goes to stderr.
 */
export async function start(flags: StartFlags, config: LocalConfig): Promise<void> {
  const { port, retentionDays } = flags;
  const bufferMs = Math.max(1, Math.round(flags.bufferSeconds * 1000));
  const bufferBytes = Math.max(1, Math.round(flags.bufferMb * 1024 * 1024));
  const dailyAt = flags.daily ? (flags.dailyAt ?? parseDailyTime(config.dailyTime ?? '02:30')) : null;
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const stack = await openStack({ config, bufferBytes, bufferMs, log });
  for (const line of startWarnings(stack.config)) log(`wa-analytics: ${line}`);
  let url: string;
  try {
    url = await stack.listen(port);
  } catch (error) {
    await stack.close();
    throw error;
  }
  stopOnSignals(stack, log);
  if (dailyAt !== null) {
    const hhmm = `${String(Math.floor(dailyAt / 60)).padStart(2, '0')}:${String(dailyAt % 60).padStart(2, '0')}`;
    log(`wa-analytics: daily workflow every day at ${hhmm} ${stack.config.timeZone} (--no-daily to turn off)`);
    // The local EventBridge schedule: deliver what is buffered, then run yesterday's workflow.
    scheduleDaily({
      minutes: dailyAt,
      timeZone: stack.config.timeZone,
      log: (line) => log(`wa-analytics: ${line}`),
      run: (date) => scheduledRun(stack, date, retentionDays, log),
    });
  }
  log(`wa-analytics: data dir ${stack.config.dataDir}; buffering ${flags.bufferMb} MB / ${flags.bufferSeconds} s; ${routesLine()}`);
  log(`wa-analytics: ${twilioConsoleLine(stack.config.publicUrl ?? url)}`);
  process.stdout.write(`${url}\n`);
}
