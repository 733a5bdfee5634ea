import type { Command } from 'commander';
import { errorMessage, InputError } from '../../../shared/errors';
import { parseDailyTime, scheduleDaily } from '../../local/daily-schedule';
import { maxBufferBytes, maxBufferMs } from '../../local/delivery-stream';
import { maintainLake } from '../../local/maintenance';
import { parseRetentionDays } from '../../local/retention';
import { openStack, startWarnings, stopOnSignals, type LocalStack } from '../../local/stack';
import { runDaily } from './daily';
import type { RegisterCommand } from './index';

interface StartOptions {
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
    await runDaily({ date, dataDir: stack.config.dataDir }, (text) => process.stderr.write(text));
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
 * `start`: runs the local API and delivery stream until SIGTERM/SIGINT. The bound URL is the only
 * line on stdout (so `--port 0` is usable from scripts); everything else goes to stderr.
 */
export async function start(options: StartOptions): Promise<void> {
  const port = parsePort(options.port);
  // Firehose's own ranges: at most 900 s and 128 MB.
  const bufferMs = Math.max(1, Math.round(boundedNumber(options.bufferSeconds, '--buffer-seconds', maxBufferMs / 1000) * 1000));
  const bufferBytes = Math.max(1, Math.round(boundedNumber(options.bufferMb, '--buffer-mb', maxBufferBytes / (1024 * 1024)) * 1024 * 1024));
  const dailyAt = options.daily === false ? null : parseDailyTime(options.dailyAt ?? process.env.WA_DAILY_TIME ?? '02:30');
  const retentionDays = options.retentionDays === undefined ? null : parseRetentionDays(options.retentionDays);
  if (retentionDays !== null && dailyAt === null) throw new InputError('--retention-days is applied after each daily run: it cannot go with --no-daily (run wa-analytics compact --retention-days instead)');
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const stack = await openStack({ dataDir: options.dataDir, bufferBytes, bufferMs, log });
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
  log(`wa-analytics: data dir ${stack.config.dataDir}; buffering ${options.bufferMb} MB / ${options.bufferSeconds} s; POST /webhooks/meta, /webhooks/wasender, /sends; GET /webhooks/meta`);
  process.stdout.write(`${url}\n`);
}

export const registerStart: RegisterCommand = (program: Command) => {
  program
    .command('start')
    .description('run the local stack: the ingestion API on 127.0.0.1 and the delivery stream into the local lake')
    .option('--port <port>', 'port on 127.0.0.1 (0 picks a free one)', '3000')
    .option('--data-dir <dir>', 'the local lake, write-ahead log and catalog (default: WA_DATA_DIR or ./.wa-analytics)')
    .option('--buffer-seconds <s>', 'deliver buffered records at least this often', '60')
    .option('--buffer-mb <mb>', 'deliver once this much is buffered', '5')
    .option('--daily-at <HH:MM>', 'run the daily workflow for yesterday at this local time in WA_TIMEZONE (default: WA_DAILY_TIME or 02:30)')
    .option('--no-daily', 'do not run the daily workflow on a schedule')
    .option('--retention-days <days>', 'after each daily run, drop whole partitions older than this many days (default: keep everything)')
    .action(start);
};
