import { detectAnomalies } from '../../shared/anomaly/detect';
import { detectorConfig } from '../../shared/anomaly/config';
import { anomaliesSelect, rowsSelect } from '../../shared/daily/rows-select';
import { evaluateExperiments } from '../../shared/experiments/evaluate';
import { experimentColumns } from '../../shared/schema/columns';
import { experimentNews } from '../../shared/slack/experiment-news';
import { readAttributionCohorts, readCtrHistory, readDigestExperiments, readDigestInput, readExperimentHistory, readPriorAnomalies } from '../../shared/daily/reads';
import { dailySelect, dailyTables, type DailyTable } from '../../shared/daily/statements';
import { assertAttributionDays, cohortDateWindow, defaultAttributionDays, defaultLookbackDays, eventDateWindow, experimentActiveDays, rawPartitionsToRegister } from '../../shared/daily/window';
import { InputError } from '../../shared/errors';
import type { AnomalyRow } from '../../shared/schema/types';
import { buildDigest, buildFailureAlert, campaignConversions, campaignHeadlines } from '../../shared/slack/digest';
import { addDays, checkDate, dateInZone } from '../../shared/time';
import { digestMarkerKey, type DailyContext } from './context';
import { buildReport } from '../../shared/report/build';
import { publishedReportKey, reportContentType } from '../../shared/report/published';
import { spanEnding } from '../../shared/report/span';

/**
 * The workflow's steps as plain async functions over the ports; each task handler is one line
 * around one of these. Inputs and outputs are the JSON the state machine passes along.
 */

export interface WorkflowInput {
  readonly date?: unknown;
  readonly lookbackDays?: unknown;
  readonly attributionDays?: unknown;
}

/** The resolved run: target date, the two windows, and the dates the Map states iterate. */
export interface ResolvedRun {
  readonly date: string;
  readonly lookbackDays: number;
  readonly attributionDays: number;
  /** Event dates of the curated `events` partitions rebuilt. */
  readonly days: string[];
  /** Cohort dates of the `daily_ctr` and `daily_conversions` partitions rebuilt (back as far as attribution reaches). */
  readonly cohortDays: string[];
}

/** What a run falls back to when its input names no window. */
export interface RunDefaults {
  readonly timeZone: string;
  /** The stage's `attributionDays` (default 7). */
  readonly attributionDays?: number;
}

function wholeDays(name: string, value: unknown, fallback: number): number {
  if (value === undefined || value === null) return fallback;
  if (typeof value === 'string' && value.trim() === '') throw new InputError(`${name} is empty`);
  return Number(value);
}

/** Step 0: defaults (yesterday in the reporting time zone, lookback 3, the stage's attribution window) and validation. */
export function resolveRun(input: WorkflowInput, defaults: RunDefaults, now: number = Date.now()): ResolvedRun {
  if (input.date !== undefined && input.date !== null && typeof input.date !== 'string') throw new InputError('date must be a string YYYY-MM-DD');
  const date = typeof input.date === 'string' ? checkDate('date', input.date, now) : addDays(dateInZone(now, defaults.timeZone), -1);
  const lookbackDays = wholeDays('lookbackDays', input.lookbackDays, defaultLookbackDays);
  const attributionDays = assertAttributionDays(wholeDays('attributionDays', input.attributionDays, defaults.attributionDays ?? defaultAttributionDays));
  return { date, lookbackDays, attributionDays, days: eventDateWindow(date, lookbackDays), cohortDays: cohortDateWindow(date, lookbackDays, attributionDays) };
}

/**
 * Step 1: registers every raw arrival partition the window reads, and today's and tomorrow's in
 * the reporting time zone (`now` is the clock, for tests), so Athena sees a tap within a Firehose
 * buffer interval. An empty partition reads as no rows on either engine.
 */
export async function registerRaw(ctx: DailyContext, run: { date: string; lookbackDays: number }, now: number = Date.now()): Promise<{ registered: number }> {
  const dts = rawPartitionsToRegister(run.date, run.lookbackDays, dateInZone(now, ctx.timeZone));
  await ctx.catalog.registerPartitions('raw_events', dts);
  return { registered: dts.length };
}

