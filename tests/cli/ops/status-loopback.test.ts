import { runStatus } from '../../../cli/commands/status/run';
import { byCall, describeStacksAnswer, emptyAnswer, jsonAnswer, type Answer, useLoopbackAws } from '../../support/loopback-aws';
import { prodOutputs, recordingIo } from './ops-fixtures';

/**
 * `status` with the real SDK clients against a loopback AWS (AWS_ENDPOINT_URL): every service
 * answers as a healthy stage would, except S3, whose answer to the digest marker's HEAD varies.
 */

const NOW = new Date('2024-06-10T08:00:00Z');
const outputs = Object.fromEntries(prodOutputs.map((o) => [o.OutputKey!, o.OutputValue!]));
const epoch = (iso: string) => Date.parse(iso) / 1000;

const loopback = useLoopbackAws();

function stage(s3Head: Answer): Answer {
  return byCall(
    {
      DescribeStacks: describeStacksAnswer('wa-analytics-prod', outputs),
      ListExecutions: jsonAnswer({
        executions: [{ executionArn: 'arn:aws:states:eu-west-1:123456789012:execution:wa-analytics-prod-daily:d1', stateMachineArn: outputs.DailyStateMachineArn, name: 'd1', status: 'SUCCEEDED', startDate: epoch('2024-06-10T02:30:00Z'), stopDate: epoch('2024-06-10T02:34:00Z') }],
      }),
      GetMetricData: jsonAnswer({ MetricDataResults: [{ Id: 'freshness', Values: [75] }, { Id: 'delivered', Values: [1] }, { Id: 'processed', Values: [1] }, { Id: 'failedrecords', Values: [0] }] }),
      StartQueryExecution: jsonAnswer({ QueryExecutionId: 'q-1' }),
      GetQueryExecution: jsonAnswer({ QueryExecution: { QueryExecutionId: 'q-1', StatementType: 'DML', Status: { State: 'SUCCEEDED' } } }),
      GetQueryResults: jsonAnswer({
        ResultSet: {
          ResultSetMetadata: { ColumnInfo: ['dt', 'kind', 'reason', 'n'].map((Name) => ({ Name, Type: 'varchar' })) },
          Rows: [{ Data: ['dt', 'kind', 'reason', 'n'].map((v) => ({ VarCharValue: v })) }, { Data: ['2024-06-09', 'click', '', '12'].map((v) => ({ VarCharValue: v })) }],
        },
      }),
    },
    s3Head,
  );
}

describe('status against a loopback AWS', () => {
  it('names the HTTP status and the likely cause when S3 answers the digest HEAD with an empty 403', async () => {
    loopback.current.answer = stage(emptyAnswer(403));
    const io = recordingIo(true, NOW);
    const { code } = await runStatus({ stage: 'prod', region: 'eu-west-1' }, io, {});
    const lines = io.stdout[0]!.split('\n');
    expect(lines[0]).toBe('stage prod (wa-analytics-prod, eu-west-1): healthy');
    expect(code).toBe(0);
    const digest = lines.find((l) => l.includes('digest of 2024-06-09'))!;
    expect(digest).toMatch(/^WARN digest of 2024-06-09: not checked: reading the digest marker failed: HTTP 403 Forbidden with no error code in the answer: access denied: /);
    expect(digest).toContain("the stage's KMS key policy");
    expect(digest).toContain('s3:ListBucket');
    expect(io.stdout[0]).not.toMatch(/Unknown/);
    const head = loopback.current.seen.find((s) => s.method === 'HEAD')!;
    expect(head.url).toBe('/wa-analytics-prod-data-123/workflow/digests/dt%3D2024-06-09/posted.json');
  });

  it('reads an empty 404 as a digest not posted yet', async () => {
    loopback.current.answer = stage(emptyAnswer(404));
    const io = recordingIo(true, NOW);
    expect((await runStatus({ stage: 'prod', region: 'eu-west-1' }, io, {})).code).toBe(0);
    expect(io.stdout[0]!.split('\n')).toContain('WARN digest of 2024-06-09: not posted (yet)');
  });
});
