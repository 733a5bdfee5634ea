import { AthenaClient, GetQueryExecutionCommand, GetQueryResultsCommand, StartQueryExecutionCommand } from '@aws-sdk/client-athena';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { runStatus } from '../../../cli/commands/status/run';
import { prodOutputs, recordingIo, stackAnswer } from './ops-fixtures';

const cfn = mockClient(CloudFormationClient);
const sfn = mockClient(SFNClient);
const cw = mockClient(CloudWatchClient);
const athena = mockClient(AthenaClient);
const s3 = mockClient(S3Client);

const NOW = new Date('2024-06-10T08:00:00Z');
const ARN = 'arn:aws:states:eu-west-1:123456789012:stateMachine:wa-analytics-prod-daily';
const run = (name: string, status: 'SUCCEEDED' | 'FAILED' | 'RUNNING', start: string) => ({
  executionArn: `${ARN.replace('stateMachine', 'execution')}:${name}`,
  stateMachineArn: ARN,
  name,
  status,
  startDate: new Date(start),
  ...(status === 'RUNNING' ? {} : { stopDate: new Date(Date.parse(start) + 120_000) }),
});

function healthy(): void {
  cfn.on(DescribeStacksCommand).resolves(stackAnswer());
  sfn.on(ListExecutionsCommand).resolves({ executions: [run('daily-2024-06-09', 'SUCCEEDED', '2024-06-10T02:00:00Z'), run('daily-2024-06-08', 'FAILED', '2024-06-09T02:00:00Z')] });
  cw.on(GetMetricDataCommand).resolves({
    MetricDataResults: [
      { Id: 'freshness', Values: [120, 300] },
      { Id: 'delivered', Values: [1, 1] },
      { Id: 'processed', Values: [1] },
      { Id: 'failedrecords', Values: [0] },
    ],
  });
  athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-1' });
  athena.on(GetQueryExecutionCommand).resolvesOnce({ QueryExecution: { Status: { State: 'RUNNING' } } }).resolves({ QueryExecution: { StatementType: 'DML', Status: { State: 'SUCCEEDED' } } });
  const cell = (v: string) => ({ VarCharValue: v });
  athena.on(GetQueryResultsCommand).resolves({
    ResultSet: {
      ResultSetMetadata: { ColumnInfo: ['dt', 'kind', 'reason', 'n'].map((Name) => ({ Name, Type: 'varchar' })) },
      Rows: [
        { Data: ['dt', 'kind', 'reason', 'n'].map(cell) },
        { Data: ['2024-06-09', 'click', '', '40'].map(cell) },
        { Data: ['2024-06-09', 'quarantine', 'bad_signature', '2'].map(cell) },
        { Data: ['2024-06-09', 'status', '', '300'].map(cell) },
      ],
    },
  });
  s3.on(HeadObjectCommand).resolves({});
}

beforeEach(() => {
  for (const m of [cfn, sfn, cw, athena, s3]) m.reset();
  healthy();
});

