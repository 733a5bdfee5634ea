import { DescribeExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { InputError, WaError } from '../../shared/errors';
import { checkDate, dateRange } from '../../shared/time';
import { awsFailure } from '../ops/stage';

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

/**
 * Runs `runOne` for each date in order, one at a time: consecutive dates rebuild overlapping
 * lookback windows, so running them side by side would race on the same partitions. Stops at the
 * first failure and says how far it got.
 */
export async function backfill(dates: readonly string[], runOne: (date: string) => Promise<BackfillDay>, progress: BackfillProgress = () => undefined): Promise<BackfillDay[]> {
  const days: BackfillDay[] = [];
  for (const date of dates) {
    const day = await runOne(date);
    days.push(day);
    progress(days.length, dates.length, day);
    if (!day.ok) throw new WaError('workflow', `backfill stopped at ${date} (${days.length - 1} of ${dates.length} dates done): ${day.detail}`);
  }
  return days;
}

const FINAL = new Set(['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED']);

export interface SfnRunOptions {
  readonly client: SFNClient;
  readonly stateMachineArn: string;
  readonly lookbackDays?: number;
  /** Names executions `backfill-<date>-<runId>` (unique per run; Step Functions keeps names 90 days). */
  readonly runId: string;
  readonly pollMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** A `runOne` for AWS: starts the stage's state machine for the date and waits for its outcome. */
export function stepFunctionsRunner(options: SfnRunOptions): (date: string) => Promise<BackfillDay> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  return async (date) => {
    const input = JSON.stringify(options.lookbackDays === undefined ? { date } : { date, lookbackDays: options.lookbackDays });
    let executionArn: string | undefined;
    try {
      const started = await options.client.send(new StartExecutionCommand({ stateMachineArn: options.stateMachineArn, name: `backfill-${date}-${options.runId}`, input }));
      executionArn = started.executionArn;
      for (;;) {
        const d = await options.client.send(new DescribeExecutionCommand({ executionArn }));
        if (d.status !== undefined && FINAL.has(d.status)) {
          return { date, ok: d.status === 'SUCCEEDED', detail: d.status === 'SUCCEEDED' ? executionArn! : `${d.status}${d.error ? ` ${d.error}` : ''}${d.cause ? `: ${d.cause}` : ''}` };
        }
        await sleep(options.pollMs ?? 5000);
      }
    } catch (error) {
      throw awsFailure(executionArn === undefined ? `starting the workflow for ${date}` : `watching execution ${executionArn}`, error);
    }
  };
}
