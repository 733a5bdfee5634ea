import type { Context, FirehoseTransformationEvent, FirehoseTransformationResult } from 'aws-lambda';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { TransformSettings } from '../../shared/normalize';
import { withMiddleware } from '../common/middleware';
import { logger, metrics } from '../common/observability';
import { transformBatch, type BatchStats } from './batch';
import { currentSettings } from './settings';

/** A Firehose transform function: the Lambda on AWS, called in-process by the local stream. */
export type FirehoseTransform = (event: FirehoseTransformationEvent) => Promise<FirehoseTransformationResult>;

/** A transform bound to fixed settings (the local stack, tests and benchmarks). */
export function createTransform(settings: TransformSettings): FirehoseTransform {
  return async (event) => transformBatch(event, settings).result;
}

/** One summary log line and the EMF metrics of a batch. */
function report(stats: BatchStats, startedAt: number): void {
  logger.info('batch transformed', { ...stats, durationMs: Date.now() - startedAt });
  metrics.addMetric('Records', MetricUnit.Count, stats.records);
  metrics.addMetric('RecordsFailed', MetricUnit.Count, stats.failed);
  metrics.addMetric('Rows', MetricUnit.Count, stats.rows);
  for (const [kind, n] of Object.entries(stats.rowsByKind)) {
    metrics.singleMetric().addDimension('kind', kind).addMetric('RowsByKind', MetricUnit.Count, n);
  }
  for (const [reason, n] of Object.entries(stats.quarantinedByReason)) {
    metrics.singleMetric().addDimension('reason', reason).addMetric('Quarantined', MetricUnit.Count, n);
  }
}

/** The raw handler (tests call it directly): settings from the environment and SSM. */
export async function rawHandler(event: FirehoseTransformationEvent, _context?: Context): Promise<FirehoseTransformationResult> {
  const startedAt = Date.now();
  const settings = await currentSettings();
  const { result, stats } = transformBatch(event, settings);
  report(stats, startedAt);
  return result;
}

/** The deployed handler: the raw handler inside the project's one Middy chain. */
export const handler = withMiddleware(rawHandler);
