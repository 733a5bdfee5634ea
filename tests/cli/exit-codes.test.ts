import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CommanderError } from 'commander';
import { exitCodeOf } from '../../cli/exit-codes';
import { AwsError, ConfigError, InputError, QueryError, StorageError, WaError } from '../../shared/errors';
import { ThrottlingError } from '../../shared/ports/retryable';
import { byCall, describeStacksAnswer, emptyAnswer, jsonAnswer, jsonError, queryError, startLoopbackAws, type LoopbackAws } from '../support/loopback-aws';
import { childEnv, repoRoot, runBin } from '../local/stack-helpers';
import { prodOutputs } from './ops/ops-fixtures';

describe('exit codes', () => {
  it('are 2 for bad input or configuration (also rewrapped), 1 for every other failure, 0 for help', () => {
    expect(exitCodeOf(new InputError('--from is not a date'))).toBe(2);
    expect(exitCodeOf(new ConfigError('no AWS credentials'))).toBe(2);
    // The Firehose sender rewraps a failure with its code and what was already sent.
    expect(exitCodeOf(new WaError('config', 'no AWS credentials; stopped after 0 records were sent'))).toBe(2);
    expect(exitCodeOf(new CommanderError(1, 'commander.missingMandatoryOptionValue', "required option '--stage <stage>' not specified"))).toBe(2);
    expect(exitCodeOf(new CommanderError(0, 'commander.helpDisplayed', '(outputHelp)'))).toBe(0);
    for (const failure of [new AwsError('DescribeStacks failed'), new WaError('workflow', 'backfill stopped'), new QueryError('bad SQL'), new StorageError('disk full'), new ThrottlingError('slow down'), new Error('bug'), 'thrown string']) {
      expect(`${String(failure)}: ${exitCodeOf(failure)}`).toBe(`${String(failure)}: 1`);
    }
  });
});

/** The real bin, AWS (when it is called) at a loopback endpoint with fixed credentials. */
function cli(args: string[], endpoint?: string, extraEnv: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env = childEnv({});
  for (const k of Object.keys(env)) if (k.startsWith('AWS_')) delete env[k];
  Object.assign(env, {
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: '/nonexistent/aws-config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws-credentials',
    AWS_MAX_ATTEMPTS: '1',
    ...(endpoint === undefined ? {} : { AWS_ENDPOINT_URL: endpoint, AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' }),
    ...extraEnv,
  });
  return runBin(args, env);
}

/** The project's own stderr lines (the SDK's Node-version notice left out). */
const ownLines = (text: string) => text.split('\n').filter((l) => l.startsWith('wa-analytics:') || l.startsWith('error:'));

const outputs = Object.fromEntries(prodOutputs.map((o) => [o.OutputKey!, o.OutputValue!]));

describe('exit codes on the command line: usage and local commands', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'wa-exit-'));
  });
  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  it('a missing or unknown flag exits 2', async () => {
    const [missing, unknown] = await Promise.all([cli(['status']), cli(['query', 'SELECT 1', '--jsno'])]);
    expect([missing.code, ownLines(missing.stderr)]).toEqual([2, ["error: required option '--stage <stage>' not specified"]]);
    expect([unknown.code, ownLines(unknown.stderr)]).toEqual([2, ["error: unknown option '--jsno'"]]);
  }, 40_000);

  it('bad input and bad configuration exit 2', async () => {
    const [input, config] = await Promise.all([
      cli(['detect', '--history', '/nonexistent/history.jsonl', '--date', '2024-05-01']),
      cli(['flatten', join(repoRoot, 'tests/fixtures/meta/text.json'), '--source', 'meta', '--signature', 'sha256=00'], undefined, { WA_DATA_DIR: dataDir }),
    ]);
    expect(input.code).toBe(2);
    expect(ownLines(input.stderr)).toEqual([expect.stringMatching(/^wa-analytics: input error: cannot read history file \/nonexistent\/history\.jsonl: ENOENT/)]);
    expect([config.code, ownLines(config.stderr)]).toEqual([2, ['wa-analytics: config error: --signature needs WA_APP_SECRET to check a Meta signature']]);
  }, 40_000);

  it('a local command that fails exits 1', async () => {
    const r = await cli(['query', 'SELECT * FROM no_such_table', '--data-dir', dataDir]);
    expect(r.code).toBe(1);
    expect(ownLines(r.stderr)).toEqual([expect.stringMatching(/^wa-analytics: query error: .*no_such_table/)]);
  }, 40_000);
});

