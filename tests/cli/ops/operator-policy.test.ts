import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { AthenaClient, GetQueryExecutionCommand, GetQueryResultsCommand, StartQueryExecutionCommand } from '@aws-sdk/client-athena';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { FirehoseClient, PutRecordBatchCommand, type PutRecordBatchCommandInput } from '@aws-sdk/client-firehose';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { DescribeExecutionCommand, ListExecutionsCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { runBackfill } from '../../../cli/commands/backfill/run';
import { printExperimentTable } from '../../../cli/commands/experiments/table';
import { runReport } from '../../../cli/commands/report/run';
import { printToday } from '../../../cli/commands/today/run';
import { envelopeRecord } from '../../../cli/ops/envelope';
import { runStageReplay } from '../../../cli/commands/replay/stage';
import { runRequeue } from '../../../cli/commands/requeue/run';
import { runStatus } from '../../../cli/commands/status/run';
import { transformBatch } from '../../../services/transform/batch';
import { createPseudonymizer } from '../../../shared/pii';
import { tables } from '../../../shared/schema/tables';
import { metaWebhook } from '../../support/webhooks';
import { prodOutputs, recordingIo, stackAnswer } from './ops-fixtures';

/**
 * The README's operator policy against the calls the code makes: each stage command runs to
 * completion with every AWS client mocked, the commands it sent become IAM actions, and the
 * README's statements for that command must list exactly those actions plus the ones a call
 * needs on the caller's behalf (below, with the reason). A new SDK call fails this test until the
 * README grants it; a grant the code no longer needs fails it too.
 */

const repoRoot = join(__dirname, '..', '..', '..');
const mocks = {
  cloudformation: mockClient(CloudFormationClient),
  firehose: mockClient(FirehoseClient),
  s3: mockClient(S3Client),
  states: mockClient(SFNClient),
  cloudwatch: mockClient(CloudWatchClient),
  athena: mockClient(AthenaClient),
} as const;

/** API operations whose IAM action has another name. */
const actionOfOperation: Readonly<Record<string, string>> = {
  's3:HeadObject': 's3:GetObject',
  's3:ListObjectsV2': 's3:ListBucket',
};

/** The IAM actions of every command sent through the mocks since the last reset. */
function actionsSent(): string[] {
  const actions = new Set<string>();
  for (const [prefix, mock] of Object.entries(mocks)) {
    for (const call of mock.calls()) {
      const operation = `${prefix}:${(call.args[0] as object).constructor.name.replace(/Command$/, '')}`;
      actions.add(actionOfOperation[operation] ?? operation);
    }
  }
  return [...actions].sort();
}

/**
 * Actions a command needs although it sends no such call itself. The data bucket is SSE-KMS with
 * the stage key, and Athena runs a query with the caller's credentials: it reads the catalog and
 * the lake and writes the results (encrypted) under athena-results/.
 */
const athenaOnBehalf = [
  'glue:GetDatabase',
  'glue:GetTable',
  'glue:GetPartitions',
  'glue:BatchGetPartition',
  // For status, also what makes S3 answer a HEAD of a missing key (no digest yet) 404 instead of 403.
  's3:ListBucket',
  's3:GetBucketLocation',
  // The lake objects the query reads, and its result read back.
  's3:GetObject',
  's3:PutObject',
  's3:AbortMultipartUpload',
  'kms:Decrypt',
  'kms:GenerateDataKey',
] as const;
const impliedActions: Readonly<Record<string, readonly string[]>> = {
  Replay: [],
  Requeue: ['kms:Decrypt'],
  Status: athenaOnBehalf,
  Backfill: [],
  Report: athenaOnBehalf,
  Today: athenaOnBehalf,
  Experiments: athenaOnBehalf,
};

/** Athena answering every query: succeeded, no rows. */
function athenaAnswersEmpty(): void {
  mocks.athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q' });
  mocks.athena.on(GetQueryExecutionCommand).resolves({ QueryExecution: { StatementType: 'DML', Status: { State: 'SUCCEEDED' } } });
  mocks.athena.on(GetQueryResultsCommand).resolves({ ResultSet: { ResultSetMetadata: { ColumnInfo: [] }, Rows: [] } });
}

/** The reading commands' stack: the prod outputs and the stage's time zone (today's, the report's panel). */
const readingStack = () => stackAnswer([...prodOutputs, { OutputKey: 'TimeZone', OutputValue: 'UTC' }]);

/** The Glue tables and lake prefixes a command's statements grant. */
function readmeScope(command: string): { tables: string[]; objects: string[] } {
  const statements = readmePolicy().filter((s) => s.Sid.startsWith(command));
  const resources = statements.flatMap((s) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]));
  return {
    tables: resources.map((r) => /:table\/<GlueDatabaseName>\/(.+)$/.exec(r)?.[1]).filter((t): t is string => t !== undefined).sort(),
    objects: [...new Set(resources.map((r) => /^arn:aws:s3:::<DataBucketName>\/(.+)$/.exec(r)?.[1]).filter((o): o is string => o !== undefined))].sort(),
  };
}

