import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { definitionPlaceholders, definitionText, retryableErrorsPlaceholder, substituteDefinition } from '../../services/daily/definition';
import { retryableErrorNames } from '../../shared/ports/retryable';
import { loadTemplate, routes } from '../../services/ingest/routes';
import { databaseName, glueTableColumns, tables } from '../../shared/schema';
import { queriesDir } from '../../shared/sql/render';
import { tutorialViewDdl } from '../../shared/sql/views';
import { packagedStage, repoRoot, resourcesOfType, zipEntries, type Template } from './package';

let prodDir: string;
let prod: Template;
let dev: Template;

beforeAll(async () => {
  // Packaged once per test run, shared with the other stack tests (tests/stack/package.ts).
  ({ dir: prodDir, template: prod } = await packagedStage('prod'));
  ({ template: dev } = await packagedStage('dev'));
}, 300_000);

const res = (t: Template, id: string) => {
  const r = t.Resources[id];
  if (!r) throw new Error(`no resource ${id}`);
  return r;
};

/** The stage's execute-api base URL as resources/api.cjs builds it (the Twilio routes' default base). */
const executeApiUrl = (stage: string): { 'Fn::Join': [string, unknown[]] } => ({
  'Fn::Join': ['', ['https://', { Ref: 'RestApi' }, '.execute-api.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }, `/${stage}`]],
});

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

/** Actions that only exist on Resource "*" and that Step Functions logging / X-Ray tracing need. */
const stateMachineLogDeliveryActions = [
  'logs:CreateLogDelivery',
  'logs:GetLogDelivery',
  'logs:UpdateLogDelivery',
  'logs:DeleteLogDelivery',
  'logs:ListLogDeliveries',
  'logs:PutResourcePolicy',
  'logs:DescribeResourcePolicies',
  'logs:DescribeLogGroups',
] as const;
const stateMachineTracingActions = ['xray:PutTraceSegments', 'xray:PutTelemetryRecords', 'xray:GetSamplingRules', 'xray:GetSamplingTargets'] as const;
const asList = <T>(x: T | T[]): T[] => (Array.isArray(x) ? x : [x]);
/** `daily_ctr` -> `GlueTableDailyCtr` (resources/catalog.cjs). */
const glueTableId = (name: string) => `GlueTable${name.replace(/(^|_)([a-z0-9])/g, (_m, _s, c: string) => c.toUpperCase())}`;
/** The Presto view JSON inside a Glue view's ViewOriginalText. */
function prestoView(text: string): any {
  const m = /^\/\* Presto View: ([A-Za-z0-9+/=]+) \*\/$/.exec(text);
  if (!m) throw new Error(`not a Presto view: ${text.slice(0, 40)}`);
  return JSON.parse(Buffer.from(m[1]!, 'base64').toString('utf8'));
}

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
      // The body is a binary media type handed to the template as base64: any bytes survive.
      expect(m.Integration.ContentHandling).toBe('CONVERT_TO_TEXT');
      // The Twilio template also starts the URL Twilio signed with the stage's base URL.
      const values = route.source === 'twilio' ? { DeliveryStreamName: { Ref: 'DeliveryStream' }, TwilioBaseUrl: executeApiUrl('prod') } : { DeliveryStreamName: { Ref: 'DeliveryStream' } };
      expect(m.Integration.RequestTemplates).toEqual(Object.fromEntries(route.requestContentTypes.map((type) => [type, { 'Fn::Sub': [loadTemplate(route.requestTemplate), values] }])));
      expect(m.Integration.IntegrationResponses).toEqual(
        route.integrationResponses.map((r) => ({
          ...(r.selectionPattern === null ? {} : { SelectionPattern: r.selectionPattern }),
          StatusCode: String(r.statusCode),
          ContentHandling: 'CONVERT_TO_TEXT',
          ResponseTemplates: { [r.contentType]: loadTemplate(r.template) },
        })),
      );
    },
  );

  test('webhook bodies (JSON, and the forms Twilio posts) are binary media types, and Firehose answers are not', () => {
    const types: string[] = res(prod, 'RestApi').Properties.BinaryMediaTypes;
    expect(types).toEqual(['application/json', 'application/x-www-form-urlencoded']);
    // A */* entry would make Firehose's own application/x-amz-json-1.1 answers binary as well.
    expect(types.some((t) => t.startsWith('*'))).toBe(false);
  });

  test('a 413 is counted from the access log and alarms', () => {
    const [, filter] = resourcesOfType(prod, 'AWS::Logs::MetricFilter').find(([id]) => id === 'ApiTooLargeMetricFilter')!;
    expect(filter.Properties).toMatchObject({ LogGroupName: { Ref: 'ApiAccessLogGroup' }, FilterPattern: '{ $.status = "413" }' });
    expect(filter.Properties.MetricTransformations).toEqual([{ MetricNamespace: 'WaAnalytics/prod', MetricName: 'ApiTooLargeRequests', MetricValue: '1', Unit: 'Count' }]);
    expect(res(prod, 'ApiTooLargeAlarm').Properties).toMatchObject({ Namespace: 'WaAnalytics/prod', MetricName: 'ApiTooLargeRequests', Threshold: 1, Statistic: 'Sum' });
    // The access log format has the status field the filter reads.
    expect(res(prod, 'ApiStage').Properties.AccessLogSetting.Format).toContain('"status":"$context.status"');
  });

  test('only our own routes, /sends and /conversions, require IAM authorization', () => {
    expect(method(prod, 'POST', '/sends').AuthorizationType).toBe('AWS_IAM');
    expect(method(prod, 'POST', '/conversions').AuthorizationType).toBe('AWS_IAM');
    expect(method(prod, 'POST', '/webhooks/meta').AuthorizationType).toBe('NONE');
    expect(method(prod, 'POST', '/webhooks/wasender').AuthorizationType).toBe('NONE');
    expect(method(prod, 'POST', '/webhooks/twilio').AuthorizationType).toBe('NONE');
    expect(method(prod, 'POST', '/webhooks/twilio/status').AuthorizationType).toBe('NONE');
    expect(method(prod, 'GET', '/webhooks/meta').AuthorizationType).toBe('NONE');
  });

  test('POST /conversions puts into the same stream as the webhooks, through the same role and template', () => {
    const conversions = method(prod, 'POST', '/conversions').Integration;
    const meta = method(prod, 'POST', '/webhooks/meta').Integration;
    expect(conversions.Uri).toEqual({ 'Fn::Sub': 'arn:${AWS::Partition}:apigateway:${AWS::Region}:firehose:action/PutRecord' });
    expect(conversions.Credentials).toEqual({ 'Fn::GetAtt': ['ApiFirehoseRole', 'Arn'] });
    expect(conversions.RequestTemplates).toEqual(meta.RequestTemplates);
    expect(conversions.RequestTemplates['application/json']['Fn::Sub'][1]).toEqual({ DeliveryStreamName: { Ref: 'DeliveryStream' } });
    // The template files the record's source by the resource path.
    expect(conversions.RequestTemplates['application/json']['Fn::Sub'][0]).toContain("#elseif($context.resourcePath == '/conversions')\n#set($source = 'conversions')");
  });

  test('each IAM route has an output naming the execute-api:Invoke resource a caller needs, and the README grants exactly those', () => {
    const iamRoutes = routes.filter((r) => r.authorization === 'AWS_IAM');
    for (const route of iamRoutes) {
      expect(prod.Outputs?.[`${route.id}InvokeArn`]?.Value).toEqual({
        'Fn::Sub': `arn:\${AWS::Partition}:execute-api:\${AWS::Region}:\${AWS::AccountId}:\${RestApi}/\${ApiStage}/POST${route.path}`,
      });
    }
    expect(Object.keys(prod.Outputs ?? {}).filter((k) => k.endsWith('InvokeArn')).sort()).toEqual(iamRoutes.map((r) => `${r.id}InvokeArn`).sort());
    const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('### Sender IAM policy'));
    const block = /```json\n([\s\S]*?)\n```/.exec(section);
    expect(block).not.toBeNull();
    const statements = (JSON.parse(block![1]!) as { Statement: { Effect: string; Action: string; Resource: string[] }[] }).Statement;
    expect(statements.map((s) => [s.Effect, s.Action])).toEqual([['Allow', 'execute-api:Invoke']]);
    expect(statements[0]!.Resource).toEqual(iamRoutes.map((r) => `arn:aws:execute-api:<region>:<account>:<api-id>/<stage>/POST${r.path}`));
  });

  test('the Twilio routes accept forms and JSON, answer a stored record with TwiML, and their URLs are outputs to paste into the Twilio console', () => {
    for (const [path, output] of [['/webhooks/twilio', 'TwilioWebhookUrl'], ['/webhooks/twilio/status', 'TwilioStatusUrl']] as const) {
      const m = method(prod, 'POST', path);
      expect(Object.keys(m.Integration.RequestTemplates)).toEqual(['application/x-www-form-urlencoded', 'application/json']);
      expect(m.Integration.IntegrationResponses[0]).toMatchObject({ StatusCode: '200', ResponseTemplates: { 'text/xml': loadTemplate('twilio-ok.response.vtl') } });
      expect(m.MethodResponses.map((r: { StatusCode: string }) => r.StatusCode)).toEqual(['200', '413', '500', '503']);
      // The default base (twilioBaseUrl empty) is the stage's own execute-api URL, the ApiUrl output's.
      expect(prod.Outputs?.[output]?.Value).toEqual({ 'Fn::Join': ['', [...executeApiUrl('prod')['Fn::Join'][1], path]] });
      expect(dev.Outputs?.[output]?.Value).toEqual({ 'Fn::Join': ['', [...executeApiUrl('dev')['Fn::Join'][1], path]] });
    }
  });

  test("Meta's GET handshake is a MOCK whose token is an SSM dynamic reference, never a value", () => {
    const m = method(prod, 'GET', '/webhooks/meta');
    expect(m.Integration.Type).toBe('MOCK');
    expect(m.Integration.Credentials).toBeUndefined();
    expect(m.Integration.RequestTemplates['application/json']).toEqual({
      'Fn::Sub': [loadTemplate('meta-verify.request.vtl'), { VerifyToken: '{{resolve:ssm:/wa-analytics/prod/verify-token}}' }],
    });
    expect(m.Integration.IntegrationResponses).toEqual([
      { SelectionPattern: '200', StatusCode: '200', ContentHandling: 'CONVERT_TO_TEXT', ResponseTemplates: { 'text/plain': loadTemplate('meta-verify-challenge.response.vtl') } },
      { StatusCode: '403', ContentHandling: 'CONVERT_TO_TEXT', ResponseTemplates: { 'application/json': loadTemplate('meta-verify-forbidden.response.vtl') } },
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
    // The ingest routes and the signed report links' GET /reports/{date} (tests/stack/reports.test.ts).
    expect(res(prod, stage.DeploymentId.Ref).DependsOn).toEqual([...routes.map((r) => `ApiMethod${r.id}`), 'ApiMethodReportLinkGet']);
  });
});

