import { AthenaClient, GetQueryExecutionCommand, StartQueryExecutionCommand } from '@aws-sdk/client-athena';
import { BatchCreatePartitionCommand, GlueClient } from '@aws-sdk/client-glue';
import { DeleteObjectsCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { athenaRebuildPartition, athenaWriteAnomalies } from '../../../services/daily/aws-context';
import { AthenaQueryEngine } from '../../../shared/adapters/aws/athena-engine';
import { GlueCatalog } from '../../../shared/adapters/aws/glue-catalog';
import { S3ObjectStore } from '../../../shared/adapters/aws/s3-object-store';
import { anomaliesSelect } from '../../../shared/daily/anomalies-select';
import { athenaPartitionStatements } from '../../../shared/daily/statements';

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

function ports() {
  return {
    bucket: 'lake-bucket',
    catalog: new GlueCatalog(new GlueClient({}), 'lake-bucket'),
    engine: new AthenaQueryEngine(new AthenaClient({}), { workGroup: 'wa-dev', pollMs: 0 }),
    store: new S3ObjectStore(new S3Client({}), 'lake-bucket'),
  };
}

describe('Athena partition rebuild on AWS adapters', () => {
  it('drops a leftover temp table, clears the prefix, runs the exact CTAS, drops, registers', async () => {
    await athenaRebuildPartition(ports(), 'daily_ctr', '2024-05-01', 3);
    const expected = athenaPartitionStatements('daily_ctr', { bucket: 'lake-bucket', dt: '2024-05-01', lookbackDays: 3 });
    const queries = athena.commandCalls(StartQueryExecutionCommand).map((c) => c.args[0].input.QueryString);
    expect(queries).toEqual([expected.drop, expected.create, expected.drop]);
    expect(expected.create).toContain("external_location = 's3://lake-bucket/curated/daily_ctr/dt=2024-05-01/'");
    expect(order).toEqual(['athena:DROP TABLE', 's3:list', 's3:delete', 'athena:CREATE TABLE', 'athena:DROP TABLE', 'glue:partition']);
    expect(s3.commandCalls(ListObjectsV2Command)[0]!.args[0].input.Prefix).toBe('curated/daily_ctr/dt=2024-05-01/');
    expect(glue.commandCalls(BatchCreatePartitionCommand)[0]!.args[0].input.PartitionInputList![0]!.StorageDescriptor!.Location).toBe('s3://lake-bucket/curated/daily_ctr/dt=2024-05-01/');
  });

  it('writes anomalies with a CTAS of literal rows into the anomalies prefix', async () => {
    const select = anomaliesSelect([{ campaign_id: "o'brien", template_name: null, button_id: 'yes', metric: 'ctr', kind: 'drop', observed: 0.1, expected: 0.3, lower: 0.2, upper: 0.4, score: 7, baseline_days: 28 }]);
    await athenaWriteAnomalies(ports(), '2024-05-01', select);
    const create = athena.commandCalls(StartQueryExecutionCommand)[1]!.args[0].input.QueryString!;
    expect(create).toContain('CREATE TABLE whatsapp_analytics.tmp_anomalies_20240501');
    expect(create).toContain("external_location = 's3://lake-bucket/curated/anomalies/dt=2024-05-01/'");
    expect(create).toContain("CAST('o''brien' AS VARCHAR) AS campaign_id");
    expect(create).toContain('CAST(NULL AS VARCHAR) AS template_name');
    expect(create).toContain('CAST(28 AS INTEGER) AS baseline_days');
  });
});
