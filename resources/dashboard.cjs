/**
 * The stage's CloudWatch operations dashboard (SPEC section 2, "Operations"): the ingest API
 * (requests, 4xx/5xx, the 413s counted from its access log), Firehose (incoming records, delivery
 * freshness against the alarm's threshold), the transform (rows per kind and quarantined rows per
 * reason, from the EMF metrics services/transform/handler.ts emits) and the daily workflow
 * (executions, failures). Built as data here and deployed as one JSON body through Fn::Sub, so the
 * stream, function and state machine are the stack's own.
 */

/** The transform's EMF metrics: namespace `WaAnalytics/<stage>`, dimensions `service` (Powertools' default) and `kind` / `reason`. */
const transformService = 'wa-analytics';

const period = 300;

function timeSeries({ title, x, y, width = 12, height = 6, metrics, stat = 'Sum', annotations, yMin = 0 }) {
  return {
    type: 'metric',
    x,
    y,
    width,
    height,
    properties: {
      title,
      view: 'timeSeries',
      stacked: false,
      region: '${AWS::Region}',
      period,
      stat,
      metrics,
      yAxis: { left: { min: yMin } },
      ...(annotations ? { annotations } : {}),
    },
  };
}

/** A SEARCH over one EMF metric, one line per value of `dimension` (kinds and reasons appear as they occur). */
function searchSeries(namespace, metricName, dimension, id) {
  return [{ expression: `SEARCH('{${namespace},${dimension},service} MetricName="${metricName}" service="${transformService}"', 'Sum', ${period})`, id, label: '' }];
}

/** The dashboard body, with `${...}` placeholders Fn::Sub fills (region, stream, function, state machine). */
function dashboardBody({ stage, freshnessSeconds }) {
  const apiName = `wa-analytics-${stage}`;
  const ns = `WaAnalytics/${stage}`;
  const api = (metric, label) => ['AWS/ApiGateway', metric, 'ApiName', apiName, 'Stage', stage, { label }];
  const firehose = (metric, label, extra = {}) => ['AWS/Firehose', metric, 'DeliveryStreamName', '${DeliveryStream}', { label, ...extra }];
  const states = (metric, label) => ['AWS/States', metric, 'StateMachineArn', '${DailyStateMachine}', { label }];
  const lambda = (metric, label) => ['AWS/Lambda', metric, 'FunctionName', '${TransformLambdaFunction}', { label }];
  return {
    widgets: [
      timeSeries({ title: 'API requests', x: 0, y: 0, width: 8, metrics: [api('Count', 'requests')] }),
      timeSeries({
        title: 'API 4xx and 5xx (413: body too large, not stored)',
        x: 8,
        y: 0,
        width: 8,
        metrics: [api('4XXError', '4xx'), api('5XXError', '5xx'), [ns, 'ApiTooLargeRequests', { label: '413' }]],
      }),
      timeSeries({ title: 'Transform invocations and errors', x: 16, y: 0, width: 8, metrics: [lambda('Invocations', 'invocations'), lambda('Errors', 'errors')] }),
      timeSeries({
        title: 'Firehose records in and delivered to S3',
        x: 0,
        y: 6,
        metrics: [firehose('IncomingRecords', 'incoming'), firehose('DeliveryToS3.Records', 'delivered to S3')],
      }),
      timeSeries({
        title: 'Delivery freshness: age of the oldest undelivered record (s)',
        x: 12,
        y: 6,
        stat: 'Maximum',
        metrics: [firehose('DeliveryToS3.DataFreshness', 'oldest record')],
        annotations: { horizontal: [{ label: 'alarm', value: freshnessSeconds }] },
      }),
      timeSeries({ title: 'Transform rows per kind', x: 0, y: 12, metrics: [searchSeries(ns, 'RowsByKind', 'kind', 'kinds')] }),
      timeSeries({ title: 'Quarantined rows per reason', x: 12, y: 12, metrics: [searchSeries(ns, 'Quarantined', 'reason', 'reasons')] }),
      timeSeries({
        title: 'Daily workflow executions',
        x: 0,
        y: 18,
        width: 24,
        metrics: [
          states('ExecutionsStarted', 'started'),
          states('ExecutionsSucceeded', 'succeeded'),
          states('ExecutionsFailed', 'failed'),
          states('ExecutionsTimedOut', 'timed out'),
          states('ExecutionsAborted', 'aborted'),
        ],
      }),
    ],
  };
}

function dashboardResources({ stage, freshnessSeconds }) {
  const name = `wa-analytics-${stage}`;
  return {
    resources: {
      OpsDashboard: {
        Type: 'AWS::CloudWatch::Dashboard',
        Properties: {
          DashboardName: name,
          DashboardBody: { 'Fn::Sub': JSON.stringify(dashboardBody({ stage, freshnessSeconds })) },
        },
      },
    },
    outputs: {
      OpsDashboardUrl: {
        Description: 'CloudWatch operations dashboard of the stage (API, Firehose, transform, daily workflow)',
        Value: { 'Fn::Sub': `https://\${AWS::Region}.console.aws.amazon.com/cloudwatch/home?region=\${AWS::Region}#dashboards:name=${name}` },
      },
    },
  };
}

module.exports = {
  dashboardBody,
  dashboardResources,
  /** serverless.yml: `${file(./resources/dashboard.cjs):cloudFormation}`. */
  async cloudFormation({ resolveVariable }) {
    const stage = await resolveVariable('sls:stage');
    const freshnessSeconds = Number(await resolveVariable('param:alarmFreshnessSeconds'));
    const { resources, outputs } = dashboardResources({ stage, freshnessSeconds });
    return { Resources: resources, Outputs: outputs };
  },
};
