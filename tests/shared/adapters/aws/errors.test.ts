import { AthenaClient, StartQueryExecutionCommand } from '@aws-sdk/client-athena';
import { GetPartitionsCommand, GlueClient } from '@aws-sdk/client-glue';
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { awsFailure, awsFailureKind, classifyAwsError, describeAwsError } from '../../../../shared/adapters/aws/errors';
import { AwsError, ConfigError } from '../../../../shared/errors';
import { ThrottlingError, TransientError } from '../../../../shared/ports/retryable';
import { emptyAnswer, jsonError, loopbackClientConfig, startLoopbackAws, type Answer, type LoopbackAws } from '../../../support/loopback-aws';

// Real SDK errors: each case is what the SDK raises for a service answering this way.
let aws: LoopbackAws;
beforeAll(async () => {
  aws = await startLoopbackAws();
});
afterAll(() => aws.close());

async function glueError(answer: Answer): Promise<unknown> {
  aws.answer = answer;
  return new GlueClient(loopbackClientConfig(aws.endpoint)).send(new GetPartitionsCommand({ DatabaseName: 'd', TableName: 't' })).catch((e: unknown) => e);
}

async function athenaError(answer: Answer): Promise<unknown> {
  aws.answer = answer;
  return new AthenaClient(loopbackClientConfig(aws.endpoint)).send(new StartQueryExecutionCommand({ QueryString: 'SELECT 1' })).catch((e: unknown) => e);
}

async function s3HeadError(answer: Answer): Promise<unknown> {
  aws.answer = answer;
  return new S3Client(loopbackClientConfig(aws.endpoint)).send(new HeadObjectCommand({ Bucket: 'b', Key: 'k' })).catch((e: unknown) => e);
}

describe('AWS failure classification (the SDK rules)', () => {
  it('calls throttling answers throttling: ThrottlingException, TooManyRequestsException, a bare 429', async () => {
    expect(awsFailureKind(await glueError(jsonError(400, 'ThrottlingException', 'Rate exceeded')))).toBe('throttling');
    expect(awsFailureKind(await athenaError(jsonError(400, 'TooManyRequestsException', 'Rate exceeded')))).toBe('throttling');
    expect(awsFailureKind(await glueError(emptyAnswer(429)))).toBe('throttling');
  });

  it('calls 5xx answers and a refused connection transient', async () => {
    expect(awsFailureKind(await athenaError(jsonError(500, 'InternalServerException', 'internal error')))).toBe('transient');
    expect(awsFailureKind(await glueError(emptyAnswer(503)))).toBe('transient');
    expect(awsFailureKind(await glueError(emptyAnswer(501)))).toBe('transient');
    // What the SDK rethrows for a refused connection in plain Node (checked there: under Jest the
    // socket error comes from another realm and the SDK wraps it, dropping `code`).
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED', $metadata: { attempts: 1, totalRetryDelay: 0 } });
    expect(awsFailureKind(refused)).toBe('transient');
  });

  it('calls refusals and bad requests permanent', async () => {
    expect(awsFailureKind(await glueError(jsonError(400, 'AccessDeniedException', 'not authorized')))).toBe('permanent');
    expect(awsFailureKind(await athenaError(jsonError(400, 'InvalidRequestException', 'syntax error')))).toBe('permanent');
    expect(awsFailureKind(await s3HeadError(emptyAnswer(403)))).toBe('permanent');
    expect(awsFailureKind('a string')).toBe('permanent');
  });

  it("reads Glue's per-partition error codes, which come without an HTTP status", () => {
    const item = (code: string) => Object.assign(new Error('detail'), { name: code });
    expect(awsFailureKind(item('ThrottlingException'))).toBe('throttling');
    expect(awsFailureKind(item('InternalServiceException'))).toBe('transient');
    expect(awsFailureKind(item('EntityNotFoundException'))).toBe('permanent');
  });

  it('turns them into the classes the workflow retries, or an AwsError', async () => {
    expect(classifyAwsError('Glue GetPartitions t', await glueError(jsonError(400, 'ThrottlingException', 'Rate exceeded')))).toBeInstanceOf(ThrottlingError);
    const transient = classifyAwsError('Athena StartQueryExecution', await athenaError(emptyAnswer(503)));
    expect(transient).toBeInstanceOf(TransientError);
    expect(transient.message).toBe('Athena StartQueryExecution: HTTP 503 Service Unavailable with no error code in the answer: a service-side failure; trying again later may succeed');
    const denied = classifyAwsError('Glue GetPartitions t', await glueError(jsonError(400, 'AccessDeniedException', 'User is not authorized to perform: glue:GetPartitions')));
    expect(denied).toBeInstanceOf(AwsError);
    expect(denied.message).toBe('Glue GetPartitions t: AccessDeniedException: User is not authorized to perform: glue:GetPartitions');
  });
});

describe('AWS failure lines', () => {
  it('names the HTTP status and the likely cause of an empty-body 403 instead of UnknownError', async () => {
    const error = await s3HeadError(emptyAnswer(403));
    // What the SDK itself makes of it.
    expect(error).toMatchObject({ name: 'Unknown', message: 'UnknownError', $metadata: { httpStatusCode: 403 } });
    const line = describeAwsError(error);
    expect(line).toMatch(/^HTTP 403 Forbidden with no error code in the answer: access denied: /);
    expect(line).toContain('KMS key policy');
    expect(line).toContain('s3:ListBucket');
    expect(line).not.toMatch(/Unknown/);
  });

  it('makes missing credentials and a missing region configuration errors, the rest AWS errors', () => {
    const noCredentials = Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' });
    expect(awsFailure('reading stack s', noCredentials)).toBeInstanceOf(ConfigError);
    expect(awsFailure('reading stack s', new Error('Region is missing'))).toEqual(new ConfigError('no AWS region for reading stack s: pass --region or set AWS_REGION'));
    const other = awsFailure('reading stack s', Object.assign(new Error('Rate exceeded'), { name: 'Throttling' }));
    expect(other).toBeInstanceOf(AwsError);
    expect(other.message).toBe('reading stack s failed: Throttling: Rate exceeded');
  });
});
