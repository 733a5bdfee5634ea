import type { DailyContext } from './context';
import { attributionCohorts, detect, digest, experiments, notifyFailure, publishReport, rebuild, registerRaw, resolveRun, type DigestRun, type FailureInput, type RebuildItem, type ResolvedRun, type RunDefaults, type WorkflowInput } from './steps';

/**
 * The workflow's task handlers, each built with the context it runs with: the Lambda entry files
 * (tasks/*.ts) build them once per cold start over the AWS context, the local runner over the
 * local one. A handler is the one step it runs, bound to that context.
 */

/** Step 0: the defaults (yesterday in the stage's time zone, lookback 3, the stage's attribution window) and the windows' dates. */
export const resolveInputHandler = (defaults: RunDefaults) => async (event: WorkflowInput | null | undefined): Promise<ResolvedRun> => resolveRun(event ?? {}, defaults);

/** Step 1: register the raw arrival partitions the window reads (Glue on AWS). */
export const registerRawHandler = (ctx: DailyContext) => (event: ResolvedRun) => registerRaw(ctx, event);

/** Steps 2 and 3: rebuild one curated, daily_ctr, daily_conversions or daily_experiments partition (CTAS on Athena, COPY on DuckDB). */
export const rebuildPartitionHandler = (ctx: DailyContext) => (event: RebuildItem) => rebuild(ctx, event);

/** Step 2b: the cohorts the conversion-aware rebuilds need (one Athena / DuckDB query). */
export const attributionCohortsHandler = (ctx: DailyContext) => (event: ResolvedRun) => attributionCohorts(ctx, event);

/** Step 3b: evaluate the experiments on the target date and write them. */
export const evaluateExperimentsHandler = (ctx: DailyContext) => (event: ResolvedRun) => experiments(ctx, event);

/** Step 4: detect and write the target date's anomalies. */
export const detectAnomaliesHandler = (ctx: DailyContext) => (event: ResolvedRun) => detect(ctx, event);

/** Step 6: post the Slack digest of the target date once, linking the dashboard PublishReport wrote (or saying it could not). */
export const postDigestHandler = (ctx: DailyContext) => (event: ResolvedRun & DigestRun) => digest(ctx, event);

/** Step 5: render the target date's dashboard from the engine and write it to reports/dt=<date>/index.html. */
export const publishReportHandler = (ctx: DailyContext) => (event: ResolvedRun) => publishReport(ctx, event);

/** Catch target: post the failure alert (the state machine then fails). */
export const notifyFailureHandler = (ctx: DailyContext) => (event: FailureInput) => notifyFailure(ctx, event);

/** The Task states of state-machine.asl.json, by name. */
export const taskStates = [
  'ResolveInput',
  'RegisterRawPartitions',
  'RebuildCuratedPartition',
  'AttributionCohorts',
  'RebuildDailyCtrPartition',
  'RebuildDailyConversionsPartition',
  'RebuildDailyExperimentsPartition',
  'EvaluateExperiments',
  'DetectAnomalies',
  'PublishReport',
  'PostDigest',
  'NotifyFailure',
] as const;
export type TaskState = (typeof taskStates)[number];

/** A task handler as the local runner calls it. */
export type TaskHandler = (input: never) => Promise<unknown>;

/** Task state name → its handler over `ctx` (the local runner binds every Task state with these). */
export function taskHandlers(ctx: DailyContext): Readonly<Record<TaskState, TaskHandler>> {
  const rebuildPartition = rebuildPartitionHandler(ctx);
  return {
    ResolveInput: resolveInputHandler(ctx),
    RegisterRawPartitions: registerRawHandler(ctx),
    RebuildCuratedPartition: rebuildPartition,
    AttributionCohorts: attributionCohortsHandler(ctx),
    RebuildDailyCtrPartition: rebuildPartition,
    RebuildDailyConversionsPartition: rebuildPartition,
    RebuildDailyExperimentsPartition: rebuildPartition,
    EvaluateExperiments: evaluateExperimentsHandler(ctx),
    DetectAnomalies: detectAnomaliesHandler(ctx),
    PublishReport: publishReportHandler(ctx),
    PostDigest: postDigestHandler(ctx),
    NotifyFailure: notifyFailureHandler(ctx),
  };
}
