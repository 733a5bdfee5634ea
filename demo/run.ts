import { SingleBar } from 'cli-progress';
import { existsSync } from 'node:fs';
import { readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LocalCatalog } from '../shared/adapters/local/catalog';
import { mkdirPrivate, privateFileMode } from '../shared/adapters/local/private-fs';
import { LocalQueryEngine } from '../shared/adapters/local/query-engine';
import type { LocalConfig } from '../shared/config/local';
import { defaultDemoOptions, type DemoOptions } from '../shared/demo/options';
import { simulateDemo } from '../shared/demo/simulate';
import type { Simulation } from '../shared/demo/types';
import { InputError, WaError } from '../shared/errors';
import type { DatedAnomalyRow } from '../shared/anomaly/types';
import { demoExperiments, experimentKindText } from '../shared/demo/experiments';
import { anomalyColumns, experimentColumns, partitionColumn } from '../shared/schema/columns';
import type { ExperimentRow } from '../shared/schema/types';
import { experimentTable } from '../shared/text/experiment-table';
import { databaseName } from '../shared/schema/tables';
import { schemaRow } from '../shared/sql/decode';
import { runQuery } from '../shared/sql/run-query';
import { localDailyContext } from '../local/daily-context';
import { runDailyWorkflowLocal } from '../local/daily-run';
import { replayTimeHeader } from '../local/replay';
import { openStack } from '../local/stack';
import { generateReport } from '../report/generate';
import { pushDeliveries, type DemoSecrets } from './push';
import { alertTable, ctrSummaryRow, ctrTable, revenueSummaryRow, revenueTable, type CtrSummaryRow, type RevenueSummaryRow } from './tables';
import { defaultAttributionDays } from '../shared/daily/window';

/**
 * `wa-analytics demo`: simulates a campaign history, posts it through the local API with its
 * simulated arrival times, runs the daily workflow for every day in order, prints the CTR table
 * and the alerts, writes the dashboard and says where everything is.
 */

/** Marks a data directory as the demo's, so a later demo may replace it (and nothing else). */
export const demoMarkerFile = 'demo.json';

/** Fixed demo secrets: the stack checks every signature, and one seed gives one data set. */
export const demoSecrets: DemoSecrets = { appSecret: 'demo-app-secret', wasenderSecret: 'demo-wasender-secret', registryToken: 'demo-registry-token', twilioAuthToken: 'demo-twilio-auth-token' };

export interface DemoRunOptions extends Partial<DemoOptions> {
  /** Absolute path of the demo's data directory (resolved by the command from flags and WA_DATA_DIR). */
  readonly dataDir: string;
  /** Draw progress bars on stderr (callers pass whether it is a TTY). */
  readonly progress: boolean;
  readonly out: (text: string) => void;
  /** Run the transform on this thread (tests); default: as `wa-analytics start` does. */
  readonly inlineTransform?: boolean;
}

export interface DemoResult {
  readonly dataDir: string;
  readonly simulation: Simulation;
  readonly reportPath: string;
  readonly seconds: number;
}

/**
 * The demo stack's configuration, made here rather than read from the environment: the demo's own
 * secrets, UTC, a fixed pseudonym key (one seed gives one data set), and no Slack, so the user's
 * channel is never posted to from made-up data.
 */
function demoConfig(dataDir: string, seed: number): LocalConfig {
  return {
    dataDir,
    appSecret: demoSecrets.appSecret,
    verifyToken: null,
    wasenderSecret: demoSecrets.wasenderSecret,
    twilioAuthToken: demoSecrets.twilioAuthToken,
    registryToken: demoSecrets.registryToken,
    pii: 'hash',
    piiKey: `demo-pii-key-${seed}`,
    timeZone: 'UTC',
    slackWebhookUrl: null,
    attributionDays: defaultAttributionDays,
    dailyTime: null,
  };
}

/** Refuses a directory holding anything but an earlier demo; clears an earlier demo. */
async function prepareDataDir(dataDir: string): Promise<void> {
  if (existsSync(dataDir)) {
    const entries = await readdir(dataDir);
    if (entries.length > 0 && !entries.includes(demoMarkerFile)) {
      throw new InputError(`${dataDir} already holds data that is not from a demo; pass an empty or new --data-dir`);
    }
    await rm(dataDir, { recursive: true, force: true });
  }
  await mkdirPrivate(dataDir);
}

function bar(enabled: boolean, label: string, total: number): SingleBar | null {
  if (!enabled) return null;
  const b = new SingleBar({ stream: process.stderr, format: `${label.padEnd(8)} [{bar}] {percentage}% | {value}/{total}`, hideCursor: true });
  b.start(total, 0);
  return b;
}

