import type { DailyTable } from '../../shared/daily/statements';
import { ConfigError } from '../../shared/errors';
import type { Catalog } from '../../shared/ports/catalog';
import type { Notifier } from '../../shared/ports/notifier';
import type { ObjectStore } from '../../shared/ports/object-store';
import type { QueryEngine } from '../../shared/ports/query-engine';

/**
 * What the workflow's tasks need, behind ports: AWS adapters in Lambda, local adapters (DuckDB,
 * files, console/Slack) when the same ASL runs on one machine. Handlers ask `dailyContext()`;
 * the local runner installs its context first, so the handler code is the same in both places.
 */
export interface DailyContext {
  readonly catalog: Catalog;
  readonly engine: QueryEngine;
  readonly store: ObjectStore;
  readonly notifier: Notifier;
  /** Reporting time zone (IANA): "yesterday" is computed in it. */
  readonly timeZone: string;
  /** Rebuilds one partition of `events` / `daily_ctr` (clear, write, register); idempotent. */
  rebuildPartition(table: DailyTable, dt: string, lookbackDays: number): Promise<void>;
  /** Replaces partition `dt` of `anomalies` with the rows of a SELECT (clear, write, register). */
  writeAnomalies(dt: string, select: string): Promise<void>;
}

/** Key of the marker object that says the digest of a date was posted (re-runs stay silent). */
export function digestMarkerKey(date: string): string {
  return `workflow/digests/dt=${date}/posted.json`;
}

let installed: DailyContext | undefined;
// In Lambda the AWS adapters, loaded on first use so a local run never builds SDK clients.
let factory: (() => Promise<DailyContext>) | undefined = async () => (await import('./aws-context')).awsDailyContextFromEnv();
let pending: Promise<DailyContext> | undefined;

/** Installs a ready context (the local runner, tests). `undefined` removes it. */
export function installDailyContext(context: DailyContext | undefined): void {
  installed = context;
  pending = undefined;
}

/** Sets how a Lambda builds its context on first use (the AWS adapters, cached per container). */
export function setDailyContextFactory(build: (() => Promise<DailyContext>) | undefined): void {
  factory = build;
  pending = undefined;
}

/** The context the tasks run with. */
export async function dailyContext(): Promise<DailyContext> {
  if (installed) return installed;
  if (!factory) throw new ConfigError('no daily workflow context: no factory set and no local context installed');
  pending ??= factory();
  return pending;
}
