import { DescribeExecutionCommand, type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { InputError, WaError } from '../../shared/errors';
import { pollUntil, type Sleep } from '../../shared/retry';
import { checkDate, dateRange } from '../../shared/time';
import { defaultExecutionTimeout, formatTimeout, parseTimeout } from './execution-timeout';
import { awsFailure } from '../../shared/adapters/aws/errors';

/** Outcome of one date of a backfill. */
export interface BackfillDay {
  readonly date: string;
  readonly ok: boolean;
  readonly detail: string;
}

/** Called after each date, for the progress display. */
export type BackfillProgress = (done: number, total: number, day: BackfillDay) => void;

/** The dates of `--from … --to`, checked: real dates, not backwards, at most `maxDays`. */
export function backfillDates(from: string, to: string, maxDays = 366): string[] {
  checkDate('--from', from);
  checkDate('--to', to);
  if (to < from) throw new InputError(`the date range is backwards: --from ${from} is after --to ${to}`);
  const dates = dateRange(from, to);
  if (dates.length > maxDays) throw new InputError(`the range has ${dates.length} days; backfill at most ${maxDays} at a time`);
  return dates;
}

/** How far a stopped backfill got: `2 of 5 dates done: 2024-05-01..2024-05-02`. */
function progressLine(done: readonly BackfillDay[], total: number): string {
  const range = done.length === 0 ? '' : done.length === 1 ? `: ${done[0]!.date}` : `: ${done[0]!.date}..${done.at(-1)!.date}`;
  return `${done.length} of ${total} dates done${range}`;
}

/**
 * Runs `runOne` for each date in order, one at a time: consecutive dates rebuild overlapping
 * lookback windows, so running them side by side would race on the same partitions. Stops at the
 * first failure (or the first date whose execution outlived its timeout) and says how far it got.
 */
export async function backfill(dates: readonly string[], runOne: (date: string) => Promise<BackfillDay>, progress: BackfillProgress = () => undefined): Promise<BackfillDay[]> {
  const days: BackfillDay[] = [];
  for (const date of dates) {
    const day = await runOne(date);
    progress(days.length + 1, dates.length, day);
    if (!day.ok) throw new WaError('workflow', `backfill stopped at ${date} (${progressLine(days, dates.length)}): ${day.detail}`);
    days.push(day);
  }
  return days;
}

const FINAL = new Set(['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED']);
const finished = (execution: { readonly status?: string }): boolean => execution.status !== undefined && FINAL.has(execution.status);

export interface SfnRunOptions {
  readonly client: SFNClient;
  readonly stateMachineArn: string;
  readonly lookbackDays?: number;
  /** Names executions `backfill-<date>-<runId>` (unique per run; Step Functions keeps names 90 days). */
  readonly runId: string;
  readonly pollMs?: number;
  /** Give up waiting for one execution after this long (it is left running); default 6 h. */
  readonly timeoutMs?: number;
  readonly sleep?: Sleep;
  /** The clock the timeout is measured on (tests); default Date.now. */
  readonly now?: () => number;
}

/**
 * A `runOne` for AWS: starts the stage's state machine for the date and waits for its outcome,
 * at most `timeoutMs`. An execution still running then is not stopped (it may yet finish, and a
 * re-run of the date is idempotent): the date counts as not done, with the execution named.
 */
export function stepFunctionsRunner(options: SfnRunOptions): (date: string) => Promise<BackfillDay> {
  const now = options.now ?? Date.now;
  const timeoutMs = options.timeoutMs ?? parseTimeout(defaultExecutionTimeout);
  const pollMs = options.pollMs ?? 5000;
  return async (date) => {
    const input = JSON.stringify(options.lookbackDays === undefined ? { date } : { date, lookbackDays: options.lookbackDays });
    let executionArn: string | undefined;
    try {
      const started = await options.client.send(new StartExecutionCommand({ stateMachineArn: options.stateMachineArn, name: `backfill-${date}-${options.runId}`, input }));
      executionArn = started.executionArn;
      const d = await pollUntil(
        () => options.client.send(new DescribeExecutionCommand({ executionArn })),
        finished,
        { intervalMs: pollMs, deadline: now() + timeoutMs, sleep: options.sleep, now },
      );
      if (finished(d)) {
        return { date, ok: d.status === 'SUCCEEDED', detail: d.status === 'SUCCEEDED' ? executionArn! : `${d.status}${d.error ? ` ${d.error}` : ''}${d.cause ? `: ${d.cause}` : ''}` };
      }
      const detail =
        `execution ${executionArn} still ${d.status ?? 'RUNNING'} after --timeout ${formatTimeout(timeoutMs)}; it was left running ` +
        `(watch it in the Step Functions console, or stop it with aws stepfunctions stop-execution --execution-arn ${executionArn}), ` +
        `then run the backfill again from --from ${date}`;
      return { date, ok: false, detail };
    } catch (error) {
      throw awsFailure(executionArn === undefined ? `starting the workflow for ${date}` : `watching execution ${executionArn}`, error);
    }
  };
}
