import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { notifierFor } from '../../shared/adapters/slack';
import { FileObjectStore } from '../../shared/adapters/files/object-store';
import type { LocalCatalog } from '../../shared/adapters/local/catalog';
import { lakePath, partitionKey } from '../../shared/adapters/local/lake';
import { partitionFileName, rebuildPartitionLocal } from '../../shared/daily/local-steps';
import { errorMessage, StorageError } from '../../shared/errors';
import type { Notifier } from '../../shared/ports/notifier';
import type { QueryEngine } from '../../shared/ports/query-engine';
import { duckdbCopy } from '../../shared/sql/dialect';
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

/** Writes the anomalies partition `dt` from a SELECT (same clear/write/rename/register as the other tables). */
async function writeAnomaliesLocal(catalog: LocalCatalog, engine: QueryEngine, dt: string, select: string): Promise<void> {
  const dir = lakePath(catalog.lakeDir, partitionKey('anomalies', dt));
  const file = join(dir, partitionFileName);
  const temp = join(dir, `.${partitionFileName}.tmp`);
  try {
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
  } catch (error) {
    throw new StorageError(`cannot clear ${dir}: ${errorMessage(error)}`, { cause: error });
  }
  await engine.query(duckdbCopy({ select, file: temp }));
  try {
    await rename(temp, file);
  } catch (error) {
    throw new StorageError(`cannot move ${temp} into place: ${errorMessage(error)}`, { cause: error });
  }
  await catalog.registerPartitions('anomalies', [dt]);
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
    writeAnomalies: (dt, select) => writeAnomaliesLocal(catalog, engine, dt, select),
  };
}
