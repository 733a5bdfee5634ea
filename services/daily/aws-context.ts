import { AthenaClient } from '@aws-sdk/client-athena';
import { GlueClient } from '@aws-sdk/client-glue';
import { S3Client } from '@aws-sdk/client-s3';
import { getParameter } from '@aws-lambda-powertools/parameters/ssm';
import { AthenaQueryEngine } from '../../shared/adapters/aws/athena-engine';
import { GlueCatalog } from '../../shared/adapters/aws/glue-catalog';
import { S3ObjectStore } from '../../shared/adapters/aws/s3-object-store';
import { SlackWebhookNotifier } from '../../shared/adapters/slack';
import { athenaPartitionStatements, type DailyTable } from '../../shared/daily/statements';
import { ConfigError } from '../../shared/errors';
import type { Catalog } from '../../shared/ports/catalog';
import type { ChatMessage, Notifier } from '../../shared/ports/notifier';
import type { ObjectStore } from '../../shared/ports/object-store';
import type { QueryEngine } from '../../shared/ports/query-engine';
import { tables } from '../../shared/schema/tables';
import { DATABASE_NAME_RE } from '../../shared/sql/render';
import { athenaCtas } from '../../shared/sql/dialect';
import { assertTimeZone } from '../../shared/time';
import type { DailyContext } from './context';

/** The ports an Athena partition rebuild is made of. */
export interface AthenaRebuildPorts {
  readonly catalog: Catalog;
  readonly engine: QueryEngine;
  readonly store: ObjectStore;
  readonly bucket: string;
  /** The stage's Glue database (GLUE_DATABASE): temporary CTAS tables and the SELECTs name it. */
  readonly database: string;
}

/**
 * One idempotent Athena partition write: drop a temporary table a crashed run may have left,
 * clear the prefix, CTAS into the temporary table at that location, drop it (the files stay),
 * register the partition. A re-run gives the same partition.
 */
async function ctasPartition(ports: AthenaRebuildPorts, stmts: { create: string; drop: string; keyPrefix: string }, table: 'events' | 'daily_ctr' | 'anomalies', dt: string): Promise<void> {
  await ports.engine.query(stmts.drop);
  await ports.store.deletePrefix(stmts.keyPrefix);
  await ports.engine.query(stmts.create);
  await ports.engine.query(stmts.drop);
  await ports.catalog.registerPartitions(table, [dt]);
}

/** Rebuilds partition `dt` of `events` / `daily_ctr` on Athena. */
export function athenaRebuildPartition(ports: AthenaRebuildPorts, table: DailyTable, dt: string, lookbackDays: number): Promise<void> {
  return ctasPartition(ports, athenaPartitionStatements(table, { bucket: ports.bucket, dt, lookbackDays, database: ports.database }), table, dt);
}

/** Writes partition `dt` of `anomalies` on Athena from a SELECT of literal rows. */
export function athenaWriteAnomalies(ports: AthenaRebuildPorts, dt: string, select: string): Promise<void> {
  const keyPrefix = `${tables.anomalies.prefix}dt=${dt}/`;
  const stmts = athenaCtas({ database: ports.database, tempTable: `tmp_anomalies_${dt.replace(/-/g, '')}`, bucket: ports.bucket, keyPrefix, select });
  return ctasPartition(ports, { ...stmts, keyPrefix }, 'anomalies', dt);
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (!value) throw new ConfigError(`${name} is not set`);
  return value;
}

/** Slack through a webhook URL read from SSM (SecureString) when first needed, cached by Powertools. */
class SsmSlackNotifier implements Notifier {
  constructor(private readonly parameterName: string) {}

  async post(message: ChatMessage): Promise<void> {
    const url = await getParameter(this.parameterName, { decrypt: true, maxAge: 300 });
    if (!url) throw new ConfigError(`parameter ${this.parameterName} is empty or missing`);
    await new SlackWebhookNotifier(url).post(message);
  }
}

/**
 * The stage's Glue database from GLUE_DATABASE (`whatsapp_analytics` in prod,
 * `whatsapp_analytics_dev` in dev). Required: a default would send a stage's writes to another
 * stage's catalog.
 */
export function glueDatabaseFromEnv(env: NodeJS.ProcessEnv): string {
  const database = required(env, 'GLUE_DATABASE');
  if (!DATABASE_NAME_RE.test(database)) throw new ConfigError(`GLUE_DATABASE must be a lower-case Glue database name (got "${database}")`);
  return database;
}

/** The Lambda's context from its environment: DATA_BUCKET, GLUE_DATABASE, ATHENA_WORKGROUP, WA_TIMEZONE, SLACK_WEBHOOK_PARAM. */
export async function awsDailyContextFromEnv(env: NodeJS.ProcessEnv = process.env): Promise<DailyContext> {
  const bucket = required(env, 'DATA_BUCKET');
  const database = glueDatabaseFromEnv(env);
  // Glue partitions, Athena's default database (the unqualified names of the detect and digest
  // queries) and the CTAS statements all name the stage's database.
  const catalog = new GlueCatalog(new GlueClient({}), bucket, database);
  const engine = new AthenaQueryEngine(new AthenaClient({}), { workGroup: required(env, 'ATHENA_WORKGROUP'), database });
  const store = new S3ObjectStore(new S3Client({}), bucket);
  const ports = { catalog, engine, store, bucket, database };
  return {
    catalog,
    engine,
    store,
    notifier: new SsmSlackNotifier(required(env, 'SLACK_WEBHOOK_PARAM')),
    timeZone: assertTimeZone(env.WA_TIMEZONE || 'UTC'),
    rebuildPartition: (table, dt, lookbackDays) => athenaRebuildPartition(ports, table, dt, lookbackDays),
    writeAnomalies: (dt, select) => athenaWriteAnomalies(ports, dt, select),
  };
}
