import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadTemplate, routes } from '../../services/ingest/routes';
import { databaseName, glueTableColumns, tables } from '../../shared/schema';
import { packageStage, repoRoot, resourcesOfType, zipEntries, type Template } from './package';

let dir: string;
let prod: Template;
let dev: Template;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wa-stack-'));
  // One after the other: both runs share serverless-esbuild's work folder in the repository.
  prod = await packageStage('prod', join(dir, 'prod'));
  dev = await packageStage('dev', join(dir, 'dev'));
}, 180_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const res = (t: Template, id: string) => {
  const r = t.Resources[id];
  if (!r) throw new Error(`no resource ${id}`);
  return r;
};

/** Resource path of each API Gateway Resource, from its PathPart and parent chain. */
function apiPaths(t: Template): Map<string, string> {
  const paths = new Map<string, string>();
  const pathOf = (id: string): string => {
    const known = paths.get(id);
    if (known !== undefined) return known;
    const { ParentId, PathPart } = res(t, id).Properties;
    const parent = ParentId.Ref ? pathOf(ParentId.Ref) : '';
    paths.set(id, `${parent}/${PathPart}`);
    return paths.get(id)!;
  };
  for (const [id] of resourcesOfType(t, 'AWS::ApiGateway::Resource')) pathOf(id);
  return paths;
}

function method(t: Template, httpMethod: string, path: string) {
  const paths = apiPaths(t);
  const found = resourcesOfType(t, 'AWS::ApiGateway::Method').filter(
    ([, m]) => m.Properties.HttpMethod === httpMethod && paths.get(m.Properties.ResourceId.Ref) === path,
  );
  expect(found).toHaveLength(1);
  return found[0]![1].Properties;
}

const firehose = () => res(prod, 'DeliveryStream').Properties.ExtendedS3DestinationConfiguration;
const asList = <T>(x: T | T[]): T[] => (Array.isArray(x) ? x : [x]);

/** Every statement of every IAM role's inline policies, with the role's logical id. */
function roleStatements(t: Template): { role: string; statement: any }[] {
  return resourcesOfType(t, 'AWS::IAM::Role').flatMap(([role, r]) =>
    (r.Properties.Policies ?? []).flatMap((p: any) => asList(p.PolicyDocument.Statement).map((statement: any) => ({ role, statement }))),
  );
}

