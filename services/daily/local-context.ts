import { notifierFor } from '../../shared/adapters/slack';
import { FileObjectStore } from '../../shared/adapters/files/object-store';
import type { LocalCatalog } from '../../shared/adapters/local/catalog';
import { rebuildPartitionLocal, writePartitionLocal } from '../../shared/daily/local-steps';
import type { Notifier } from '../../shared/ports/notifier';
import type { QueryEngine } from '../../shared/ports/query-engine';
import type { DailyContext } from './context';

/**
 * The workflow's ports on one machine: the DuckDB catalog and engine, the lake folder as the
 * object store (same keys as the bucket), Slack when SLACK_WEBHOOK_URL is set or the console.
 */
export interface LocalContextParts {
  readonly catalog: LocalCatalog;
  readonly engine: QueryEngine;
  readonly timeZone: string;
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
    timeZone: parts.timeZone,
    rebuildPartition: async (table, dt, lookbackDays) => {
      await rebuildPartitionLocal({ catalog, engine }, table, dt, lookbackDays);
    },
    // The same write/replace/register as the other tables.
    writeAnomalies: async (dt, select) => {
      await writePartitionLocal({ catalog, engine }, 'anomalies', dt, select);
    },
  };
}