/**
 * Step 2b: the cohorts the daily_ctr and daily_conversions states rebuild. Always the lookback's
 * (their statuses and taps may have changed); beyond it, only those holding, or able to take, the
 * credit of a conversion dated in the event dates just curated: nothing else there changed. Kept
 * inside `cohortDays`, the window every engine and span of the run is sized for.
 */
export async function attributionCohorts(ctx: DailyContext, run: ResolvedRun): Promise<{ cohortDays: string[] }> {
  const windows = { lookbackDays: run.lookbackDays, attributionDays: run.attributionDays };
  const curated = eventDateWindow(run.date, windows.lookbackDays);
  const days = new Set(curated);
  const credited = windows.attributionDays === 0 ? [] : await readAttributionCohorts(ctx, run.date, curated[0]!, windows);
  for (const dt of credited) days.add(dt);
  return { cohortDays: run.cohortDays.filter((dt) => days.has(dt)) };
}

/** One Map item of the rebuild states: a partition of `events`, `daily_ctr` or `daily_conversions` to rebuild. */
export interface RebuildItem {
  readonly table: DailyTable;
  readonly dt: string;
  readonly lookbackDays: number;
  /** The run's window; absent in items of executions started before attribution, which then use the stage's. */
  readonly attributionDays?: number;
}

/** Steps 2 and 3, one partition per call (the Map states fan out over the window's dates). */
export async function rebuild(ctx: DailyContext, item: RebuildItem): Promise<{ table: DailyTable; dt: string }> {
  if (!(dailyTables as readonly string[]).includes(item.table)) throw new InputError(`cannot rebuild table "${String(item.table)}"`);
  const attributionDays = assertAttributionDays(item.attributionDays === undefined || item.attributionDays === null ? ctx.attributionDays : Number(item.attributionDays));
  const windows = { lookbackDays: item.lookbackDays, attributionDays };
  await ctx.partitions.write(item.table, item.dt, dailySelect(item.table, ctx.dialect, item.dt, windows, ctx.database));
  return { table: item.table, dt: item.dt };
}

/**
 * Step 3b: every experiment on the target date, summed from its first send (the daily_experiments
 * rows of its whole life, a few rows a day), written as partition `dt` of `experiments`. Those
 * without a delivered message in the last `experimentActiveDays` days are left out.
 */
export async function experiments(ctx: DailyContext, run: { date: string }): Promise<{ experiments: number; rows: number }> {
  const history = await readExperimentHistory(ctx, run.date, addDays(run.date, -(experimentActiveDays - 1)));
  const rows = evaluateExperiments(history, run.date);
  await ctx.partitions.write('experiments', run.date, rowsSelect(experimentColumns, rows));
  return { experiments: new Set(rows.map((r) => r.experiment_id)).size, rows: rows.length };
}

/**
 * Step 4: anomalies of the target date against its own history, written as partition `dt`. The
 * anomalies earlier runs wrote for the window are read back: those days stay out of the
 * baselines, and an incident that goes on keeps the day it began.
 */
export async function detect(ctx: DailyContext, run: { date: string }): Promise<{ anomalies: number }> {
  const from = addDays(run.date, -detectorConfig.windowDays);
  const history = await readCtrHistory(ctx, from, run.date);
  const prior = await readPriorAnomalies(ctx, from, run.date);
  const found = detectAnomalies(history, run.date, detectorConfig, prior);
  const rows: AnomalyRow[] = found.map(({ dt: _dt, ...row }) => row);
  await ctx.partitions.write('anomalies', run.date, anomaliesSelect(rows));
  return { anomalies: rows.length };
}

/** What the digest step is given: the run, and what PublishReport (which runs before it) left. */
export interface DigestRun {
  readonly date: string;
  readonly lookbackDays?: number;
  readonly attributionDays?: number;
  /** PublishReport's answer: the dashboard is in the bucket, so the digest may link it. */
  readonly report?: PublishedReport;
  /** PublishReport's error when it failed for good (its Catch): the digest says so instead of linking. */
  readonly reportFailure?: { readonly Error?: unknown; readonly Cause?: unknown };
}