describe('status --stage', () => {
  it('exits 0 when the last run succeeded and delivery is fresh, after the exact requests', async () => {
    const io = recordingIo(true, NOW);
    const { code } = await runStatus({ stage: 'prod', region: 'eu-west-1' }, io, {});
    expect(code).toBe(0);
    expect(sfn.commandCalls(ListExecutionsCommand).map((c) => c.args[0].input)).toEqual([{ stateMachineArn: ARN, maxResults: 5 }]);
    const metrics = cw.commandCalls(GetMetricDataCommand)[0]!.args[0].input;
    expect(metrics.StartTime).toEqual(new Date('2024-06-10T07:00:00Z'));
    expect(metrics.EndTime).toEqual(NOW);
    expect(metrics.MetricDataQueries![0]).toEqual({
      Id: 'freshness',
      MetricStat: { Metric: { Namespace: 'AWS/Firehose', MetricName: 'DeliveryToS3.DataFreshness', Dimensions: [{ Name: 'DeliveryStreamName', Value: 'wa-analytics-prod-raw' }] }, Period: 300, Stat: 'Maximum' },
      ReturnData: true,
    });
    expect(metrics.MetricDataQueries!.map((q) => q.MetricStat!.Metric!.MetricName)).toEqual(['DeliveryToS3.DataFreshness', 'DeliveryToS3.Success', 'ExecuteProcessing.Success', 'RecordsFailed']);
    expect(athena.commandCalls(StartQueryExecutionCommand).map((c) => c.args[0].input)).toEqual([
      {
        QueryString:
          `SELECT dt, kind, coalesce(reason, '') AS reason, count(*) AS n FROM "whatsapp_analytics"."raw_events" ` +
          `WHERE dt BETWEEN '2024-06-08' AND '2024-06-10' GROUP BY dt, kind, coalesce(reason, '') ORDER BY dt, kind, reason`,
        WorkGroup: 'wa-analytics-prod',
        QueryExecutionContext: { Database: 'whatsapp_analytics' },
      },
    ]);
    expect(s3.commandCalls(HeadObjectCommand).map((c) => c.args[0].input)).toEqual([{ Bucket: 'wa-analytics-prod-data-123', Key: 'workflow/digests/dt=2024-06-09/posted.json' }]);
    expect(io.stdout[0]!.split('\n')).toEqual([
      'stage prod (wa-analytics-prod, eu-west-1): healthy',
      'OK   daily workflow: last run SUCCEEDED at 2024-06-10T02:00:00Z',
      '     daily-2024-06-09  SUCCEEDED  started 2024-06-10T02:00:00Z  stopped 2024-06-10T02:02:00Z',
      '     daily-2024-06-08  FAILED  started 2024-06-09T02:00:00Z  stopped 2024-06-09T02:02:00Z',
      'OK   delivery freshness: oldest undelivered record 120 s old',
      'OK   delivery failures: none in the last hour',
      'WARN rows per arrival day: 2024-06-08..2024-06-10: 342 raw rows, 2 quarantined',
      '     2024-06-09  click=40 quarantine=2 status=300  quarantined: bad_signature=2',
      'OK   digest of 2024-06-09: posted',
    ]);
  });

  it('exits 1 when the latest finished workflow run failed', async () => {
    sfn.on(ListExecutionsCommand).resolves({ executions: [run('daily-2024-06-10-retry', 'RUNNING', '2024-06-10T07:59:00Z'), run('daily-2024-06-09', 'FAILED', '2024-06-10T02:00:00Z')] });
    const io = recordingIo(true, NOW);
    expect((await runStatus({ stage: 'prod', region: 'eu-west-1' }, io, {})).code).toBe(1);
    expect(io.stdout[0]).toContain('stage prod (wa-analytics-prod, eu-west-1): UNHEALTHY');
    expect(io.stdout[0]).toContain('FAIL daily workflow: last finished run daily-2024-06-09 FAILED at 2024-06-10T02:02:00Z');
  });

  it('exits 1 when the oldest record in Firehose is older than the freshness limit', async () => {
    cw.on(GetMetricDataCommand).resolves({ MetricDataResults: [{ Id: 'freshness', Values: [1_250, 200] }] });
    const io = recordingIo(true, NOW);
    expect((await runStatus({ stage: 'prod', region: 'eu-west-1', maxFreshness: '900' }, io, {})).code).toBe(1);
    expect(io.stdout[0]).toContain('FAIL delivery freshness: oldest undelivered record is 1250 s old (limit 900 s)');
  });

  it('exits 1 on failed transforms, and only warns when the workflow outputs are not deployed yet', async () => {
    cfn.on(DescribeStacksCommand).resolves(stackAnswer(prodOutputs.slice(0, 4)));
    cw.on(GetMetricDataCommand).resolves({ MetricDataResults: [{ Id: 'processed', Values: [1, 0.5] }, { Id: 'failedrecords', Values: [3] }] });
    const io = recordingIo(true, NOW);
    expect((await runStatus({ stage: 'prod', region: 'eu-west-1' }, io, {})).code).toBe(1);
    expect(io.stdout[0]).toContain('WARN daily workflow: not checked: stack wa-analytics-prod has no output DailyStateMachineArn (workflow not deployed yet)');
    expect(io.stdout[0]).toContain('WARN rows per arrival day: not checked: stack wa-analytics-prod has no output AthenaWorkgroup');
    expect(io.stdout[0]).toContain('FAIL delivery failures: some transform invocations failed (ExecuteProcessing.Success < 1); 3 records failed the transform (kept under raw/errors/)');
    expect(sfn.calls()).toHaveLength(0);
    expect(athena.calls()).toHaveLength(0);
  });

  it('rejects bad flags before any AWS call', async () => {
    await expect(runStatus({ stage: 'prod', days: '0' }, recordingIo(), {})).rejects.toThrow('--days must be a whole number from 1 to 14 (got "0")');
    await expect(runStatus({ stage: 'prod', timeZone: 'Mars/Olympus' }, recordingIo(), {})).rejects.toThrow('unknown time zone "Mars/Olympus"');
    expect(cfn.calls()).toHaveLength(0);
  });
});