describe('ingest API', () => {
  test.each(routes.filter((r) => r.method === 'POST').map((r) => [r.path, r] as const))(
    'POST %s is an AWS integration to Firehose PutRecord rendering the route template files',
    (path, route) => {
      const m = method(prod, 'POST', path);
      expect(m.Integration.Type).toBe('AWS');
      expect(m.Integration.IntegrationHttpMethod).toBe('POST');
      expect(m.Integration.Uri['Fn::Sub']).toMatch(/:apigateway:\$\{AWS::Region\}:firehose:action\/PutRecord$/);
      expect(m.Integration.Credentials).toEqual({ 'Fn::GetAtt': ['ApiFirehoseRole', 'Arn'] });
      expect(m.Integration.PassthroughBehavior).toBe('NEVER');
      expect(m.Integration.RequestTemplates).toEqual({
        'application/json': { 'Fn::Sub': [loadTemplate(route.requestTemplate), { DeliveryStreamName: { Ref: 'DeliveryStream' } }] },
      });
      expect(m.Integration.IntegrationResponses).toEqual(
        route.integrationResponses.map((r) => ({
          ...(r.selectionPattern === null ? {} : { SelectionPattern: r.selectionPattern }),
          StatusCode: String(r.statusCode),
          ResponseTemplates: { [r.contentType]: loadTemplate(r.template) },
        })),
      );
    },
  );

  test('only /sends requires IAM authorization', () => {
    expect(method(prod, 'POST', '/sends').AuthorizationType).toBe('AWS_IAM');
    expect(method(prod, 'POST', '/webhooks/meta').AuthorizationType).toBe('NONE');
    expect(method(prod, 'POST', '/webhooks/wasender').AuthorizationType).toBe('NONE');
  });

  test("Meta's GET handshake is a MOCK whose token is an SSM dynamic reference, never a value", () => {
    const m = method(prod, 'GET', '/webhooks/meta');
    expect(m.Integration.Type).toBe('MOCK');
    expect(m.Integration.Credentials).toBeUndefined();
    expect(m.Integration.RequestTemplates['application/json']).toEqual({
      'Fn::Sub': [loadTemplate('meta-verify.request.vtl'), { VerifyToken: '{{resolve:ssm:/wa-analytics/prod/verify-token}}' }],
    });
    expect(m.Integration.IntegrationResponses).toEqual([
      { SelectionPattern: '200', StatusCode: '200', ResponseTemplates: { 'text/plain': loadTemplate('meta-verify-challenge.response.vtl') } },
      { StatusCode: '403', ResponseTemplates: { 'application/json': loadTemplate('meta-verify-forbidden.response.vtl') } },
    ]);
  });

  test('the stage throttles every method from the stage parameters and logs access to its log group', () => {
    const stage = res(prod, 'ApiStage').Properties;
    expect(stage.MethodSettings).toEqual([
      expect.objectContaining({ HttpMethod: '*', ResourcePath: '/*', ThrottlingRateLimit: 500, ThrottlingBurstLimit: 1000, DataTraceEnabled: false }),
    ]);
    expect(res(dev, 'ApiStage').Properties.MethodSettings[0]).toMatchObject({ ThrottlingRateLimit: 20, ThrottlingBurstLimit: 40 });
    expect(stage.AccessLogSetting.DestinationArn).toEqual({ 'Fn::GetAtt': ['ApiAccessLogGroup', 'Arn'] });
    expect(stage.DeploymentId.Ref).toMatch(/^ApiDeployment[0-9a-f]{12}$/);
    expect(res(prod, stage.DeploymentId.Ref).DependsOn).toEqual(routes.map((r) => `ApiMethod${r.id}`));
  });
});

describe('IAM', () => {
  test("the API's role may only firehose:PutRecord on the stage's stream", () => {
    const role = res(prod, 'ApiFirehoseRole').Properties;
    expect(role.ManagedPolicyArns).toBeUndefined();
    const statements = roleStatements(prod).filter((s) => s.role === 'ApiFirehoseRole').map((s) => s.statement);
    expect(statements).toEqual([{ Effect: 'Allow', Action: 'firehose:PutRecord', Resource: { 'Fn::GetAtt': ['DeliveryStream', 'Arn'] } }]);
  });

  test('no role statement allows a wildcard action or a bare * resource', () => {
    const statements = roleStatements(prod);
    expect(statements.length).toBeGreaterThan(10);
    for (const { role, statement } of statements) {
      for (const action of asList(statement.Action)) expect(`${role}: ${action}`).not.toMatch(/(^|:)[^:]*\*$/);
      for (const resource of asList(statement.Resource)) expect(`${role}: ${JSON.stringify(resource)}`).not.toBe(`${role}: "*"`);
    }
    expect(resourcesOfType(prod, 'AWS::IAM::ManagedPolicy')).toEqual([]);
  });

  test("resource policies allow no wildcard action; the key's only one is the default delegation to IAM", () => {
    const policies = [
      ...resourcesOfType(prod, 'AWS::S3::BucketPolicy').map(([, r]) => r.Properties.PolicyDocument),
      ...resourcesOfType(prod, 'AWS::SNS::TopicPolicy').map(([, r]) => r.Properties.PolicyDocument),
      res(prod, 'DataKey').Properties.KeyPolicy,
    ];
    const wildcardAllows = policies
      .flatMap((p) => asList(p.Statement))
      .filter((s: any) => s.Effect === 'Allow' && asList(s.Action).some((a: string) => a.endsWith('*')));
    expect(wildcardAllows).toEqual([expect.objectContaining({ Sid: 'DelegateToIam', Action: 'kms:*' })]);
    expect(wildcardAllows[0].Principal.AWS['Fn::Sub']).toMatch(/:iam::\$\{AWS::AccountId\}:root$/);
  });
});

