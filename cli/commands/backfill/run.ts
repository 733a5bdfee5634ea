import { SFNClient } from '@aws-sdk/client-sfn';
import { readLocalWorkflowConfig, type Env } from '../../../shared/config/local';
import { InputError } from '../../../shared/errors';
import { backfill, backfillDates, stepFunctionsRunner, type BackfillDay } from '../../ops/backfill';
import { defaultExecutionTimeout, parseTimeout } from '../../ops/execution-timeout';
import { startProgress } from '../../ops/progress';
import { requireOutput, resolveStage } from '../../ops/stage';
import { runDailyWith } from '../daily/run';

export interface BackfillOptions {
  readonly from: string;
  readonly to: string;
  readonly lookback?: string;
  readonly dataDir?: string;
  readonly stage?: string;
  readonly region?: string;
  /** `--timeout`: the longest one date's execution is waited for (with --stage). */
  readonly timeout?: string;
}

/** Test seams of a stage backfill: the Step Functions client, its polling sleep and clock. */
export interface BackfillSeams {
  readonly sfn?: SFNClient;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => number;
}

/**
 * `backfill`: the daily workflow for each date of a range, in order — locally (the same run as
 * `daily`), or on a deployed stage by starting its state machine once per date and waiting for
 * each at most `--timeout`.
 */
export async function runBackfill(options: BackfillOptions, out: (text: string) => void, seams: BackfillSeams = {}, env: Env = process.env): Promise<BackfillDay[]> {
  const dates = backfillDates(options.from, options.to);
  if (options.stage !== undefined && options.dataDir !== undefined) throw new InputError('--data-dir is for a local backfill; drop it with --stage');
  if (options.stage === undefined && options.timeout !== undefined) throw new InputError('--timeout is for a backfill on a stage (--stage): a local run has no execution to wait for');
  const timeoutMs = parseTimeout(options.timeout ?? defaultExecutionTimeout);
  let lookbackDays: number | undefined;
  if (options.lookback !== undefined) {
    if (!/^\d+$/.test(options.lookback)) throw new InputError(`--lookback must be a whole number of days (got "${options.lookback}")`);
    lookbackDays = Number(options.lookback);
  }
  let runOne: (date: string) => Promise<BackfillDay>;
  if (options.stage !== undefined) {
    const stage = await resolveStage({ stage: options.stage, region: options.region });
    const client = seams.sfn ?? new SFNClient({ region: stage.region });
    runOne = stepFunctionsRunner({ client, stateMachineArn: requireOutput(stage, 'DailyStateMachineArn'), lookbackDays, runId: Date.now().toString(36), timeoutMs, sleep: seams.sleep, now: seams.now });
  } else {
    const config = readLocalWorkflowConfig(env, { dataDir: options.dataDir });
    runOne = async (date) => {
      const result = await runDailyWith({ date, lookback: options.lookback }, () => undefined, config);
      return { date, ok: result.status === 'SUCCEEDED', detail: result.status };
    };
  }
  const bar = startProgress(`backfill ${options.from}…${options.to}`, dates.length, process.stderr.isTTY === true);
  let failed = 0;
  try {
    const days = await backfill(dates, runOne, (done, _total, day) => {
      if (!day.ok) failed++;
      bar.update(done, { sent: done - failed, failed });
    });
    out(`backfill done: ${days.length} dates from ${options.from} to ${options.to}${options.stage ? ` on stage ${options.stage}` : ''}\n`);
    return days;
  } finally {
    bar.stop();
  }
}
