import { reportRoute } from '../../services/reports/route';
import { asList, loadStackTemplates, resourceOf, stackTemplatesTimeoutMs } from '../support/stack-templates';
import { resourcesOfType, type Template } from './package';

/**
 * The signed report links and the operations dashboard in the compiled stack (`sls package`,
 * shared with the other stack tests): the route, its function and scoped role, the secret by
 * name only, the stage parameter, the digest's settings, the CloudWatch dashboard.
 */

let prod: Template;
let dev: Template;

beforeAll(async () => {
  ({ prod, dev } = await loadStackTemplates());
}, stackTemplatesTimeoutMs);

const res = resourceOf;

describe('GET /reports/{date}', () => {
  test('is a Lambda proxy integration to the report-link function, under /reports/{date}, in the deployment', () => {
    const m = res(prod, 'ApiMethodReportLinkGet').Properties;
    expect(m.HttpMethod).toBe('GET');
    expect(m.AuthorizationType).toBe('NONE');
    expect(m.RequestParameters).toEqual({ 'method.request.path.date': true });
    expect(m.Integration).toEqual({
      Type: 'AWS_PROXY',
      IntegrationHttpMethod: 'POST',
      Uri: { 'Fn::Sub': 'arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${ReportLinkLambdaFunction.Arn}/invocations' },
    });
    const date = res(prod, m.ResourceId.Ref).Properties;
    expect(date.PathPart).toBe('{date}');
    const reports = res(prod, date.ParentId.Ref).Properties;
    expect(reports).toEqual({ RestApiId: { Ref: 'RestApi' }, ParentId: { 'Fn::GetAtt': ['RestApi', 'RootResourceId'] }, PathPart: 'reports' });
    expect(reportRoute.path).toBe('/reports/{date}');
    const deployment = resourcesOfType(prod, 'AWS::ApiGateway::Deployment');
    expect(deployment).toHaveLength(1);
    expect(deployment[0]![1].DependsOn).toContain('ApiMethodReportLinkGet');
  });

  test('API Gateway may invoke the function only for GET /reports/* on this API, from this account', () => {
    const p = res(prod, 'ReportLinkGetInvokePermission').Properties;
    expect(p).toEqual({
      FunctionName: { 'Fn::GetAtt': ['ReportLinkLambdaFunction', 'Arn'] },
      Action: 'lambda:InvokeFunction',
      Principal: 'apigateway.amazonaws.com',
      SourceAccount: { Ref: 'AWS::AccountId' },
      SourceArn: { 'Fn::Sub': 'arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${RestApi}/*/GET/reports/*' },
    });
    expect(resourcesOfType(prod, 'AWS::Lambda::Permission').map(([id]) => id)).toEqual(['ReportLinkGetInvokePermission']);
  });

  test('the function: its handler, its own role, the secret by name only, a presigned URL of minutes, encrypted logs', () => {
    const fn = res(prod, 'ReportLinkLambdaFunction').Properties;
    expect(fn.Handler).toBe('services/reports/handler.handler');
    expect(fn.Role).toEqual({ 'Fn::Sub': '${ReportLinkRole.Arn}' });
    expect(fn.Environment.Variables).toEqual({
      DATA_BUCKET: { Ref: 'DataBucket' },
      REPORT_LINK_SECRET_PARAM: '/wa-analytics/prod/report-link-secret',
      REPORT_URL_SECONDS: '300',
      POWERTOOLS_SERVICE_NAME: 'wa-analytics-reports',
      POWERTOOLS_METRICS_NAMESPACE: 'WaAnalytics/prod',
    });
    expect(res(dev, 'ReportLinkLambdaFunction').Properties.Environment.Variables.REPORT_LINK_SECRET_PARAM).toBe('/wa-analytics/dev/report-link-secret');
    expect(res(prod, 'ReportLinkLogGroup').Properties).toMatchObject({ LogGroupName: '/aws/lambda/wa-analytics-prod-reportLink', KmsKeyId: { 'Fn::GetAtt': ['DataKey', 'Arn'] } });
    // Nothing in the template holds the secret: no dynamic reference, no parameter resource.
    const text = JSON.stringify(prod);
    expect(text).not.toMatch(/resolve:ssm-secure/);
    expect(resourcesOfType(prod, 'AWS::SSM::Parameter')).toEqual([]);
    expect(prod.Outputs?.ReportLinkSecretParameterName?.Value).toBe('/wa-analytics/prod/report-link-secret');
  });

  test('its role may write its logs, read the secret, GET and list objects under reports/ and decrypt with the stage key: nothing else', () => {
    const role = res(prod, 'ReportLinkRole').Properties;
    expect(role.ManagedPolicyArns).toBeUndefined();
    expect(role.AssumeRolePolicyDocument.Statement).toEqual([{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }]);
    const statements = role.Policies.flatMap((p: any) => asList(p.PolicyDocument.Statement));
    const ssmParam = 'arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/wa-analytics/prod/report-link-secret';
    expect(statements).toEqual([
      { Sid: 'Logs', Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: { 'Fn::GetAtt': ['ReportLinkLogGroup', 'Arn'] } },
      { Sid: 'ReadReports', Effect: 'Allow', Action: 's3:GetObject', Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': ['DataBucket', 'Arn'] }, '/reports/*']] } },
      // Listing, for the existence check, only of prefixes under reports/.
      { Sid: 'FindReports', Effect: 'Allow', Action: 's3:ListBucket', Resource: { 'Fn::GetAtt': ['DataBucket', 'Arn'] }, Condition: { StringLike: { 's3:prefix': 'reports/*' } } },
      {
        Sid: 'StageKeyThroughS3',
        Effect: 'Allow',
        Action: 'kms:Decrypt',
        Resource: { 'Fn::GetAtt': ['DataKey', 'Arn'] },
        Condition: { StringEquals: { 'kms:ViaService': { 'Fn::Sub': 's3.${AWS::Region}.amazonaws.com' } } },
      },
      { Sid: 'LinkSecret', Effect: 'Allow', Action: 'ssm:GetParameter', Resource: { 'Fn::Sub': ssmParam } },
      {
        Sid: 'LinkSecretKey',
        Effect: 'Allow',
        Action: 'kms:Decrypt',
        Resource: { 'Fn::Sub': 'arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:key/*' },
        Condition: { StringEquals: { 'kms:ViaService': { 'Fn::Sub': 'ssm.${AWS::Region}.amazonaws.com' }, 'kms:EncryptionContext:PARAMETER_ARN': { 'Fn::Sub': ssmParam } } },
      },
    ]);
  });

  test('the daily tasks sign the link: the API URL, the secret by name and reportLinkDays (30) in their environment, and read access to that secret', () => {
    const env = res(prod, 'PostDigestLambdaFunction').Properties.Environment.Variables;
    expect(env).toMatchObject({
      REPORT_API_URL: { 'Fn::Sub': 'https://${RestApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}/prod' },
      REPORT_LINK_SECRET_PARAM: '/wa-analytics/prod/report-link-secret',
      REPORT_LINK_DAYS: '30',
    });
    // The same URL the stack reports as ApiUrl, for the stage the function belongs to.
    expect(prod.Outputs?.ApiUrl?.Value).toEqual({ 'Fn::Sub': 'https://${RestApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}/${ApiStage}' });
    expect(res(dev, 'PostDigestLambdaFunction').Properties.Environment.Variables.REPORT_API_URL).toEqual({
      'Fn::Sub': 'https://${RestApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}/dev',
    });
    const daily = res(prod, 'DailyTaskRole').Properties.Policies.flatMap((p: any) => asList(p.PolicyDocument.Statement));
    const secret = 'arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/wa-analytics/prod/report-link-secret';
    expect(daily).toContainEqual({ Sid: 'ReportLinkSecret', Effect: 'Allow', Action: 'ssm:GetParameter', Resource: { 'Fn::Sub': secret } });
    expect(daily).toContainEqual(
      expect.objectContaining({ Sid: 'ReportLinkSecretKey', Action: 'kms:Decrypt', Condition: { StringEquals: expect.objectContaining({ 'kms:EncryptionContext:PARAMETER_ARN': { 'Fn::Sub': secret } }) } }),
    );
  });
});

describe('published reports in the data bucket', () => {
  test('expire a day after the signed link to them (reportLinkDays 30 + 1), by a rule of the bucket\'s one lifecycle configuration', () => {
    for (const t of [prod, dev]) {
      const rules = res(t, 'DataBucket').Properties.LifecycleConfiguration.Rules as { Id: string; Prefix?: string }[];
      expect(rules.filter((r) => r.Prefix === 'reports/')).toEqual([{ Id: 'expire-published-reports', Status: 'Enabled', Prefix: 'reports/', ExpirationInDays: 31 }]);
      // The rules before it stay as they were: versions, uploads, error output, query results.
      expect(rules.map((r) => r.Id)).toEqual(['expire-noncurrent-versions', 'abort-incomplete-uploads', 'expire-error-output', 'expire-athena-results', 'expire-published-reports', 'raw-events-infrequent-access']);
    }
    expect(res(prod, 'ReportLinkLambdaFunction').Properties.Environment.Variables.REPORT_URL_SECONDS).toBe('300');
    expect(res(prod, 'PostDigestLambdaFunction').Properties.Environment.Variables.REPORT_LINK_DAYS).toBe('30');
  });
});

describe('operations dashboard', () => {
  const body = () => {
    const d = res(prod, 'OpsDashboard').Properties;
    expect(d.DashboardName).toBe('wa-analytics-prod');
    return JSON.parse(d.DashboardBody['Fn::Sub']) as { widgets: { type: string; properties: { title: string; metrics: unknown[][]; stat: string; annotations?: any } }[] };
  };
  const widget = (title: RegExp) => {
    const found = body().widgets.filter((w) => title.test(w.properties.title));
    expect(found).toHaveLength(1);
    return found[0]!.properties;
  };
  const metricNames = (metrics: unknown[][]) => metrics.map((m) => (typeof m[0] === 'string' ? `${m[0]} ${m[1]}` : (m[0] as { expression: string }).expression));

  test('API requests, 4xx and 5xx with the 413s counted from the access log', () => {
    expect(widget(/^API requests$/).metrics).toEqual([['AWS/ApiGateway', 'Count', 'ApiName', 'wa-analytics-prod', 'Stage', 'prod', { label: 'requests' }]]);
    const errors = widget(/4xx and 5xx/);
    expect(metricNames(errors.metrics)).toEqual(['AWS/ApiGateway 4XXError', 'AWS/ApiGateway 5XXError', 'WaAnalytics/prod ApiTooLargeRequests']);
    // The 413 metric is the one the access-log metric filter writes.
    const filter = res(prod, 'ApiTooLargeMetricFilter').Properties.MetricTransformations[0];
    expect([filter.MetricNamespace, filter.MetricName]).toEqual(['WaAnalytics/prod', 'ApiTooLargeRequests']);
  });

  test('Firehose incoming records and delivery freshness against the alarm threshold', () => {
    const records = widget(/^Firehose records/);
    expect(records.metrics).toEqual([
      ['AWS/Firehose', 'IncomingRecords', 'DeliveryStreamName', '${DeliveryStream}', { label: 'incoming' }],
      ['AWS/Firehose', 'DeliveryToS3.Records', 'DeliveryStreamName', '${DeliveryStream}', { label: 'delivered to S3' }],
    ]);
    const freshness = widget(/freshness/);
    expect(freshness.stat).toBe('Maximum');
    expect(metricNames(freshness.metrics)).toEqual(['AWS/Firehose DeliveryToS3.DataFreshness']);
    expect(freshness.annotations.horizontal).toEqual([{ label: 'alarm', value: res(prod, 'DeliveryFreshnessAlarm').Properties.Threshold }]);
  });

  test("transform rows per kind and quarantine per reason: the transform's EMF metrics, by their dimensions", () => {
    // What services/transform/handler.ts emits through Powertools: namespace from the function's
    // environment, dimensions service (its POWERTOOLS_SERVICE_NAME) plus kind / reason.
    const transformEnv = res(prod, 'TransformLambdaFunction').Properties.Environment.Variables;
    expect([transformEnv.POWERTOOLS_METRICS_NAMESPACE, transformEnv.POWERTOOLS_SERVICE_NAME]).toEqual(['WaAnalytics/prod', 'wa-analytics']);
    expect(metricNames(widget(/rows per kind/).metrics)).toEqual([`SEARCH('{WaAnalytics/prod,kind,service} MetricName="RowsByKind" service="wa-analytics"', 'Sum', 300)`]);
    expect(metricNames(widget(/per reason/).metrics)).toEqual([`SEARCH('{WaAnalytics/prod,reason,service} MetricName="Quarantined" service="wa-analytics"', 'Sum', 300)`]);
    expect(res(dev, 'OpsDashboard').Properties.DashboardBody['Fn::Sub']).toContain('{WaAnalytics/dev,kind,service}');
  });

  test('daily workflow executions and failures of the stack state machine', () => {
    expect(metricNames(widget(/workflow executions/).metrics)).toEqual([
      'AWS/States ExecutionsStarted',
      'AWS/States ExecutionsSucceeded',
      'AWS/States ExecutionsFailed',
      'AWS/States ExecutionsTimedOut',
      'AWS/States ExecutionsAborted',
    ]);
    expect(JSON.stringify(widget(/workflow executions/).metrics)).toContain('"StateMachineArn","${DailyStateMachine}"');
  });

  test("every placeholder is one of the stack's own resources or pseudo parameters", () => {
    const text = res(prod, 'OpsDashboard').Properties.DashboardBody['Fn::Sub'] as string;
    const names = new Set([...text.matchAll(/\$\{([^}]+)\}/g)].map((m) => m[1]!));
    expect([...names].sort()).toEqual(['AWS::Region', 'DailyStateMachine', 'DeliveryStream', 'TransformLambdaFunction']);
    for (const n of names) if (!n.startsWith('AWS::')) expect(prod.Resources[n]).toBeDefined();
    expect(prod.Outputs?.OpsDashboardUrl?.Value).toEqual({
      'Fn::Sub': 'https://${AWS::Region}.console.aws.amazon.com/cloudwatch/home?region=${AWS::Region}#dashboards:name=wa-analytics-prod',
    });
  });
});