/** What a command reading `names` needs granted: those tables, their lake prefixes (the schema's) and the query results. */
const scopeOf = (names: readonly string[]) => ({
  tables: [...names].sort(),
  objects: ['athena-results/*', ...names.map((n) => `${tables[n as keyof typeof tables].prefix}*`)].sort(),
});

/** The schema tables the Athena queries sent since the last reset read. */
function tablesQueried(): string[] {
  const sql = mocks.athena.commandCalls(StartQueryExecutionCommand).map((c) => c.args[0].input.QueryString ?? '');
  // Tables of the schema, named with the stage's database or bare (the workgroup's database); CTE names are not tables.
  const names = [...new Set(sql.flatMap((q) => [...q.matchAll(/\b(?:FROM|JOIN)\s+(?:"?whatsapp_analytics"?\.)?"?([a-z_]+)"?/gi)].map((m) => m[1]!)))];
  return names.filter((name) => name in tables).sort();
}

interface Statement {
  readonly Sid: string;
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource: string | string[];
}

/** The statements of the README's operator policy (the JSON block of its "Operator IAM policy" part). */
function readmePolicy(): Statement[] {
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('### Operator IAM policy'));
  const json = /```json\n([\s\S]*?)\n```/.exec(section);
  if (!json) throw new Error('README: no ```json block under "### Operator IAM policy"');
  return (JSON.parse(json[1]!) as { Statement: Statement[] }).Statement;
}

/** The actions the README grants a command: the statements whose Sid starts with its name. */
function readmeActions(command: string): string[] {
  const statements = readmePolicy().filter((s) => s.Sid.startsWith(command));
  return [...new Set(statements.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action])))].sort();
}

const expected = (command: string) => [...new Set([...actionsSent(), ...impliedActions[command]!])].sort();

const T = Date.parse('2024-06-10T09:00:00Z');

beforeEach(() => {
  for (const mock of Object.values(mocks)) mock.reset();
  mocks.cloudformation.on(DescribeStacksCommand).resolves(stackAnswer());
  mocks.firehose.on(PutRecordBatchCommand).callsFake((input: PutRecordBatchCommandInput) => ({ FailedPutCount: 0, RequestResponses: input.Records!.map(() => ({ RecordId: 'id' })) }));
});