describe('IAM', () => {
  test("the API's role may only firehose:PutRecord on the stage's stream", () => {
    const role = res(prod, 'ApiFirehoseRole').Properties;
    expect(role.ManagedPolicyArns).toBeUndefined();
    const statements = roleStatements(prod).filter((s) => s.role === 'ApiFirehoseRole').map((s) => s.statement);
    expect(statements).toEqual([{ Effect: 'Allow', Action: 'firehose:PutRecord', Resource: { 'Fn::GetAtt': ['DeliveryStream', 'Arn'] } }]);
  });

  test('no role statement allows a wildcard action or a bare * resource (except the APIs that have no resources)', () => {
    const statements = roleStatements(prod);
    expect(statements.length).toBeGreaterThan(10);
    const bareStar: { role: string; actions: string[] }[] = [];
    for (const { role, statement } of statements) {
      for (const action of asList(statement.Action)) expect(`${role}: ${action}`).not.toMatch(/(^|:)[^:]*\*$/);
      if (asList(statement.Resource).some((r) => r === '*')) bareStar.push({ role, actions: asList(statement.Action) });
    }
    // The one exception: the state machine's log delivery (CloudWatch Logs vended-log delivery APIs)
    // and X-Ray tracing. AWS documents Resource "*" for these actions: they support no resource-level
    // permissions. Exactly these actions, only on the state machine's role.
    expect(bareStar).toEqual([
      { role: 'DailyStateMachineRole', actions: [...stateMachineLogDeliveryActions] },
      { role: 'DailyStateMachineRole', actions: [...stateMachineTracingActions] },
    ]);
    expect(resourcesOfType(prod, 'AWS::IAM::ManagedPolicy')).toEqual([]);
    expect(resourcesOfType(prod, 'AWS::IAM::Policy')).toEqual([]);
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
    expect(new Set(resourcesOfType(prod, 'AWS::Lambda::Function').map(([, f]) => f.Properties.Runtime))).toEqual(new Set(['nodejs22.x']));
    expect(fn.Role).toEqual({ 'Fn::GetAtt': ['IamRoleLambdaExecution', 'Arn'] });
    expect(fn.Handler).toBe('services/transform/handler.handler');
    expect(fn.Environment.Variables).toEqual({
      WA_TIMEZONE: 'UTC',
      WA_PII: 'hash',
      WA_APP_SECRET_PARAM: '/wa-analytics/prod/meta-app-secret',
      WASENDER_SECRET_PARAM: '/wa-analytics/prod/wasender-webhook-secret',
      TWILIO_AUTH_TOKEN_PARAM: '/wa-analytics/prod/twilio-auth-token',
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
    const entries = zipEntries(readFileSync(join(prodDir, 'transform.zip')));
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

  test.each(['events', 'daily_ctr', 'daily_conversions', 'daily_experiments', 'experiments', 'anomalies'] as const)('%s is the one schema as an external Parquet table over its curated prefix', (name) => {
    const input = res(prod, glueTableId(name)).Properties.TableInput;
    const { Columns, PartitionKeys } = glueTableColumns(tables[name]);
    expect(input.Name).toBe(name);
    expect(input.TableType).toBe('EXTERNAL_TABLE');
    expect(input.PartitionKeys).toEqual(PartitionKeys);
    expect(input.StorageDescriptor.Columns).toEqual(Columns);
    expect(input.StorageDescriptor.SerdeInfo.SerializationLibrary).toBe('org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe');
    expect(input.StorageDescriptor.InputFormat).toBe('org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat');
    expect(input.StorageDescriptor.Location).toEqual({ 'Fn::Sub': `s3://\${DataBucket}/${tables[name].prefix}` });
    expect(tables[name].prefix).toMatch(/^curated\//);
  });

  test('button_clicks is an Athena view in Glue: the workflow SELECT, SPEC columns, Presto encoding', () => {
    const view = res(prod, 'GlueTableButtonClicks');
    const input = view.Properties.TableInput;
    expect(input.TableType).toBe('VIRTUAL_VIEW');
    expect(input.Parameters).toEqual({ presto_view: 'true', comment: 'Presto View' });
    expect(input.ViewExpandedText).toBe('/* Presto View */');
    const presto = prestoView(input.ViewOriginalText);
    const ddl = tutorialViewDdl('button_clicks', 'athena');
    expect(ddl.startsWith(`CREATE OR REPLACE VIEW ${databaseName}.button_clicks AS\n`)).toBe(true);
    expect(presto.originalSql).toBe(ddl.slice(ddl.indexOf('\n') + 1));
    expect(presto).toMatchObject({ catalog: 'awsdatacatalog', schema: databaseName });
    const names = ['timestamp', 'wa_id', 'button_id', 'button_text', 'context_id', 'event_id', 'dt'];
    expect(presto.columns).toEqual(names.map((name) => ({ name, type: 'varchar' })));
    expect(input.StorageDescriptor.Columns.map((c: any) => [c.Name, c.Type])).toEqual(names.map((n) => [n, 'string']));
    expect(view.DependsOn).toEqual([glueTableId('events')]);
    // dev reads its own database.
    const dev_ = prestoView(res(dev, 'GlueTableButtonClicks').Properties.TableInput.ViewOriginalText);
    expect(dev_.schema).toBe(`${databaseName}_dev`);
    expect(dev_.originalSql).toBe(presto.originalSql.replace(`FROM ${databaseName}.events`, `FROM ${databaseName}_dev.events`));
  });

  test('conversions is an Athena view in Glue: its SELECT over events, tutorial columns with their types', () => {
    const view = res(prod, 'GlueTableConversions');
    const input = view.Properties.TableInput;
    expect(input.TableType).toBe('VIRTUAL_VIEW');
    const presto = prestoView(input.ViewOriginalText);
    const ddl = tutorialViewDdl('conversions', 'athena');
    expect(presto.originalSql).toBe(ddl.slice(ddl.indexOf('\n') + 1));
    const columns = [
      ['timestamp', 'varchar'], ['wa_id', 'varchar'], ['conversion_id', 'varchar'], ['conversion_name', 'varchar'], ['value', 'double'],
      ['currency', 'varchar'], ['campaign_id', 'varchar'], ['source', 'varchar'], ['event_id', 'varchar'], ['dt', 'varchar'],
    ];
    expect(presto.columns).toEqual(columns.map(([name, type]) => ({ name, type })));
    expect(input.StorageDescriptor.Columns.map((c: any) => [c.Name, c.Type])).toEqual(columns.map(([n, t]) => [n, t === 'varchar' ? 'string' : t]));
    expect(view.DependsOn).toEqual([glueTableId('events')]);
    expect(prestoView(res(dev, 'GlueTableConversions').Properties.TableInput.ViewOriginalText).originalSql).toContain(`FROM ${databaseName}_dev.events`);
  });

  test('a second stage gets its own database so it cannot collide with prod in one account', () => {
    expect(res(dev, 'GlueDatabase').Properties.DatabaseInput.Name).toBe(`${databaseName}_dev`);
  });
});

/** A task function of the ASL's `${<Name>FunctionArn}` placeholder (the naming resources/daily.cjs enforces). */
function taskOf(placeholder: string) {
  const pascal = placeholder.replace(/FunctionArn$/, '');
  const kebab = pascal.replace(/[A-Z]/g, (c, i: number) => `${i === 0 ? '' : '-'}${c.toLowerCase()}`);
  return {
    functionId: `${pascal}LambdaFunction`,
    logGroupId: `${pascal}LogGroup`,
    zip: `${pascal[0]!.toLowerCase()}${pascal.slice(1)}.zip`,
    bundle: `services/daily/tasks/${kebab}.js`,
    handler: `services/daily/tasks/${kebab}.handler`,
    file: join(repoRoot, 'services', 'daily', 'tasks', `${kebab}.ts`),
  };
}
const tasks = () => definitionPlaceholders().map((p) => ({ placeholder: p, ...taskOf(p) }));

/** Every state of a definition, recursively, with the Map state it runs inside. */
function walkStates(states: Record<string, any>, inMap?: string): { name: string; state: any; inMap?: string }[] {
  return Object.entries(states).flatMap(([name, state]) => [
    { name, state, inMap },
    ...(state.Type === 'Map' ? walkStates((state.ItemProcessor ?? state.Iterator).States, name) : []),
    ...(state.Type === 'Parallel' ? state.Branches.flatMap((b: any) => walkStates(b.States, inMap)) : []),
  ]);
}

const stateMachine = () => res(prod, 'DailyStateMachine').Properties;
const deployedDefinition = (): any => {
  const sm = stateMachine();
  const values = Object.fromEntries(
    Object.entries(sm.DefinitionSubstitutions).map(([name, v]: [string, any]) => [name, `arn:aws:lambda:us-east-1:123456789012:function:${res(prod, v['Fn::GetAtt'][0]).Properties.FunctionName}`]),
  );
  return { values, definition: substituteDefinition(values, sm.DefinitionString) };
};

describe('daily workflow', () => {
  test('the state machine deploys the ASL file as written, its Retry lists filled and each ${…FunctionArn} filled with its task function', () => {
    const sm = stateMachine();
    expect(sm.StateMachineType).toBe('STANDARD');
    expect(sm.DefinitionString).toBe(definitionText);
    // The file as written, where only the RetryableErrors placeholder became the list of names.
    const file = readFileSync(join(repoRoot, 'services', 'daily', 'state-machine.asl.json'), 'utf8');
    const listed = JSON.stringify([...retryableErrorNames]).slice(1, -1);
    expect(JSON.parse(sm.DefinitionString)).toEqual(JSON.parse(file.replaceAll(JSON.stringify(retryableErrorsPlaceholder), listed)));
    expect(sm.DefinitionSubstitutions).toEqual(Object.fromEntries(tasks().map((t) => [t.placeholder, { 'Fn::GetAtt': [t.functionId, 'Arn'] }])));
    const { values, definition } = deployedDefinition();
    expect(JSON.stringify(definition)).not.toMatch(/\$\{/);
    const taskStates = walkStates(definition.States).filter((s) => s.state.Type === 'Task');
    expect(new Set(taskStates.map((s) => s.state.Resource))).toEqual(new Set(Object.values(values)));
  });

  test('the definition is JSONPath only', () => {
    const { definition } = deployedDefinition();
    expect(definition.QueryLanguage ?? 'JSONPath').toBe('JSONPath');
    for (const { name, state } of walkStates(definition.States)) {
      expect(`${name}: ${state.QueryLanguage ?? 'JSONPath'}`).toBe(`${name}: JSONPath`);
      expect(`${name}: ${['Arguments', 'Output', 'Assign'].filter((k) => k in state)}`).toBe(`${name}: `);
    }
  });

  test('every Task retries with backoff and is caught: Tasks inside a Map retry, their Map catches', () => {
    const { definition } = deployedDefinition();
    const all = walkStates(definition.States);
    const taskStates = all.filter((s) => s.state.Type === 'Task');
    expect(taskStates.length).toBeGreaterThanOrEqual(6);
    for (const { name, state, inMap } of taskStates) {
      expect(`${name}: ${state.Retry?.length ?? 0}`).not.toBe(`${name}: 0`);
      for (const retry of state.Retry) {
        expect(retry.ErrorEquals).toEqual([...retryableErrorNames]);
        expect(retry.BackoffRate).toBeGreaterThan(1);
      }
      const catcher = inMap ? definition.States[inMap] : state;
      expect(`${inMap ?? name}: ${JSON.stringify(catcher.Catch?.map((c: any) => c.ErrorEquals))}`).toBe(`${inMap ?? name}: [["States.ALL"]]`);
    }
    // Every Catch leads to the failure alert, which itself ends in the Fail state.
    for (const { name, state } of all.filter((s) => s.state.Catch && s.name !== 'NotifyFailure')) expect(`${name} -> ${state.Catch[0].Next}`).toBe(`${name} -> NotifyFailure`);
    expect(definition.States[definition.States.NotifyFailure.Next].Type).toBe('Fail');
  });

  test('logs to an encrypted log group without execution data, with X-Ray tracing', () => {
    const sm = stateMachine();
    expect(['ALL', 'ERROR']).toContain(sm.LoggingConfiguration.Level);
    expect(sm.LoggingConfiguration.IncludeExecutionData).toBe(false);
    expect(sm.LoggingConfiguration.Destinations).toEqual([{ CloudWatchLogsLogGroup: { LogGroupArn: { 'Fn::GetAtt': ['DailyStateMachineLogGroup', 'Arn'] } } }]);
    expect(sm.TracingConfiguration).toEqual({ Enabled: true });
    const group = res(prod, 'DailyStateMachineLogGroup').Properties;
    expect(group.KmsKeyId).toEqual({ 'Fn::GetAtt': ['DataKey', 'Arn'] });
    expect(group.LogGroupName).toBe('/aws/vendedlogs/states/wa-analytics-prod-daily');
    expect(group.RetentionInDays).toBeGreaterThanOrEqual(365);
  });

  test("the state machine's role may invoke exactly the task functions, plus logging and tracing", () => {
    const role = res(prod, 'DailyStateMachineRole').Properties;
    expect(role.AssumeRolePolicyDocument.Statement).toEqual([expect.objectContaining({ Principal: { Service: 'states.amazonaws.com' }, Action: 'sts:AssumeRole' })]);
    const statements = roleStatements(prod).filter((s) => s.role === 'DailyStateMachineRole').map((s) => s.statement);
    expect(statements).toEqual([
      { Sid: 'InvokeTasks', Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: tasks().map((t) => ({ 'Fn::GetAtt': [t.functionId, 'Arn'] })) },
      { Sid: 'LogDelivery', Effect: 'Allow', Action: [...stateMachineLogDeliveryActions], Resource: '*' },
      { Sid: 'Tracing', Effect: 'Allow', Action: [...stateMachineTracingActions], Resource: '*' },
    ]);
  });

  test('the task functions: their handler files, their own role, the environment shared/config/daily.ts reads, encrypted logs', () => {
    const dailyConfig = readFileSync(join(repoRoot, 'shared', 'config', 'daily.ts'), 'utf8');
    const envNames = new Set([...dailyConfig.matchAll(/\(env, '([A-Z_]+)'\)|env\.([A-Z_]+)/g)].map((m) => m[1] ?? m[2]));
    // Whatever it reads (more later, e.g. GLUE_DATABASE), every task function has it.
    expect([...envNames]).toEqual(expect.arrayContaining(['DATA_BUCKET', 'ATHENA_WORKGROUP', 'SLACK_WEBHOOK_PARAM', 'WA_TIMEZONE', 'ATTRIBUTION_DAYS']));
    const { definition } = deployedDefinition();
    const states = walkStates(definition.States).filter((s) => s.state.Type === 'Task');
    for (const t of tasks()) {
      const fn = res(prod, t.functionId).Properties;
      expect(fn.Handler).toBe(t.handler);
      expect(existsSync(t.file)).toBe(true);
      expect(readFileSync(t.file, 'utf8')).toMatch(/^export const handler = /m);
      expect(fn.Role).toEqual({ 'Fn::Sub': '${DailyTaskRole.Arn}' });
      expect(fn.Environment.Variables).toMatchObject({
        DATA_BUCKET: { Ref: 'DataBucket' },
        GLUE_DATABASE: { Ref: 'GlueDatabase' },
        ATHENA_WORKGROUP: { Ref: 'AthenaWorkGroup' },
        WA_TIMEZONE: firehose().CustomTimeZone,
        SLACK_WEBHOOK_PARAM: '/wa-analytics/prod/slack-webhook-url',
      });
      for (const name of envNames) expect(fn.Environment.Variables[name!]).toBeDefined();
      // The Lambda times out before its Task state does, so the Catch sees the Lambda's error.
      const arn = `arn:aws:lambda:us-east-1:123456789012:function:${fn.FunctionName}`;
      for (const { state } of states.filter((s) => s.state.Resource === arn)) expect(fn.Timeout).toBeLessThan(state.TimeoutSeconds);
      expect(res(prod, t.logGroupId).Properties.KmsKeyId).toEqual({ 'Fn::GetAtt': ['DataKey', 'Arn'] });
    }
  });

  test('the task bundles are one file each, carry the SQL query texts and leave the AWS SDK to the runtime', () => {
    const sqlLines = readdirSync(queriesDir, { recursive: true })
      .map(String)
      .filter((f) => f.endsWith('.sql'))
      .map((f) => readFileSync(join(queriesDir, f), 'utf8').split('\n').find((l) => l.length >= 30 && !/[`$\\]/.test(l))!);
    expect(sqlLines.length).toBeGreaterThanOrEqual(3);
    for (const t of tasks()) {
      const entries = zipEntries(readFileSync(join(prodDir, t.zip)));
      expect(Object.keys(entries)).toEqual([t.bundle]);
      const code = entries[t.bundle]!.toString('utf8');
      expect(code).not.toMatch(/require\("@duckdb/);
      // shared/sql/render.ts reads queries/**/*.sql next to itself; a bundle has no such folder, so
      // every bundle holding render.ts must carry the texts (resources/esbuild-plugins.cjs).
      const hasRender = code.includes('"queries"');
      if (t.functionId === 'RebuildPartitionLambdaFunction') expect(hasRender).toBe(true);
      if (hasRender) for (const line of sqlLines) expect(code).toContain(line);
    }
  });

  test('EventBridge Scheduler starts it daily in the stage time zone with the stage lookback', () => {
    const schedule = res(prod, 'DailySchedule').Properties;
    expect(schedule.ScheduleExpression).toBe('cron(30 2 * * ? *)');
    // The stage's one time zone parameter: the same as Firehose's arrival partitions and the tasks'.
    expect(schedule.ScheduleExpressionTimezone).toBe('UTC');
    expect(schedule.ScheduleExpressionTimezone).toBe(firehose().CustomTimeZone);
    expect(schedule.ScheduleExpressionTimezone).toBe(res(prod, 'ResolveInputLambdaFunction').Properties.Environment.Variables.WA_TIMEZONE);
    expect(schedule.FlexibleTimeWindow).toEqual({ Mode: 'OFF' });
    expect(schedule.State).toBe('ENABLED');
    expect(schedule.Target.Arn).toEqual({ Ref: 'DailyStateMachine' });
    expect(JSON.parse(schedule.Target.Input)).toEqual({ lookbackDays: 3 });
    expect(schedule.Target.RetryPolicy.MaximumRetryAttempts).toBeGreaterThan(0);
    expect(schedule.Target.RoleArn).toEqual({ 'Fn::GetAtt': ['DailyScheduleRole', 'Arn'] });
    const role = res(prod, 'DailyScheduleRole').Properties;
    expect(role.AssumeRolePolicyDocument.Statement[0].Principal).toEqual({ Service: 'scheduler.amazonaws.com' });
    expect(roleStatements(prod).filter((s) => s.role === 'DailyScheduleRole').map((s) => s.statement)).toEqual([
      { Effect: 'Allow', Action: 'states:StartExecution', Resource: { Ref: 'DailyStateMachine' } },
    ]);
  });

  test('the Athena workgroup enforces its scan cutoff and KMS-encrypted results under athena-results/', () => {
    const config = res(prod, 'AthenaWorkGroup').Properties.WorkGroupConfiguration;
    expect(config.EnforceWorkGroupConfiguration).toBe(true);
    expect(config.BytesScannedCutoffPerQuery).toBe(107374182400);
    expect(res(dev, 'AthenaWorkGroup').Properties.WorkGroupConfiguration.BytesScannedCutoffPerQuery).toBe(10737418240);
    expect(config.PublishCloudWatchMetricsEnabled).toBe(true);
    expect(config.EngineVersion.SelectedEngineVersion).toBe('Athena engine version 3');
    expect(config.ResultConfiguration).toEqual({
      OutputLocation: { 'Fn::Sub': 's3://${DataBucket}/athena-results/' },
      ExpectedBucketOwner: { Ref: 'AWS::AccountId' },
      EncryptionConfiguration: { EncryptionOption: 'SSE_KMS', KmsKey: { 'Fn::GetAtt': ['DataKey', 'Arn'] } },
    });
    const rules = res(prod, 'DataBucket').Properties.LifecycleConfiguration.Rules;
    expect(rules).toEqual(expect.arrayContaining([expect.objectContaining({ Prefix: 'athena-results/', ExpirationInDays: 30 })]));
  });

  test("the tasks' role: no * action or resource, Glue/Athena/S3/SSM scoped to the stage's catalog, workgroup, prefixes and parameter", () => {
    const statements = roleStatements(prod).filter((s) => s.role === 'DailyTaskRole').map((s) => s.statement);
    const text = JSON.stringify(statements);
    for (const st of statements) {
      expect(st.Effect).toBe('Allow');
      for (const action of asList(st.Action)) expect(action).not.toMatch(/\*/);
      for (const resource of asList(st.Resource)) expect(resource).not.toBe('*');
    }
    const bySid = Object.fromEntries(statements.map((st) => [st.Sid, st]));
    const glueArn = (suffix: string) => ({ 'Fn::Sub': `arn:\${AWS::Partition}:glue:\${AWS::Region}:\${AWS::AccountId}:${suffix}` });
    expect(bySid.CtasTemporaryTables).toEqual({
      Sid: 'CtasTemporaryTables',
      Effect: 'Allow',
      Action: ['glue:CreateTable', 'glue:DeleteTable'],
      Resource: [glueArn('catalog'), glueArn('database/${GlueDatabase}'), glueArn('table/${GlueDatabase}/tmp_*')],
    });
    expect(asList(bySid.RegisterPartitions.Resource)).toEqual([
      glueArn('catalog'),
      glueArn('database/${GlueDatabase}'),
      ...['raw_events', 'events', 'daily_ctr', 'daily_conversions', 'daily_experiments', 'experiments', 'anomalies'].map((t) => glueArn(`table/\${GlueDatabase}/${t}`)),
    ]);
    expect(bySid.AthenaQueries.Resource).toEqual({ 'Fn::Sub': 'arn:${AWS::Partition}:athena:${AWS::Region}:${AWS::AccountId}:workgroup/${AthenaWorkGroup}' });
    expect(bySid.SlackWebhookUrl).toMatchObject({
      Action: 'ssm:GetParameter',
      Resource: { 'Fn::Sub': 'arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/wa-analytics/prod/slack-webhook-url' },
    });
    // Every Glue statement is on this catalog's database and tables only.
    for (const st of statements.filter((x) => asList(x.Action).some((a: string) => a.startsWith('glue:')))) {
      for (const r of asList(st.Resource)) expect((r as any)['Fn::Sub']).toMatch(/:glue:\$\{AWS::Region\}:\$\{AWS::AccountId\}:(catalog|database\/\$\{GlueDatabase\}|table\/\$\{GlueDatabase\}\/[a-z_*]+)$/);
    }
    // Objects are written only under curated/, athena-results/ and workflow/; raw/ is read-only.
    const objectPrefixes = (action: string) =>
      statements
        .filter((x) => asList(x.Action).includes(action))
        .flatMap((x) => asList(x.Resource))
        .map((r: any) => r['Fn::Join'][1][1]);
    // reports/: PublishReport writes the day's dashboard there and reads nothing back.
    expect(objectPrefixes('s3:PutObject').sort()).toEqual(['/athena-results/*', '/curated/*', '/reports/*', '/workflow/*']);
    expect(objectPrefixes('s3:DeleteObject')).toEqual(['/curated/*']);
    expect(objectPrefixes('s3:GetObject').sort()).toEqual(['/athena-results/*', '/curated/*', '/raw/events/*', '/workflow/*']);
    expect(bySid.StageKeyThroughS3.Resource).toEqual({ 'Fn::GetAtt': ['DataKey', 'Arn'] });
    expect(text).not.toMatch(/"(iam|sts|states|lambda|firehose):/);
  });

  test("the transform's role gained nothing of the workflow's", () => {
    const actions = roleStatements(prod)
      .filter((s) => s.role === 'IamRoleLambdaExecution')
      .flatMap((s) => asList(s.statement.Action) as string[]);
    expect(actions.filter((a) => /^(glue|athena|s3|states|lambda):/.test(a))).toEqual([]);
    expect(actions.sort()).toEqual(['kms:Decrypt', 'logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 'logs:TagResource', 'ssm:GetParameter', 'ssm:GetParameters'].sort());
    const ssm = roleStatements(prod).find((s) => s.role === 'IamRoleLambdaExecution' && asList(s.statement.Action).includes('ssm:GetParameter'))!;
    expect(JSON.stringify(ssm.statement.Resource)).not.toMatch(/slack/);
    // Exactly the parameters the transform reads: the webhook secrets (Twilio's Auth Token too) and the PII key.
    const names = ['meta-app-secret', 'wasender-webhook-secret', 'twilio-auth-token', 'pii-key'];
    expect(asList(ssm.statement.Resource)).toEqual(
      names.map((n) => ({ 'Fn::Sub': `arn:\${AWS::Partition}:ssm:\${AWS::Region}:\${AWS::AccountId}:parameter/wa-analytics/prod/${n}` })),
    );
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

  test('the seven operational alarms notify the encrypted alarm topic', () => {
    const alarms = resourcesOfType(prod, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties);
    expect(alarms.map((a) => a.MetricName).sort()).toEqual(
      ['5XXError', 'ApiTooLargeRequests', 'DeliveryToS3.DataFreshness', 'DeliveryToS3.Success', 'Errors', 'ExecuteProcessing.Success', 'ExecutionsFailed'].sort(),
    );
    const workflow = alarms.find((a) => a.MetricName === 'ExecutionsFailed');
    expect(workflow).toMatchObject({ Namespace: 'AWS/States', Dimensions: [{ Name: 'StateMachineArn', Value: { Ref: 'DailyStateMachine' } }], Threshold: 1 });
    for (const a of alarms) expect(a.AlarmActions).toEqual([{ Ref: 'AlarmTopic' }]);
    expect(res(prod, 'AlarmTopic').Properties.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': ['DataKey', 'Arn'] });
  });

  test('outputs name the stream, bucket, API URL, Glue database, region, workflow, workgroup, PII settings and time zone', () => {
    expect(Object.keys(prod.Outputs ?? {})).toEqual(
      expect.arrayContaining(['DeliveryStreamName', 'DataBucketName', 'ApiUrl', 'GlueDatabaseName', 'Region', 'DailyStateMachineArn', 'AthenaWorkgroup', 'PiiMode', 'PiiKeyParameterName', 'TimeZone']),
    );
    // What `today --stage` takes "today" in: the zone Firehose names its arrival partitions in.
    expect(prod.Outputs!.TimeZone!.Value).toBe(firehose().CustomTimeZone);
    // The same parameter the transform reads its key from, so pseudonymize prints what the lake holds.
    expect(prod.Outputs!.PiiKeyParameterName!.Value).toBe(res(prod, 'TransformLambdaFunction').Properties.Environment.Variables.WA_PII_KEY_PARAM);
    expect(prod.Outputs!.PiiMode!.Value).toBe(res(prod, 'TransformLambdaFunction').Properties.Environment.Variables.WA_PII);
    expect(prod.Outputs!.DailyStateMachineArn!.Value).toEqual({ Ref: 'DailyStateMachine' });
    expect(prod.Outputs!.AthenaWorkgroup!.Value).toEqual({ Ref: 'AthenaWorkGroup' });
  });
});

test('the Control Tower rules pass on the prod template, honouring only written suppressions', () => {
  const output = execFileSync(
    'node',
    [
      'scripts/cfn-guard.cjs',
      join(prodDir, 'cloudformation-template-update-stack.json'),
      's3',
      'apigateway',
      'lambda',
      'stepfunctions',
      'athena',
      'cloudwatch',
      'keymanagementservice',
      'identityandaccessmanagement',
    ],
    { cwd: repoRoot, encoding: 'utf8' },
  );
  expect(output).toMatch(/FAIL 0,/);
  expect(output).toMatch(/PASS {2}CT\.S3\.PR\.10 /);
  for (const control of ['STEPFUNCTIONS.PR.1', 'STEPFUNCTIONS.PR.2', 'ATHENA.PR.1', 'ATHENA.PR.2', 'CLOUDWATCH.PR.3', 'IAM.PR.5']) {
    expect(output).toMatch(new RegExp(`^PASS  CT\\.${control.replace(/\./g, '\\.')} `, 'm'));
  }
});
