import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { LocalCatalog } from '../../../shared/adapters/local/catalog';
import { LocalQueryEngine } from '../../../shared/adapters/local/query-engine';
import { readSlackUrl, readTimeZone, resolveDataDir, type Env } from '../../../shared/config/local';
import { InputError, WaError } from '../../../shared/errors';
import { checkDate } from '../../../shared/time';
import { detectorConfig } from '../../../shared/anomaly/config';
import { workflowReadSpan } from '../../../shared/daily/window';
import { localDailyContext } from '../../daily/local-context';
import { runDailyWorkflowLocal, type LocalRunResult } from '../../daily/local-run';
import { resolveRun } from '../../daily/steps';
import { rebuiltNote } from './catalog';
import type { RegisterCommand } from './index';

export interface DailyOptions {
  readonly date?: string;
  readonly lookback?: string;
  readonly dataDir?: string;
}

function parseLookback(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text)) throw new InputError(`--lookback must be a whole number of days (got "${text}")`);
  return Number(text);
}

/**
 * `daily`: runs the deployed state machine definition locally (aws-local-stepfunctions) for one
 * date, each Task bound to its Lambda handler with the local adapters. Input is validated here
 * first so that bad flags are one line, not a failure alert. A failed run throws after the
 * failure alert went out (to Slack, or printed).
 */
export async function runDaily(options: DailyOptions, out: (text: string) => void, env: Env = process.env): Promise<LocalRunResult> {
  const timeZone = readTimeZone(env);
  const slackWebhookUrl = readSlackUrl(env);
  // Defaults resolved here, in the configured time zone, so the machine gets an explicit date.
  const date = options.date === undefined ? undefined : checkDate('--date', options.date);
  const run = resolveRun({ date, lookbackDays: parseLookback(options.lookback) }, timeZone);
  const dataDir = resolveDataDir(env, { dataDir: options.dataDir });
  if (!existsSync(dataDir)) throw new InputError(`no local data at ${dataDir} (run wa-analytics start or demo first, or pass --data-dir)`);
  if (slackWebhookUrl === null) out('SLACK_WEBHOOK_URL is not set: Slack messages are printed here\n');
  const catalog = await LocalCatalog.open(dataDir);
  const rebuilt = rebuiltNote(catalog);
  if (rebuilt !== null) out(`${rebuilt}\n`);
  const engine = await LocalQueryEngine.open(catalog, { window: workflowReadSpan(run.date, run.lookbackDays, detectorConfig.windowDays) });
  let result: LocalRunResult;
  try {
    const context = localDailyContext({ catalog, engine, timeZone, slackWebhookUrl, out });
    result = await runDailyWorkflowLocal({ date: run.date, lookbackDays: run.lookbackDays }, { context });
  } finally {
    await engine.close();
  }
  if (result.status === 'FAILED') throw new WaError('workflow', `daily workflow failed for ${run.date}: ${result.calls.filter((c) => !c.ok).map((c) => `${c.state} ${c.error}`).join(', ')}`);
  out(`daily workflow succeeded for ${run.date} (lookback ${run.lookbackDays}): ${JSON.stringify(result.output)}\n`);
  return result;
}

export const registerDaily: RegisterCommand = (program: Command) => {
  program
    .command('daily')
    .description('run the daily workflow locally for a date (default yesterday): partitions, curated events, daily_ctr, anomalies, Slack digest')
    .option('--date <date>', 'the target date YYYY-MM-DD (default: yesterday in WA_TIMEZONE)')
    .option('--lookback <days>', 'days of late arrivals to wait for (default 3)')
    .option('--data-dir <dir>', 'the local data directory (default: $WA_DATA_DIR or ./.wa-analytics)')
    .action(async (options: DailyOptions) => {
      await runDaily(options, (text) => process.stdout.write(text));
    });
};