describe('the README operator policy', () => {
  it('has one statement group per stage command and nothing else, each statement an Allow', () => {
    const statements = readmePolicy();
    expect(statements.filter((s) => !/^(Replay|Requeue|Status|Backfill|Report|Today|Experiments)[A-Z]/.test(s.Sid)).map((s) => s.Sid)).toEqual([]);
    expect(statements.filter((s) => s.Effect !== 'Allow').map((s) => s.Sid)).toEqual([]);
    expect(new Set(statements.map((s) => s.Sid)).size).toBe(statements.length);
  });

  it('replay --stage: exactly the calls it makes', async () => {
    const { code } = await runStageReplay(join(repoRoot, 'tests/fixtures/meta/text.json'), { stage: 'prod', region: 'eu-west-1' }, recordingIo(), { WA_APP_SECRET: 's' });
    expect(code).toBe(0);
    expect(actionsSent()).toEqual(['cloudformation:DescribeStacks', 'firehose:PutRecordBatch']);
    expect(readmeActions('Replay')).toEqual(expected('Replay'));
  });

  it('requeue: exactly the calls it makes, and the key of the objects it reads', async () => {
    const body = Buffer.from(JSON.stringify(metaWebhook({ taps: [{ id: 'wamid.IN1', from: '5511955550147', timestamp: T / 1000, contextId: 'wamid.OUT1', kind: 'button_reply', buttonId: 'yes', title: 'Yes' }] })));
    const record = envelopeRecord({ source: 'meta', body, signature: 'sha256=0000', requestId: 'req-1', receivedTs: T });
    const { result } = transformBatch(
      { invocationId: 'i', deliveryStreamArn: 'arn:aws:firehose:eu-west-1:123456789012:deliverystream/wa-analytics-prod-raw', region: 'eu-west-1', records: [{ recordId: 'r0', approximateArrivalTimestamp: T, data: record.toString('base64') }] },
      { metaAppSecret: 'secret', wasenderSecret: null, timeZone: 'UTC', pseudonymize: createPseudonymizer('raw', undefined) },
    );
    const object = gzipSync(Buffer.from(result.records[0]!.data!, 'base64'));
    mocks.s3.on(ListObjectsV2Command).resolves({ Contents: [{ Key: 'raw/events/dt=2024-06-10/a.gz' }], IsTruncated: false });
    mocks.s3.on(GetObjectCommand).resolves({ Body: { transformToByteArray: async () => new Uint8Array(object) } as never });
    const outcome = await runRequeue({ stage: 'prod', region: 'eu-west-1', from: '2024-06-10', to: '2024-06-10', yes: true }, recordingIo());
    expect(outcome).toMatchObject({ code: 0, found: 1 });
    expect(actionsSent()).toEqual(['cloudformation:DescribeStacks', 'firehose:PutRecordBatch', 's3:GetObject', 's3:ListBucket']);
    expect(readmeActions('Requeue')).toEqual(expected('Requeue'));
  });

  it('status: exactly the calls it makes, and what its Athena query needs', async () => {
    mocks.states.on(ListExecutionsCommand).resolves({ executions: [] });
    mocks.cloudwatch.on(GetMetricDataCommand).resolves({ MetricDataResults: [] });
    athenaAnswersEmpty();
    mocks.s3.on(HeadObjectCommand).resolves({});
    const { checks } = await runStatus({ stage: 'prod', region: 'eu-west-1' }, recordingIo(true, new Date(T)), {});
    // Every check ran (none skipped for a missing output, none failed on an unmocked call).
    expect(checks.map((c) => `${c.name}: ${c.detail}`).filter((line) => /not checked|not counted|failed/.test(line))).toEqual([]);
    expect(actionsSent()).toEqual(['athena:GetQueryExecution', 'athena:GetQueryResults', 'athena:StartQueryExecution', 'cloudformation:DescribeStacks', 'cloudwatch:GetMetricData', 's3:GetObject', 'states:ListExecutions']);
    expect(readmeActions('Status')).toEqual(expected('Status'));
  });

  it('backfill --stage: exactly the calls it makes', async () => {
    mocks.states.on(StartExecutionCommand).resolves({ executionArn: 'arn:aws:states:eu-west-1:123456789012:execution:wa-analytics-prod-daily:x' });
    mocks.states.on(DescribeExecutionCommand).resolves({ status: 'SUCCEEDED' });
    await runBackfill({ from: '2024-06-01', to: '2024-06-01', stage: 'prod', region: 'eu-west-1' }, () => undefined);
    expect(actionsSent()).toEqual(['cloudformation:DescribeStacks', 'states:DescribeExecution', 'states:StartExecution']);
    expect(readmeActions('Backfill')).toEqual(expected('Backfill'));
  });

  it('report --stage: exactly the calls it makes (the dashboard and today\'s queries), on the tables they read', async () => {
    mocks.cloudformation.on(DescribeStacksCommand).resolves(readingStack());
    athenaAnswersEmpty();
    const dir = mkdtempSync(join(tmpdir(), 'wa-policy-report-'));
    try {
      await runReport({ stage: 'prod', region: 'eu-west-1', out: join(dir, 'r.html') }, () => undefined, {}, { now: () => new Date(T), note: () => undefined });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    // The eleven dashboard queries and today's.
    expect(mocks.athena.commandCalls(StartQueryExecutionCommand)).toHaveLength(12);
    expect(actionsSent()).toEqual(['athena:GetQueryExecution', 'athena:GetQueryResults', 'athena:StartQueryExecution', 'cloudformation:DescribeStacks']);
    expect(readmeActions('Report')).toEqual(expected('Report'));
    expect(tablesQueried()).toEqual(['anomalies', 'daily_conversions', 'daily_ctr', 'events', 'experiments', 'raw_events']);
    expect(readmeScope('Report')).toEqual(scopeOf(tablesQueried()));
  });

  it('today --stage: exactly the calls it makes, on raw_events', async () => {
    mocks.cloudformation.on(DescribeStacksCommand).resolves(readingStack());
    athenaAnswersEmpty();
    await printToday({ stage: 'prod', region: 'eu-west-1' }, () => undefined, {}, () => undefined, T);
    expect(actionsSent()).toEqual(['athena:GetQueryExecution', 'athena:GetQueryResults', 'athena:StartQueryExecution', 'cloudformation:DescribeStacks']);
    expect(readmeActions('Today')).toEqual(expected('Today'));
    expect(tablesQueried()).toEqual(['raw_events']);
    expect(readmeScope('Today')).toEqual(scopeOf(['raw_events']));
  });

  it('experiments --stage: exactly the calls it makes, on experiments', async () => {
    mocks.cloudformation.on(DescribeStacksCommand).resolves(readingStack());
    athenaAnswersEmpty();
    // No --date: the latest evaluation date first, which an empty table does not have.
    await printExperimentTable({ stage: 'prod', region: 'eu-west-1' }, () => undefined, {}, () => undefined);
    expect(actionsSent()).toEqual(['athena:GetQueryExecution', 'athena:GetQueryResults', 'athena:StartQueryExecution', 'cloudformation:DescribeStacks']);
    expect(readmeActions('Experiments')).toEqual(expected('Experiments'));
    expect(tablesQueried()).toEqual(['experiments']);
    expect(readmeScope('Experiments')).toEqual(scopeOf(['experiments']));
  });
});
