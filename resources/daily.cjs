/**
 * The daily workflow's state machine, generated from its Amazon States Language file
 * (services/daily/state-machine.asl.json, through services/daily/definition.ts): the definition
 * text is deployed as written, and CloudFormation's DefinitionSubstitutions fill each
 * `${<Name>FunctionArn}` placeholder with the ARN of the task function `<name>` of serverless.yml,
 * whose handler must be services/daily/tasks/<kebab-name>.handler. The state machine's role may
 * invoke exactly those functions. The functions' log groups are encrypted with the stage key and
 * their Control Tower VPC rule suppression carries its reason here, once for all of them.
 */
const fs = require('node:fs');
const path = require('node:path');
const requireTs = require('./ts.cjs');

const { definitionText, definitionPlaceholders } = requireTs('../services/daily/definition.ts');

/** The IAM role every task function must use (resources/daily.yml). */
const taskRole = 'DailyTaskRole';
// serverless.yml names it as `!Sub '${DailyTaskRole.Arn}'`: a role name or GetAtt would make the
// framework add a DependsOn that duplicates the reference (cfn-lint W3005).
const taskRoleArn = { 'Fn::Sub': `\${${taskRole}.Arn}` };

/** `ResolveInputFunctionArn` -> the task function of serverless.yml that fills it. */
function taskOfPlaceholder(placeholder) {
  const m = /^([A-Z][A-Za-z0-9]*)FunctionArn$/.exec(placeholder);
  if (!m) throw new Error(`state machine placeholder \${${placeholder}} is not a <Task>FunctionArn`);
  const pascal = m[1];
  const kebab = pascal.replace(/[A-Z]/g, (c, i) => `${i === 0 ? '' : '-'}${c.toLowerCase()}`);
  return {
    placeholder,
    functionKey: pascal[0].toLowerCase() + pascal.slice(1),
    // The framework's logical ids of a function `fooBar`: FooBarLambdaFunction, FooBarLogGroup.
    functionLogicalId: `${pascal}LambdaFunction`,
    logGroupLogicalId: `${pascal}LogGroup`,
    handler: `services/daily/tasks/${kebab}.handler`,
    source: path.join(__dirname, '..', 'services', 'daily', 'tasks', `${kebab}.ts`),
  };
}

/** The task functions the definition names, checked against serverless.yml's `functions`. */
function taskFunctions(functions) {
  return definitionPlaceholders().map((placeholder) => {
    const task = taskOfPlaceholder(placeholder);
    const fn = functions?.[task.functionKey];
    if (!fn) throw new Error(`the state machine uses \${${placeholder}} but serverless.yml has no function "${task.functionKey}"`);
    if (fn.handler !== task.handler) throw new Error(`function ${task.functionKey}: handler must be ${task.handler} (got ${fn.handler})`);
    if (!fs.existsSync(task.source)) throw new Error(`function ${task.functionKey}: no handler file ${task.source}`);
    if (JSON.stringify(fn.role) !== JSON.stringify(taskRoleArn)) {
      throw new Error(`function ${task.functionKey}: role must be !Sub '\${${taskRole}.Arn}' (got ${JSON.stringify(fn.role) ?? 'the provider role'})`);
    }
    return task;
  });
}

const lambdaVpcReason =
  'CT.LAMBDA.PR.3: the daily task Lambdas have no network surface (Step Functions invokes them ' +
  'through the Lambda API) and call only AWS APIs (Athena, Glue, S3, SSM) and the Slack webhook on ' +
  'the internet. A VPC would need NAT for Slack plus interface endpoints for each AWS API in every ' +
  'stage, with more ways to fail and no data path to protect.';

function stateMachineResources({ stage, tasks }) {
  const resources = {
    DailyStateMachine: {
      Type: 'AWS::StepFunctions::StateMachine',
      Properties: {
        StateMachineName: `wa-analytics-${stage}-daily`,
        StateMachineType: 'STANDARD',
        RoleArn: { 'Fn::GetAtt': ['DailyStateMachineRole', 'Arn'] },
        DefinitionString: definitionText,
        DefinitionSubstitutions: Object.fromEntries(tasks.map((t) => [t.placeholder, { 'Fn::GetAtt': [t.functionLogicalId, 'Arn'] }])),
        // Every state event, never the execution data (dates and counts only, but it is the rule).
        LoggingConfiguration: {
          Level: 'ALL',
          IncludeExecutionData: false,
          Destinations: [{ CloudWatchLogsLogGroup: { LogGroupArn: { 'Fn::GetAtt': ['DailyStateMachineLogGroup', 'Arn'] } } }],
        },
        TracingConfiguration: { Enabled: true },
      },
    },
    DailyStateMachineRole: {
      Type: 'AWS::IAM::Role',
      Properties: {
        Description: `wa-analytics ${stage} daily workflow state machine`,
        AssumeRolePolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { Service: 'states.amazonaws.com' },
              Action: 'sts:AssumeRole',
              Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
            },
          ],
        },
        Policies: [
          {
            PolicyName: 'run-daily-workflow',
            PolicyDocument: {
              Version: '2012-10-17',
              Statement: [
                { Sid: 'InvokeTasks', Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: tasks.map((t) => ({ 'Fn::GetAtt': [t.functionLogicalId, 'Arn'] })) },
                // Step Functions delivers logs through the CloudWatch Logs delivery APIs, which
                // support no resource-level permissions (AWS documents Resource "*" for them).
                {
                  Sid: 'LogDelivery',
                  Effect: 'Allow',
                  Action: [
                    'logs:CreateLogDelivery',
                    'logs:GetLogDelivery',
                    'logs:UpdateLogDelivery',
                    'logs:DeleteLogDelivery',
                    'logs:ListLogDeliveries',
                    'logs:PutResourcePolicy',
                    'logs:DescribeResourcePolicies',
                    'logs:DescribeLogGroups',
                  ],
                  Resource: '*',
                },
                // X-Ray tracing: these actions support no resource-level permissions either.
                {
                  Sid: 'Tracing',
                  Effect: 'Allow',
                  Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords', 'xray:GetSamplingRules', 'xray:GetSamplingTargets'],
                  Resource: '*',
                },
              ],
            },
          },
        ],
      },
    },
  };
  const extensions = {};
  for (const t of tasks) {
    extensions[t.logGroupLogicalId] = { Properties: { KmsKeyId: { 'Fn::GetAtt': ['DataKey', 'Arn'] } } };
    extensions[t.functionLogicalId] = {
      Metadata: { guard: { SuppressedRules: ['lambda_inside_vpc_check'], SuppressionReasons: { lambda_inside_vpc_check: lambdaVpcReason } } },
    };
  }
  return { resources, extensions };
}

module.exports = {
  taskOfPlaceholder,
  stateMachineResources,
  /** serverless.yml: `${file(./resources/daily.cjs):cloudFormation}`. */
  async cloudFormation({ resolveVariable, resolveConfigurationProperty }) {
    const stage = await resolveVariable('sls:stage');
    const functions = await resolveConfigurationProperty(['functions']);
    const { resources, extensions } = stateMachineResources({ stage, tasks: taskFunctions(functions) });
    return { Resources: resources, extensions };
  },
};