describe('delivery stream', () => {
  test('buffers per stage: 5 MB / 60 s in prod, smaller in dev', () => {
    expect(firehose().BufferingHints).toEqual({ SizeInMBs: 5, IntervalInSeconds: 60 });
    expect(res(dev, 'DeliveryStream').Properties.ExtendedS3DestinationConfiguration.BufferingHints).toEqual({ SizeInMBs: 1, IntervalInSeconds: 30 });
  });

  test('writes gzip under arrival-date partitions in the stage time zone, errors apart', () => {
    const s3 = firehose();
    expect(s3.Prefix).toBe(`${tables.raw_events.prefix}dt=!{timestamp:yyyy-MM-dd}/`);
    expect(s3.ErrorOutputPrefix).toBe('raw/errors/!{firehose:error-output-type}/dt=!{timestamp:yyyy-MM-dd}/');
    expect(s3.CustomTimeZone).toBe('UTC');
    expect(s3.CompressionFormat).toBe('GZIP');
    expect(res(prod, 'DeliveryStream').Properties.DeliveryStreamType).toBe('DirectPut');
  });

  test('processes every batch with the transform Lambda in 1 MB batches', () => {
    const [processor, ...others] = firehose().ProcessingConfiguration.Processors;
    expect(others).toEqual([]);
    const params = Object.fromEntries(processor.Parameters.map((p: any) => [p.ParameterName, p.ParameterValue]));
    expect(processor.Type).toBe('Lambda');
    expect(params).toMatchObject({ LambdaArn: { 'Fn::GetAtt': ['TransformLambdaFunction', 'Arn'] }, BufferSizeInMBs: '1' });
    expect(Number(params.NumberOfRetries)).toBeGreaterThan(0);
  });
});

describe('transform Lambda', () => {
  test('runs nodejs22.x with secrets passed as SSM parameter names only', () => {
    const fn = res(prod, 'TransformLambdaFunction').Properties;
    expect(resourcesOfType(prod, 'AWS::Lambda::Function').map(([, f]) => f.Properties.Runtime)).toEqual(['nodejs22.x']);
    expect(fn.Handler).toBe('services/transform/handler.handler');
    expect(fn.Environment.Variables).toEqual({
      WA_TIMEZONE: 'UTC',
      WA_PII: 'hash',
      WA_APP_SECRET_PARAM: '/wa-analytics/prod/meta-app-secret',
      WASENDER_SECRET_PARAM: '/wa-analytics/prod/wasender-webhook-secret',
      WA_PII_KEY_PARAM: '/wa-analytics/prod/pii-key',
      POWERTOOLS_SERVICE_NAME: 'wa-analytics',
      POWERTOOLS_METRICS_NAMESPACE: 'WaAnalytics/prod',
    });
  });

  test('the template holds no secret: its only dynamic reference is the verify token parameter', () => {
    const text = JSON.stringify(prod);
    expect(text.match(/\{\{resolve:[^}]*\}\}/g)).toEqual(['{{resolve:ssm:/wa-analytics/prod/verify-token}}']);
    expect(text).not.toMatch(/ssm-secure|secretsmanager|NoEcho/);
  });

  test('the bundle is one minified file of at most 250 KB that leaves the AWS SDK to the runtime', () => {
    const entries = zipEntries(readFileSync(join(dir, 'prod', 'transform.zip')));
    expect(Object.keys(entries)).toEqual(['services/transform/handler.js']);
    const bundle = entries['services/transform/handler.js']!;
    expect(bundle.length).toBeLessThanOrEqual(250 * 1024);
    const code = bundle.toString('utf8');
    expect(code).toMatch(/require\("@aws-sdk\/client-ssm"\)/);
    expect(code).not.toMatch(/sourceMappingURL/);
    expect(code.split('\n').length).toBeLessThan(50);
  });
});