/**
 * Step 6: one digest per target date; a marker object makes re-runs silent. It links the
 * dashboard only once PublishReport has written it, so the link works the moment Slack shows it.
 */
export async function digest(ctx: DailyContext, run: DigestRun): Promise<{ posted: boolean }> {
  const marker = digestMarkerKey(run.date);
  if ((await ctx.store.getText(marker)) !== undefined) return { posted: false };
  // Executions started before attribution carry no windows: the defaults and the stage's.
  const windows = { lookbackDays: run.lookbackDays ?? defaultLookbackDays, attributionDays: run.attributionDays ?? ctx.attributionDays };
  const input = await readDigestInput(ctx, run.date, windows);
  // The digest tells an experiment's news against the evaluation of the day before.
  const previous = addDays(run.date, -1);
  const experimentRows = await readDigestExperiments(ctx, run.date, previous);
  const message = buildDigest({
    date: run.date,
    anomalies: input.anomalies,
    headlines: campaignHeadlines(input.headlineRows),
    conversions: campaignConversions(input.conversionRows),
    quarantined: input.quarantined,
    experiments: experimentNews(experimentRows, run.date, previous),
    dashboardUrl: ctx.reportLinks && run.report !== undefined ? await ctx.reportLinks.linkFor(run.date) : null,
    dashboardUnpublished: run.reportFailure !== undefined,
  });
  await ctx.notifier.post(message);
  // Written after the post: a crash in between posts twice rather than never.
  await ctx.store.putText(marker, JSON.stringify({ date: run.date, postedAt: new Date().toISOString() }));
  return { posted: true };
}

/** What a Catch hands the failure task: the state input plus `failure: { Error, Cause }`. */
export interface FailureInput {
  readonly date?: unknown;
  readonly failure?: { readonly Error?: unknown; readonly Cause?: unknown };
}

/** The failure alert; then the state machine fails. */
export async function notifyFailure(ctx: DailyContext, input: FailureInput): Promise<{ alerted: true }> {
  const alert = buildFailureAlert({
    date: typeof input.date === 'string' ? input.date : undefined,
    error: String(input.failure?.Error ?? 'Error'),
    cause: String(input.failure?.Cause ?? 'unknown cause'),
  });
  await ctx.notifier.post(alert);
  return { alerted: true };
}

/** What PublishReport answers (state output `$.report`). */
export interface PublishedReport {
  /** Object key in the data bucket (or the local lake folder): `reports/dt=<date>/index.html`. */
  readonly key: string;
  /** The dates the page covers: the `defaultReportDays` ending on the target date. */
  readonly from: string;
  readonly to: string;
  /** Size of the page, UTF-8 bytes. */
  readonly bytes: number;
  /** Bytes Athena scanned for the page's queries (null on the local engine). */
  readonly scannedBytes: number | null;
}

/**
 * Step 5: the dashboard of the target date (its last `defaultReportDays` days, through the same
 * report queries as `wa-analytics report`), written to `reports/dt=<date>/index.html` (SSE-KMS by
 * the bucket's default). A re-run rewrites the same key. No "today so far" panel: the page is the
 * dashboard of its date, and a panel of the next day's first hours would stay frozen in it.
 */
export async function publishReport(ctx: DailyContext, run: { date: string }, now: () => Date = () => new Date()): Promise<PublishedReport> {
  const key = publishedReportKey(run.date);
  const span = spanEnding(run.date);
  const built = await buildReport(ctx.engine, { dialect: ctx.dialect, database: ctx.database, span, generatedAt: now().toISOString() });
  await ctx.store.putText(key, built.html, { contentType: reportContentType });
  return { key, from: span.from, to: span.to, bytes: Buffer.byteLength(built.html, 'utf8'), scannedBytes: built.scannedBytes };
}
