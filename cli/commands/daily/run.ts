import { existsSync } from 'node:fs';
import { LocalCatalog } from '../../../shared/adapters/local/catalog';
import { LocalQueryEngine } from '../../../shared/adapters/local/query-engine';
import { readLocalWorkflowConfig, type Env, type LocalWorkflowConfig } from '../../../shared/config/local';
import { InputError, WaError } from '../../../shared/errors';
import { checkDate } from '../../../shared/time';
import { detectorConfig } from '../../../shared/anomaly/config';
import { workflowReadSpan } from '../../../shared/daily/window';
import { localDailyContext } from '../../../local/daily-context';
import { runDailyWorkflowLocal, type LocalRunResult } from '../../../local/daily-run';
import { resolveRun } from '../../../services/daily/steps';
import { rebuiltNote } from '../../../local/catalog-note';

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
 * date, each Task bound to its Lambda handler with the local adapters. The configuration is read
 * from `env` here; see runDailyWith.
 */
export async function runDaily(options: DailyOptions, out: (text: string) => void, env: Env = process.env): Promise<LocalRunResult> {
  return runDailyWith({ date: options.date, lookback: options.lookback }, out, readLocalWorkflowConfig(env, { dataDir: options.dataDir }));
}

/**
 * The daily workflow for one date with a configuration already read (`start` passes its own, so
 * a scheduled run sees what the process started with). Input is validated first so that bad
 * flags are one line, not a failure alert. A failed run throws after the failure alert went out
 * (to Slack, or printed).
 */
export async function runDailyWith(options: Omit<DailyOptions, 'dataDir'>, out: (text: string) => void, config: LocalWorkflowConfig): Promise<LocalRunResult> {
  const { dataDir, timeZone, slackWebhookUrl } = config;
  // Defaults resolved here, in the configured time zone, so the machine gets an explicit date.
  const date = options.date === undefined ? undefined : checkDate('--date', options.date);
  const run = resolveRun({ date, lookbackDays: parseLookback(options.lookback) }, { timeZone, attributionDays: config.attributionDays });
  if (!existsSync(dataDir)) throw new InputError(`no local data at ${dataDir} (run wa-analytics start or demo first, or pass --data-dir)`);
  if (slackWebhookUrl === null) out('SLACK_WEBHOOK_URL is not set: Slack messages are printed here\n');
  const catalog = await LocalCatalog.open(dataDir);
  const rebuilt = rebuiltNote(catalog);
  if (rebuilt !== null) out(`${rebuilt}\n`);
  const engine = await LocalQueryEngine.open(catalog, { window: workflowReadSpan(run.date, run.lookbackDays, detectorConfig.windowDays, run.attributionDays) });
  let result: LocalRunResult;
  try {
    const context = localDailyContext({ catalog, engine, timeZone, attributionDays: run.attributionDays, slackWebhookUrl, out });
    result = await runDailyWorkflowLocal({ date: run.date, lookbackDays: run.lookbackDays, attributionDays: run.attributionDays }, { context });
  } finally {
    await engine.close();
  }
  if (result.status === 'FAILED') throw new WaError('workflow', `daily workflow failed for ${run.date}: ${result.calls.filter((c) => !c.ok).map((c) => `${c.state} ${c.error}`).join(', ')}`);
  out(`daily workflow succeeded for ${run.date} (lookback ${run.lookbackDays}, attribution ${run.attributionDays} days): ${JSON.stringify(result.output)}\n`);
  return result;
}
