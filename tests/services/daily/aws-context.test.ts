import { AthenaClient, GetQueryExecutionCommand, StartQueryExecutionCommand } from '@aws-sdk/client-athena';
import { BatchCreatePartitionCommand, GlueClient } from '@aws-sdk/client-glue';
import { DeleteObjectsCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { awsDailyContext } from '../../../services/daily/aws-context';
import { rebuild } from '../../../services/daily/steps';
import { AthenaQueryEngine } from '../../../shared/adapters/aws/athena-engine';
import { GlueCatalog } from '../../../shared/adapters/aws/glue-catalog';
import { AthenaPartitionWriter } from '../../../shared/adapters/aws/partition-writer';
import { S3ObjectStore } from '../../../shared/adapters/aws/s3-object-store';
import { readDailyConfig } from '../../../shared/config/daily';
import { anomaliesSelect } from '../../../shared/daily/rows-select';
import { athenaPartitionStatements, dailySelect } from '../../../shared/daily/statements';

const athena = mockClient(AthenaClient);
const glue = mockClient(GlueClient);
const s3 = mockClient(S3Client);
const order: string[] = [];

beforeEach(() => {
  order.length = 0;
  for (const m of [athena, glue, s3]) m.reset();
  let n = 0;
  athena.on(StartQueryExecutionCommand).callsFake((input: { QueryString: string }) => {
    order.push(`athena:${input.QueryString.split(/\s/).slice(0, 2).join(' ')}`);
    return { QueryExecutionId: `q${++n}` };
  });
  athena.on(GetQueryExecutionCommand).resolves({ QueryExecution: { StatementType: 'DDL', Status: { State: 'SUCCEEDED' } } });
  s3.on(ListObjectsV2Command).callsFake(() => (order.push('s3:list'), { Contents: [{ Key: 'curated/daily_ctr/dt=2024-05-01/old.parquet' }] }));
  s3.on(DeleteObjectsCommand).callsFake(() => (order.push('s3:delete'), {}));
  glue.on(BatchCreatePartitionCommand).callsFake(() => (order.push('glue:partition'), { Errors: [] }));
});

function ports(database = 'whatsapp_analytics') {
  return {
    bucket: 'lake-bucket',
    database,
    catalog: new GlueCatalog(new GlueClient({}), 'lake-bucket', database),
    engine: new AthenaQueryEngine(new AthenaClient({}), { workGroup: 'wa-dev', pollMs: 0, database }),
    store: new S3ObjectStore(new S3Client({}), 'lake-bucket'),
  };
}

describe('Athena partition rebuild on AWS adapters', () => {
  it('drops a leftover temp table, clears the prefix, runs the exact CTAS, drops, registers', async () => {
    await new AthenaPartitionWriter(ports()).write('daily_ctr', '2024-05-01', dailySelect('daily_ctr', 'athena', '2024-05-01', { lookbackDays: 3, attributionDays: 7 }));
    const expected = athenaPartitionStatements('daily_ctr', { bucket: 'lake-bucket', dt: '2024-05-01', windows: { lookbackDays: 3, attributionDays: 7 } });
    const queries = athena.commandCalls(StartQueryExecutionCommand).map((c) => c.args[0].input.QueryString);
    expect(queries).toEqual([expected.drop, expected.create, expected.drop]);
    expect(expected.create).toContain("external_location = 's3://lake-bucket/curated/daily_ctr/dt=2024-05-01/'");
    expect(order).toEqual(['athena:DROP TABLE', 's3:list', 's3:delete', 'athena:CREATE TABLE', 'athena:DROP TABLE', 'glue:partition']);
    expect(s3.commandCalls(ListObjectsV2Command)[0]!.args[0].input.Prefix).toBe('curated/daily_ctr/dt=2024-05-01/');
    expect(glue.commandCalls(BatchCreatePartitionCommand)[0]!.args[0].input.PartitionInputList![0]!.StorageDescriptor!.Location).toBe('s3://lake-bucket/curated/daily_ctr/dt=2024-05-01/');
  });

  it('writes anomalies with a CTAS of literal rows into the anomalies prefix', async () => {
    const select = anomaliesSelect([{ campaign_id: "o'brien", template_name: null, button_id: 'yes', metric: 'ctr', kind: 'drop', observed: 0.1, expected: 0.3, lower: 0.2, upper: 0.4, score: 7, baseline_days: 28, incident_start: null }]);
    await new AthenaPartitionWriter(ports()).write('anomalies', '2024-05-01', select);
    const create = athena.commandCalls(StartQueryExecutionCommand)[1]!.args[0].input.QueryString!;
    expect(create).toContain('CREATE TABLE whatsapp_analytics.tmp_anomalies_20240501');
    expect(create).toContain("external_location = 's3://lake-bucket/curated/anomalies/dt=2024-05-01/'");
    expect(create).toContain("CAST('o''brien' AS VARCHAR) AS campaign_id");
    expect(create).toContain('CAST(NULL AS VARCHAR) AS template_name');
    expect(create).toContain('CAST(28 AS INTEGER) AS baseline_days');
  });
});

describe('the stage\'s Glue database', () => {
  const devEnv = { DATA_BUCKET: 'wa-analytics-dev-lake', GLUE_DATABASE: 'whatsapp_analytics_dev', ATHENA_WORKGROUP: 'wa-analytics-dev', SLACK_WEBHOOK_PARAM: '/wa-analytics/dev/slack', WA_TIMEZONE: 'UTC', REPORT_API_URL: 'https://abc123defg.execute-api.us-east-1.amazonaws.com/dev', REPORT_LINK_SECRET_PARAM: '/wa-analytics/dev/report-link-secret' };
  const queries = () => athena.commandCalls(StartQueryExecutionCommand).map((c) => c.args[0].input);

  it('a dev-stage rebuild CTASes into whatsapp_analytics_dev and registers the partition there', async () => {
    const ctx = awsDailyContext(readDailyConfig(devEnv));
    await rebuild(ctx, { table: 'events', dt: '2024-05-01', lookbackDays: 3, attributionDays: 7 });
    const [drop, create] = queries();
    expect(create!.QueryString).toMatch(/^CREATE TABLE whatsapp_analytics_dev\.tmp_events_20240501 WITH \(/);
    expect(create!.QueryString).toContain('FROM whatsapp_analytics_dev.raw_events AS r');
    expect(create!.QueryString).toContain("external_location = 's3://wa-analytics-dev-lake/curated/events/dt=2024-05-01/'");
    expect(drop!.QueryString).toBe('DROP TABLE IF EXISTS whatsapp_analytics_dev.tmp_events_20240501');
    for (const q of queries()) {
      expect(q.QueryExecutionContext).toEqual({ Database: 'whatsapp_analytics_dev' });
      expect(q.WorkGroup).toBe('wa-analytics-dev');
      // Nothing names the prod database (a dev run must not touch the prod catalog).
      expect(q.QueryString).not.toMatch(/whatsapp_analytics\./);
    }
    const batch = glue.commandCalls(BatchCreatePartitionCommand).map((c) => c.args[0].input);
    expect(batch).toHaveLength(1);
    expect(batch[0]).toMatchObject({ DatabaseName: 'whatsapp_analytics_dev', TableName: 'events' });
    expect(batch[0]!.PartitionInputList![0]!.StorageDescriptor!.Location).toBe('s3://wa-analytics-dev-lake/curated/events/dt=2024-05-01/');
  });

  it('a dev-stage daily_ctr rebuild reads the dev curated events', async () => {
    const ctx = awsDailyContext(readDailyConfig(devEnv));
    await rebuild(ctx, { table: 'daily_ctr', dt: '2024-05-01', lookbackDays: 3, attributionDays: 7 });
    const create = queries()[1]!.QueryString!;
    expect(create).toMatch(/^CREATE TABLE whatsapp_analytics_dev\.tmp_daily_ctr_20240501 /);
    expect(create).toContain('FROM whatsapp_analytics_dev.events');
    expect(create).not.toMatch(/whatsapp_analytics\./);
  });

  it('a daily_conversions rebuild clears its own prefix, writes one CTAS of the dev events and registers the partition', async () => {
    const ctx = awsDailyContext(readDailyConfig({ ...devEnv, ATTRIBUTION_DAYS: '5' }));
    await rebuild(ctx, { table: 'daily_conversions', dt: '2024-05-01', lookbackDays: 3, attributionDays: 5 });
    const expected = athenaPartitionStatements('daily_conversions', { bucket: 'wa-analytics-dev-lake', dt: '2024-05-01', windows: { lookbackDays: 3, attributionDays: 5 }, database: 'whatsapp_analytics_dev' });
    expect(queries().map((q) => q.QueryString)).toEqual([expected.drop, expected.create, expected.drop]);
    expect(expected.create).toContain("dt BETWEEN '2024-04-17' AND '2024-05-10'");
    const batch = glue.commandCalls(BatchCreatePartitionCommand).map((c) => c.args[0].input);
    expect(batch).toMatchObject([{ DatabaseName: 'whatsapp_analytics_dev', TableName: 'daily_conversions' }]);
    expect(batch[0]!.PartitionInputList![0]!.StorageDescriptor!.Location).toBe('s3://wa-analytics-dev-lake/curated/daily_conversions/dt=2024-05-01/');
  });

  it('dev-stage anomalies and raw partition registration use the dev database', async () => {
    const ctx = awsDailyContext(readDailyConfig(devEnv));
    await ctx.partitions.write('anomalies', '2024-05-01', anomaliesSelect([]));
    await ctx.catalog.registerPartitions('raw_events', ['2024-05-01']);
    expect(queries()[1]!.QueryString).toMatch(/^CREATE TABLE whatsapp_analytics_dev\.tmp_anomalies_20240501 /);
    expect(glue.commandCalls(BatchCreatePartitionCommand).map((c) => [c.args[0].input.DatabaseName, c.args[0].input.TableName])).toEqual([
      ['whatsapp_analytics_dev', 'anomalies'],
      ['whatsapp_analytics_dev', 'raw_events'],
    ]);
  });

  it('prod keeps whatsapp_analytics', async () => {
    const ctx = awsDailyContext(readDailyConfig({ ...devEnv, GLUE_DATABASE: 'whatsapp_analytics' }));
    await rebuild(ctx, { table: 'events', dt: '2024-05-01', lookbackDays: 3, attributionDays: 7 });
    expect(queries()[1]!.QueryString).toMatch(/^CREATE TABLE whatsapp_analytics\.tmp_events_20240501 /);
    expect(glue.commandCalls(BatchCreatePartitionCommand)[0]!.args[0].input.DatabaseName).toBe('whatsapp_analytics');
  });

  it('refuses to start without GLUE_DATABASE or with a name that is not one', () => {
    const { GLUE_DATABASE: _omit, ...without } = devEnv;
    expect(() => readDailyConfig(without)).toThrow(/GLUE_DATABASE is not set/);
    expect(() => readDailyConfig({ ...devEnv, GLUE_DATABASE: 'prod; DROP TABLE x' })).toThrow(/GLUE_DATABASE must be/);
  });
});
