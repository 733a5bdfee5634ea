import { notifierFor } from '../shared/adapters/slack';
import { FileObjectStore } from '../shared/adapters/files/object-store';
import type { LocalCatalog } from '../shared/adapters/local/catalog';
import { LocalPartitionWriter } from '../shared/adapters/local/partition-writer';
import type { Notifier } from '../shared/ports/notifier';
import type { QueryEngine } from '../shared/ports/query-engine';
import { databaseName } from '../shared/schema/tables';
import type { DailyContext } from '../services/daily/context';

/**
 * The workflow's ports on one machine: the DuckDB catalog and engine, the lake folder as the
 * object store (same keys as the bucket), Slack when SLACK_WEBHOOK_URL is set or the console.
 */
export interface LocalContextParts {
  readonly catalog: LocalCatalog;
  readonly engine: QueryEngine;
  readonly timeZone: string;
  readonly attributionDays: number;
  /** Defaults to notifierFor(slackWebhookUrl). */
  readonly notifier?: Notifier;
  readonly slackWebhookUrl?: string | null;
  /** Where printed Slack messages go when no URL is set. */
  readonly out?: (text: string) => void;
}

/** A DailyContext over a local catalog and engine. */
export function localDailyContext(parts: LocalContextParts): DailyContext {
  const { catalog, engine } = parts;
  return {
    catalog,
    engine,
    store: new FileObjectStore(catalog.lakeDir),
    notifier: parts.notifier ?? notifierFor(parts.slackWebhookUrl ?? undefined, {}, parts.out),
    partitions: new LocalPartitionWriter({ catalog, engine }),
    dialect: 'duckdb',
    database: databaseName,
    timeZone: parts.timeZone,
    attributionDays: parts.attributionDays,
  };
}