describe('catalog', () => {
  test('raw_events is the one schema as an external OpenX JSON table over raw/events/', () => {
    expect(res(prod, 'GlueDatabase').Properties.DatabaseInput.Name).toBe(databaseName);
    const input = res(prod, 'GlueTableRawEvents').Properties.TableInput;
    const { Columns, PartitionKeys } = glueTableColumns(tables.raw_events);
    expect(input.Name).toBe('raw_events');
    expect(input.TableType).toBe('EXTERNAL_TABLE');
    expect(input.PartitionKeys).toEqual(PartitionKeys);
    expect(input.StorageDescriptor.Columns).toEqual(Columns);
    expect(input.StorageDescriptor.SerdeInfo.SerializationLibrary).toBe('org.openx.data.jsonserde.JsonSerDe');
    expect(input.StorageDescriptor.InputFormat).toBe('org.apache.hadoop.mapred.TextInputFormat');
    expect(input.StorageDescriptor.Location).toEqual({ 'Fn::Sub': 's3://${DataBucket}/raw/events/' });
  });

  test('a second stage gets its own database so it cannot collide with prod in one account', () => {
    expect(res(dev, 'GlueDatabase').Properties.DatabaseInput.Name).toBe(`${databaseName}_dev`);
  });
});

describe('storage and alarms', () => {
  test('every bucket is KMS- or S3-encrypted, private and TLS-only', () => {
    const buckets = resourcesOfType(prod, 'AWS::S3::Bucket').map(([id]) => id);
    expect(buckets.sort()).toEqual(['AccessLogsBucket', 'DataBucket', 'ServerlessDeploymentBucket']);
    expect(res(prod, 'DataBucket').Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault).toEqual({
      SSEAlgorithm: 'aws:kms',
      KMSMasterKeyID: { 'Fn::GetAtt': ['DataKey', 'Arn'] },
    });
    const tlsOnly = resourcesOfType(prod, 'AWS::S3::BucketPolicy').filter(([, p]) =>
      asList(p.Properties.PolicyDocument.Statement).some(
        (s: any) => s.Effect === 'Deny' && s.Action === 's3:*' && s.Condition?.Bool?.['aws:SecureTransport'] === 'false',
      ),
    );
    expect(tlsOnly.map(([, p]) => p.Properties.Bucket.Ref).sort()).toEqual(buckets.sort());
    for (const id of buckets) expect(Object.values(res(prod, id).Properties.PublicAccessBlockConfiguration)).toEqual([true, true, true, true]);
  });

  test('the five operational alarms notify the encrypted alarm topic', () => {
    const alarms = resourcesOfType(prod, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties);
    expect(alarms.map((a) => a.MetricName).sort()).toEqual(
      ['5XXError', 'DeliveryToS3.DataFreshness', 'DeliveryToS3.Success', 'Errors', 'ExecuteProcessing.Success'].sort(),
    );
    for (const a of alarms) expect(a.AlarmActions).toEqual([{ Ref: 'AlarmTopic' }]);
    expect(res(prod, 'AlarmTopic').Properties.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': ['DataKey', 'Arn'] });
  });

  test('outputs name the stream, bucket, API URL, Glue database and region', () => {
    expect(Object.keys(prod.Outputs ?? {})).toEqual(
      expect.arrayContaining(['DeliveryStreamName', 'DataBucketName', 'ApiUrl', 'GlueDatabaseName', 'Region']),
    );
  });
});

test('the Control Tower rules pass on the prod template, honouring only written suppressions', () => {
  const output = execFileSync(
    'node',
    ['scripts/cfn-guard.cjs', join(dir, 'prod', 'cloudformation-template-update-stack.json'), 's3', 'apigateway', 'lambda', 'cloudwatch', 'keymanagementservice', 'identityandaccessmanagement'],
    { cwd: repoRoot, encoding: 'utf8' },
  );
  expect(output).toMatch(/FAIL 0,/);
  expect(output).toMatch(/PASS  CT\.S3\.PR\.10 /);
});
