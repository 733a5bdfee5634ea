import type { Catalog } from '../../shared/ports/catalog';
import type { Notifier } from '../../shared/ports/notifier';
import type { ObjectStore } from '../../shared/ports/object-store';
import type { PartitionWriter } from '../../shared/ports/partition-writer';
import type { QueryEngine } from '../../shared/ports/query-engine';
import type { ReportLinks } from '../../shared/ports/report-links';
import type { DialectName } from '../../shared/sql/dialect';

/**
 * What the workflow's tasks need, behind ports: AWS adapters in Lambda (aws-context.ts), local
 * adapters (DuckDB, files, console/Slack) when the same ASL runs on one machine
 * (local-context.ts). Every task handler is built with one (handlers.ts): nothing is looked up
 * from module state.
 */
export interface DailyContext {
  readonly catalog: Catalog;
  readonly engine: QueryEngine;
  readonly store: ObjectStore;
  readonly notifier: Notifier;
  /** Writes the partitions the workflow rebuilds (events, daily_ctr, anomalies). */
  readonly partitions: PartitionWriter;
  /** The SQL dialect of `engine` (and of the SELECTs `partitions` writes). */
  readonly dialect: DialectName;
  /** The catalog database the rebuild statements name (the stage's Glue database on AWS). */
  readonly database: string;
  /** Reporting time zone (IANA): "yesterday" is computed in it. */
  readonly timeZone: string;
  /** The attribution window (days) a run uses when its input names none. */
  readonly attributionDays: number;
  /** Signs the digest's link to the published dashboard (AWS); absent locally: no link. */
  readonly reportLinks?: ReportLinks;
}

/** Key of the marker object that says the digest of a date was posted (re-runs stay silent). */
export function digestMarkerKey(date: string): string {
  return `workflow/digests/dt=${date}/posted.json`;
}
