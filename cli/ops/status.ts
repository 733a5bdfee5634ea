import type { AthenaClient } from '@aws-sdk/client-athena';
import { GetMetricDataCommand, type CloudWatchClient, type MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { ListExecutionsCommand, type ExecutionListItem, type SFNClient } from '@aws-sdk/client-sfn';
import { errorMessage } from '../../shared/errors';
import type { QueryRow } from '../../shared/ports/query-engine';
import { num, str } from '../../shared/sql/decode';
import { runQuery } from '../../shared/sql/run-query';
import { addDays, dateInZone } from '../../shared/time';
import { digestMarkerKey } from '../../services/daily/context';
import { AthenaQueryEngine } from '../../shared/adapters/aws/athena-engine';
import { awsFailure, optionalOutput, requireOutput, type Stage } from './stage';

/**
 * `status --stage S`: a few independent checks, each ok / warn / fail with one line of detail.
 * Only a failure makes the exit code non-zero: a failed or timed-out latest workflow run, data
 * older than the freshness threshold in Firehose, failed deliveries or transform failures. Counts
 * and a missing digest are shown as warnings (a backfill or a not-yet-run schedule explains them).
 */

export type Level = 'ok' | 'warn' | 'fail';

export interface Check {
  readonly name: string;
  readonly level: Level;
  readonly detail: string;
  readonly lines?: readonly string[];
}

export interface StatusClients {
  readonly sfn: SFNClient;
  readonly cloudwatch: CloudWatchClient;
  readonly athena: AthenaClient;
  readonly s3: S3Client;
}

export interface StatusOptions {
  readonly now: Date;
  readonly timeZone: string;
  /** Days of counts, today included (default 3). */
  readonly days: number;
  /** Oldest undelivered record allowed, seconds (the stage's alarm default: 900). */
  readonly maxFreshnessSeconds: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** Non-zero when any check failed. */
export function exitCodeOf(checks: readonly Check[]): 0 | 1 {
  return checks.some((c) => c.level === 'fail') ? 1 : 0;
}

/** The report: one line per check, its detail lines indented. */
export function formatStatus(stage: Stage, checks: readonly Check[]): string {
  const out = [`stage ${stage.name} (${stage.stackName}, ${stage.region}): ${exitCodeOf(checks) === 0 ? 'healthy' : 'UNHEALTHY'}`];
  for (const c of checks) {
    out.push(`${c.level.toUpperCase().padEnd(4)} ${c.name}: ${c.detail}`);
    for (const line of c.lines ?? []) out.push(`     ${line}`);
  }
  return `${out.join('\n')}\n`;
}

const FINISHED_BAD = new Set(['FAILED', 'TIMED_OUT', 'ABORTED']);

/** The last workflow runs; fails when the newest finished run did not succeed. */
export async function workflowCheck(sfn: SFNClient, stage: Stage, now: Date): Promise<Check> {
  const name = 'daily workflow';
  const arn = optionalOutput(stage, 'DailyStateMachineArn');
  if (arn === undefined) return { name, level: 'warn', detail: `not checked: stack ${stage.stackName} has no output DailyStateMachineArn (workflow not deployed yet)` };
  let runs: ExecutionListItem[];
  try {
    runs = (await sfn.send(new ListExecutionsCommand({ stateMachineArn: arn, maxResults: 5 }))).executions ?? [];
  } catch (error) {
    return { name, level: 'fail', detail: awsFailure('listing workflow executions', error).message };
  }
  const lines = runs.map((r) => `${r.name ?? '?'}  ${r.status ?? '?'}  started ${iso(r.startDate)}${r.stopDate ? `  stopped ${iso(r.stopDate)}` : ''}`);
  const finished = runs.find((r) => r.status !== 'RUNNING' && r.status !== 'PENDING_REDRIVE');
  if (finished !== undefined && FINISHED_BAD.has(finished.status ?? '')) {
    return { name, level: 'fail', detail: `last finished run ${finished.name} ${finished.status} at ${iso(finished.stopDate)}`, lines };
  }
  const newest = runs[0]?.startDate;
  if (newest === undefined || now.getTime() - newest.getTime() > 2 * 86_400_000) {
    return { name, level: 'warn', detail: 'no run in the last 2 days (is the schedule enabled?)', lines };
  }
  return { name, level: 'ok', detail: `last run ${runs[0]!.status} at ${iso(newest)}`, lines };
}

function metric(id: string, namespace: string, metricName: string, dims: Record<string, string>, stat: string): MetricDataQuery {
  return {
    Id: id,
    MetricStat: { Metric: { Namespace: namespace, MetricName: metricName, Dimensions: Object.entries(dims).map(([Name, Value]) => ({ Name, Value })) }, Period: 300, Stat: stat },
    ReturnData: true,
  };
}

/** The last hour of Firehose delivery metrics and the transform's own failure count. */
export function deliveryQueries(stage: Stage, stream: string): MetricDataQuery[] {
  const byStream = { DeliveryStreamName: stream };
  return [
    metric('freshness', 'AWS/Firehose', 'DeliveryToS3.DataFreshness', byStream, 'Maximum'),
    metric('delivered', 'AWS/Firehose', 'DeliveryToS3.Success', byStream, 'Minimum'),
    metric('processed', 'AWS/Firehose', 'ExecuteProcessing.Success', byStream, 'Minimum'),
    metric('failedrecords', `WaAnalytics/${stage.name}`, 'RecordsFailed', { service: 'wa-analytics' }, 'Sum'),
  ];
}

/** Freshness of delivery and failed deliveries/transforms; no data points means no traffic. */
export async function deliveryChecks(cw: CloudWatchClient, stage: Stage, options: Pick<StatusOptions, 'now' | 'maxFreshnessSeconds'>): Promise<Check[]> {
  const stream = requireOutput(stage, 'DeliveryStreamName');
  let values: Record<string, number[]>;
  try {
    const answer = await cw.send(
      new GetMetricDataCommand({ MetricDataQueries: deliveryQueries(stage, stream), StartTime: new Date(options.now.getTime() - 3_600_000), EndTime: options.now, ScanBy: 'TimestampDescending' }),
    );
    values = Object.fromEntries((answer.MetricDataResults ?? []).map((r) => [r.Id ?? '', r.Values ?? []]));
  } catch (error) {
    const detail = awsFailure('reading CloudWatch metrics', error).message;
    return [{ name: 'delivery freshness', level: 'fail', detail }];
  }
  const freshness = values.freshness?.[0];
  const fresh: Check =
    freshness === undefined
      ? { name: 'delivery freshness', level: 'ok', detail: 'no records waiting in the last hour' }
      : freshness > options.maxFreshnessSeconds
        ? { name: 'delivery freshness', level: 'fail', detail: `oldest undelivered record is ${Math.round(freshness)} s old (limit ${options.maxFreshnessSeconds} s)` }
        : { name: 'delivery freshness', level: 'ok', detail: `oldest undelivered record ${Math.round(freshness)} s old` };
  const problems: string[] = [];
  if ((values.delivered ?? []).some((v) => v < 1)) problems.push('some S3 deliveries failed (DeliveryToS3.Success < 1)');
  if ((values.processed ?? []).some((v) => v < 1)) problems.push('some transform invocations failed (ExecuteProcessing.Success < 1)');
  const failedRecords = (values.failedrecords ?? []).reduce((a, b) => a + b, 0);
  if (failedRecords > 0) problems.push(`${failedRecords} records failed the transform (kept under raw/errors/)`);
  const failures: Check = problems.length > 0 ? { name: 'delivery failures', level: 'fail', detail: problems.join('; ') } : { name: 'delivery failures', level: 'ok', detail: 'none in the last hour' };
  return [fresh, failures];
}

/** One row of the counts query (shared/sql/queries/ops/raw-counts.sql). */
interface CountRow {
  readonly dt: string;
  readonly kind: string;
  readonly reason: string;
  readonly n: number;
}

const countRow = (r: QueryRow): CountRow => ({ dt: str(r, 'dt'), kind: str(r, 'kind'), reason: str(r, 'reason'), n: num(r, 'n') });

/** Raw rows per kind and quarantined rows per reason for the last days (registered partitions). */
export async function countsCheck(athena: AthenaClient, stage: Stage, options: StatusOptions): Promise<Check> {
  const name = 'rows per arrival day';
  const workgroup = optionalOutput(stage, 'AthenaWorkgroup');
  if (workgroup === undefined) return { name, level: 'warn', detail: `not checked: stack ${stage.stackName} has no output AthenaWorkgroup` };
  const to = dateInZone(options.now.getTime(), options.timeZone);
  const from = addDays(to, -(options.days - 1));
  let rows: CountRow[];
  try {
    // The workflow's own Athena adapter, bounded in time for a command someone waits on.
    const database = requireOutput(stage, 'GlueDatabaseName');
    const engine = new AthenaQueryEngine(athena, { workGroup: workgroup, database, pollMs: 500, sleep: options.sleep, timeoutMs: 60_000 });
    rows = await runQuery(engine, { name: 'ops/raw-counts', params: { database, from_dt: from, to_dt: to }, dialect: 'athena' }, countRow);
  } catch (error) {
    return { name, level: 'warn', detail: `not counted: ${errorMessage(error)}` };
  }
  const byDay = new Map<string, { kinds: string[]; quarantined: string[] }>();
  let quarantined = 0;
  for (const r of rows) {
    const dt = r.dt;
    const day = byDay.get(dt) ?? { kinds: [], quarantined: [] };
    day.kinds.push(`${r.kind}=${r.n}`);
    if (r.kind === 'quarantine') {
      day.quarantined.push(`${r.reason}=${r.n}`);
      quarantined += r.n;
    }
    byDay.set(dt, day);
  }
  const lines = [...byDay.entries()].map(([dt, d]) => `${dt}  ${d.kinds.join(' ')}${d.quarantined.length > 0 ? `  quarantined: ${d.quarantined.join(' ')}` : ''}`);
  const detail = `${from}..${to}: ${rows.reduce((a, r) => a + r.n, 0)} raw rows, ${quarantined} quarantined${byDay.size === 0 ? ' (no registered partition yet)' : ''}`;
  return { name, level: quarantined > 0 ? 'warn' : 'ok', detail, lines };
}

/** Whether yesterday's digest (the scheduled run's target) has its "posted" marker. */
export async function digestCheck(s3: S3Client, stage: Stage, options: Pick<StatusOptions, 'now' | 'timeZone'>): Promise<Check> {
  const date = addDays(dateInZone(options.now.getTime(), options.timeZone), -1);
  const name = `digest of ${date}`;
  const bucket = requireOutput(stage, 'DataBucketName');
  try {
    await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: digestMarkerKey(date) }));
    return { name, level: 'ok', detail: 'posted' };
  } catch (error) {
    const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
    if (e.name === 'NotFound' || e.$metadata?.httpStatusCode === 404) return { name, level: 'warn', detail: 'not posted (yet)' };
    return { name, level: 'warn', detail: `not checked: ${awsFailure('reading the digest marker', error).message}` };
  }
}

/** Every check, run concurrently. */
export async function gatherStatus(clients: StatusClients, stage: Stage, options: StatusOptions): Promise<Check[]> {
  const [workflow, delivery, counts, digest] = await Promise.all([
    workflowCheck(clients.sfn, stage, options.now),
    deliveryChecks(clients.cloudwatch, stage, options),
    countsCheck(clients.athena, stage, options),
    digestCheck(clients.s3, stage, options),
  ]);
  return [workflow, ...delivery, counts, digest];
}

function iso(d: Date | undefined): string {
  return d === undefined ? '?' : d.toISOString().replace('.000Z', 'Z');
}