/** Runs the whole demo; resolves with where it put everything. */
export async function runDemo(options: DemoRunOptions): Promise<DemoResult> {
  const started = Date.now();
  const o: DemoOptions = {
    seed: options.seed ?? defaultDemoOptions.seed,
    startDate: options.startDate ?? defaultDemoOptions.startDate,
    days: options.days ?? defaultDemoOptions.days,
    lookbackDays: options.lookbackDays ?? defaultDemoOptions.lookbackDays,
  };
  const { dataDir } = options;
  const sim = simulateDemo(o);
  await prepareDataDir(dataDir);
  await writeFile(join(dataDir, demoMarkerFile), `${JSON.stringify(o)}\n`, { mode: privateFileMode });
  const last = sim.dates[sim.dates.length - 1]!;
  options.out(`demo: ${sim.messages.length} messages and ${sim.taps.length} inbound messages over ${o.days} days (${o.startDate} … ${last}), seed ${o.seed}: ${sim.deliveries.length} webhook deliveries\n`);

  const stack = await openStack({ config: demoConfig(dataDir, o.seed), replayTimeHeader, bufferBytes: 16 * 1024 * 1024, inlineTransform: options.inlineTransform, command: 'demo', log: (l) => process.stderr.write(`${l}\n`) });
  const ingestStarted = Date.now();
  const posting = bar(options.progress, 'ingest', sim.deliveries.length);
  try {
    await pushDeliveries(stack.app, sim.deliveries, demoSecrets, (done) => {
      if (done % 200 === 0) posting?.update(done);
    });
    posting?.update(sim.deliveries.length);
  } finally {
    posting?.stop();
    await stack.close();
  }

  const ingestSeconds = (Date.now() - ingestStarted) / 1000;
  const workflowStarted = Date.now();
  const catalog = await LocalCatalog.open(dataDir);
  const engine = await LocalQueryEngine.open(catalog);
  let ctr: readonly CtrSummaryRow[];
  let revenue: readonly RevenueSummaryRow[];
  let alerts: readonly DatedAnomalyRow[];
  let experiments: readonly ExperimentRow[];
  const running = bar(options.progress, 'daily', sim.dates.length);
  try {
    // Digests would go to Slack: the demo prints its alerts itself instead.
    const context = localDailyContext({ catalog, engine, timeZone: 'UTC', attributionDays: defaultAttributionDays, notifier: { post: async () => undefined } });
    for (const [i, date] of sim.dates.entries()) {
      const result = await runDailyWorkflowLocal({ date, lookbackDays: o.lookbackDays }, { context, retryIntervalMs: 0 });
      if (result.status === 'FAILED') throw new WaError('workflow', `daily workflow failed for ${date}: ${result.error ?? 'unknown error'}`);
      running?.update(i + 1);
    }
    const printed = { params: { database: databaseName }, dialect: 'duckdb' } as const;
    ctr = await runQuery(engine, { name: 'demo/ctr-summary', ...printed }, ctrSummaryRow);
    revenue = await runQuery(engine, { name: 'demo/revenue-summary', ...printed }, revenueSummaryRow);
    alerts = await runQuery(engine, { name: 'demo/alerts', ...printed }, (r) => schemaRow([...anomalyColumns, partitionColumn], r));
    experiments = await runQuery(engine, { name: 'experiments/of-date', params: { dt: last }, dialect: 'duckdb' }, (r) => schemaRow(experimentColumns, r));
  } finally {
    running?.stop();
    await engine.close();
  }
  const workflowSeconds = (Date.now() - workflowStarted) / 1000;
  const report = await generateReport({ dataDir });
  const seconds = (Date.now() - started) / 1000;
  const q = `wa-analytics query "SELECT dt, button_id, messages_delivered, clicked_messages, ctr FROM daily_ctr WHERE campaign_id = 'spring_sale' ORDER BY dt, button_position" --data-dir ${dataDir}`;
  options.out(
    [
      '',
      `CTR by button, cohorts ${o.startDate} … ${last}`,
      ctrTable(ctr),
      '',
      `Conversions and revenue by campaign (${sim.conversions.length} conversions simulated; last touch within ${defaultAttributionDays} days)`,
      revenueTable(revenue),
      '',
      `Experiments on ${last} (${demoExperiments.map((e) => `${e.experimentId}: ${experimentKindText[e.kind]}`).join('; ')})`,
      experimentTable(experiments),
      '',
      `Alerts (${alerts.length}; injected: ${sim.incidents.map((i) => `${i.name} ${i.dt}`).join(', ') || 'none'})`,
      alertTable(alerts),
      '',
      `data dir:  ${dataDir}`,
      `dashboard: ${report.path}`,
      `try:       ${q}`,
      `done in ${seconds.toFixed(1)} s (ingest ${ingestSeconds.toFixed(1)} s, daily workflow ${workflowSeconds.toFixed(1)} s)`,
      '',
    ].join('\n'),
  );
  return { dataDir, simulation: sim, reportPath: report.path, seconds };
}
