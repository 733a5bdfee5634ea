import type { LocalCatalog } from '../shared/adapters/local/catalog';
import { partitionsInLake } from '../shared/adapters/local/lake-files';
import { dateInZone } from '../shared/time';
import { compactLake, describeCompaction, type DayCompaction } from './compaction';
import { applyRetention, describeRetention, type DroppedPartition } from './retention';

export interface MaintenanceOptions {
  readonly catalog: LocalCatalog;
  readonly timeZone: string;
  /** The delivery checkpoint: objects of later deliveries are not merged yet. */
  readonly flushed: number;
  /** Drop partitions older than this many days (null: keep everything). */
  readonly retentionDays: number | null;
  readonly now?: () => number;
}

export interface MaintenanceReport {
  readonly compacted: DayCompaction[];
  readonly dropped: DroppedPartition[];
  /** Lines for the operator. */
  readonly lines: string[];
}

/**
 * The lake's upkeep after a daily run (and `wa-analytics compact`): retention first (no point
 * merging a day about to be dropped), then every closed arrival day's raw objects merged.
 * The caller holds the data dir's writer lock, or runs this between the stream's deliveries.
 */
export async function maintainLake(options: MaintenanceOptions): Promise<MaintenanceReport> {
  const today = dateInZone((options.now ?? Date.now)(), options.timeZone);
  const lines: string[] = [];
  let dropped: DroppedPartition[] = [];
  if (options.retentionDays !== null) {
    dropped = await applyRetention(options.catalog, today, options.retentionDays);
    lines.push(describeRetention(options.retentionDays, dropped));
  }
  const days = await partitionsInLake(options.catalog.lakeDir, 'raw_events');
  const compacted = await compactLake(days, today, { lakeRoot: options.catalog.lakeDir, flushed: options.flushed });
  lines.push(describeCompaction(compacted));
  return { compacted, dropped, lines };
}
