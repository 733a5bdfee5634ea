import { AthenaClient } from '@aws-sdk/client-athena';
import { GlueClient } from '@aws-sdk/client-glue';
import { S3Client } from '@aws-sdk/client-s3';
import { getParameter } from '@aws-lambda-powertools/parameters/ssm';
import { AthenaQueryEngine } from '../../shared/adapters/aws/athena-engine';
import { GlueCatalog } from '../../shared/adapters/aws/glue-catalog';
import { AthenaPartitionWriter } from '../../shared/adapters/aws/partition-writer';
import { S3ObjectStore } from '../../shared/adapters/aws/s3-object-store';
import { SlackWebhookNotifier } from '../../shared/adapters/slack';
import type { DailyConfig } from '../../shared/config/daily';
import { ConfigError } from '../../shared/errors';
import type { ChatMessage, Notifier } from '../../shared/ports/notifier';
import type { DailyContext } from './context';
import { SsmReportLinks } from './report-links';

/** Slack through a webhook URL read from SSM (SecureString) when first needed, cached by Powertools. */
class SsmSlackNotifier implements Notifier {
  constructor(private readonly parameterName: string) {}

  async post(message: ChatMessage): Promise<void> {
    const url = await getParameter(this.parameterName, { decrypt: true, maxAge: 300 });
    if (!url) throw new ConfigError(`parameter ${this.parameterName} is empty or missing`);
    await new SlackWebhookNotifier(url).post(message);
  }
}

/** The workflow's ports on AWS, from the validated configuration (the SDK clients make no call yet). */
export function awsDailyContext(config: DailyConfig): DailyContext {
  const { bucket, database } = config;
  // Glue partitions, Athena's default database (the unqualified names of the detect and digest
  // queries) and the CTAS statements all name the stage's database.
  const catalog = new GlueCatalog(new GlueClient({}), bucket, database);
  const engine = new AthenaQueryEngine(new AthenaClient({}), { workGroup: config.workGroup, database });
  const store = new S3ObjectStore(new S3Client({}), bucket);
  return {
    catalog,
    engine,
    store,
    notifier: new SsmSlackNotifier(config.slackWebhookParam),
    reportLinks: new SsmReportLinks(config.reportLink),
    partitions: new AthenaPartitionWriter({ catalog, engine, store, bucket, database }),
    dialect: 'athena',
    database,
    timeZone: config.timeZone,
    attributionDays: config.attributionDays,
  };
}