describe('exit codes on the command line: stage commands against a loopback AWS', () => {
  let aws: LoopbackAws;
  beforeAll(async () => {
    aws = await startLoopbackAws();
  });
  afterAll(() => aws.close());
  beforeEach(() => {
    aws.seen.length = 0;
  });

  it('status exits 1 when CloudFormation refuses DescribeStacks', async () => {
    aws.answer = queryError(403, 'AccessDenied', 'User: arn:aws:iam::123456789012:user/ops is not authorized to perform: cloudformation:DescribeStacks');
    const r = await cli(['status', '--stage', 'prod', '--region', 'eu-west-1'], aws.endpoint);
    expect(r.code).toBe(1);
    expect(ownLines(r.stderr)).toEqual([
      'wa-analytics: aws error: reading stack wa-analytics-prod failed: AccessDenied: User: arn:aws:iam::123456789012:user/ops is not authorized to perform: cloudformation:DescribeStacks',
    ]);
  }, 40_000);

  it('requeue exits 1 when S3 answers an empty 403, and says why it likely did', async () => {
    aws.answer = byCall({ DescribeStacks: describeStacksAnswer('wa-analytics-prod', outputs) }, emptyAnswer(403));
    const r = await cli(['requeue', '--stage', 'prod', '--region', 'eu-west-1', '--from', '2024-06-10', '--to', '2024-06-10', '--yes'], aws.endpoint);
    expect(r.code).toBe(1);
    expect(ownLines(r.stderr)).toEqual([expect.stringMatching(/^wa-analytics: aws error: listing s3:\/\/wa-analytics-prod-data-123\/raw\/events\/dt=2024-06-10\/ failed: HTTP 403 Forbidden with no error code in the answer: access denied: /)]);
    expect(aws.seen.some((s) => s.method === 'GET' && s.url.includes('list-type=2'))).toBe(true);
  }, 40_000);

  it('replay --stage exits 1 when Firehose refuses the stream', async () => {
    aws.answer = jsonError(400, 'ResourceNotFoundException', 'Firehose wa-analytics-prod-raw under account 123456789012 not found.');
    const r = await cli(['replay', join(repoRoot, 'tests/fixtures/meta/text.json'), '--stage', 'prod', '--stream', 'wa-analytics-prod-raw', '--region', 'eu-west-1'], aws.endpoint);
    expect(r.code).toBe(1);
    expect(aws.seen.map((s) => s.target)).toEqual(['Firehose_20150804.PutRecordBatch']);
    expect(ownLines(r.stderr).at(-1)).toMatch(/^wa-analytics: (aws|replay) error: .*Firehose PutRecordBatch into wa-analytics-prod-raw failed: ResourceNotFoundException: /);
  }, 40_000);

  it('backfill --stage exits 1 when an execution fails, naming the date', async () => {
    aws.answer = byCall({
      DescribeStacks: describeStacksAnswer('wa-analytics-prod', outputs),
      StartExecution: jsonAnswer({ executionArn: 'arn:aws:states:eu-west-1:123456789012:execution:wa-analytics-prod-daily:backfill-2024-06-01-x', startDate: 1717200000 }),
      DescribeExecution: jsonAnswer({ status: 'FAILED', error: 'DailyWorkflowFailed', cause: 'A step failed after its retries' }),
    });
    const r = await cli(['backfill', '--stage', 'prod', '--region', 'eu-west-1', '--from', '2024-06-01', '--to', '2024-06-02'], aws.endpoint);
    expect(r.code).toBe(1);
    expect(ownLines(r.stderr)).toEqual(['wa-analytics: workflow error: backfill stopped at 2024-06-01 (0 of 2 dates done): FAILED DailyWorkflowFailed: A step failed after its retries']);
  }, 40_000);
});
