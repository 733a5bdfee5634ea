/**
 * API Gateway resources, methods and the deployment, generated from the route table
 * (services/ingest/routes.ts) and its template files, so the deployed API and the local server
 * can never disagree. The API itself, its stage and roles are in resources/api.yml.
 */
const crypto = require('node:crypto');
const requireTs = require('./ts.cjs');

const { routes, loadTemplate, methodResponseStatuses, binaryMediaTypes } = requireTs('../services/ingest/routes.ts');
const { reportRoute } = requireTs('../services/reports/route.ts');
const { parsePublicBaseUrl } = requireTs('../shared/public-url.ts');

// `/reports/{date}` -> `ReportsDate`: word starts upper-cased, everything else not alphanumeric dropped.
const pascal = (text) => text.replace(/(^|[^A-Za-z0-9]+)([A-Za-z0-9])/g, (_, __, c) => c.toUpperCase()).replace(/[^A-Za-z0-9]/g, '');

/** `/webhooks/meta` -> `ApiResourceWebhooksMeta`. */
const resourceLogicalId = (path) => `ApiResource${pascal(path)}`;

/** A template's text, through Fn::Sub when it holds `${Name}` placeholders the route declares. */
function templateValue(route, name, substitutions) {
  const text = loadTemplate(name);
  const used = [...new Set([...text.matchAll(/\$\{([A-Za-z0-9]+)\}/g)].map((m) => m[1]))];
  const undeclared = used.filter((n) => !route.substitutions.includes(n) || !(n in substitutions));
  if (undeclared.length > 0) throw new Error(`${name} (route ${route.id}) uses undeclared placeholders: ${undeclared.join(', ')}`);
  if (used.length === 0) return text;
  return { 'Fn::Sub': [text, Object.fromEntries(used.map((n) => [n, substitutions[n]]))] };
}

/** One `AWS::ApiGateway::Resource` per path prefix. */
function pathResources(paths) {
  const resources = {};
  for (const path of paths) {
    const parts = path.split('/').filter(Boolean);
    parts.forEach((part, i) => {
      const prefix = `/${parts.slice(0, i + 1).join('/')}`;
      const parent = i === 0 ? { 'Fn::GetAtt': ['RestApi', 'RootResourceId'] } : { Ref: resourceLogicalId(`/${parts.slice(0, i).join('/')}`) };
      resources[resourceLogicalId(prefix)] = {
        Type: 'AWS::ApiGateway::Resource',
        Properties: { RestApiId: { Ref: 'RestApi' }, ParentId: parent, PathPart: part },
      };
    });
  }
  return resources;
}

function integration(route, substitutions) {
  const requestTemplates = Object.fromEntries(route.requestContentTypes.map((ct) => [ct, templateValue(route, route.requestTemplate, substitutions)]));
  const integrationResponses = route.integrationResponses.map((r) => ({
    ...(r.selectionPattern === null ? {} : { SelectionPattern: r.selectionPattern }),
    StatusCode: String(r.statusCode),
    ContentHandling: r.contentHandling,
    ResponseTemplates: { [r.contentType]: templateValue(route, r.template, substitutions) },
  }));
  const common = { PassthroughBehavior: route.passthroughBehavior, RequestTemplates: requestTemplates, IntegrationResponses: integrationResponses };
  if (route.integration.type === 'MOCK') return { Type: 'MOCK', ...common };
  const { service, action, httpMethod, requestParameters, contentHandling } = route.integration;
  return {
    Type: 'AWS',
    IntegrationHttpMethod: httpMethod,
    Uri: { 'Fn::Sub': `arn:\${AWS::Partition}:apigateway:\${AWS::Region}:${service}:action/${action}` },
    // The only role API Gateway gets: firehose:PutRecord on this stage's stream.
    Credentials: { 'Fn::GetAtt': ['ApiFirehoseRole', 'Arn'] },
    RequestParameters: requestParameters,
    // The body reaches the template as base64 of its bytes (it is a binary media type).
    ContentHandling: contentHandling,
    ...common,
  };
}

function method(route, substitutions) {
  return {
    Type: 'AWS::ApiGateway::Method',
    Properties: {
      RestApiId: { Ref: 'RestApi' },
      ResourceId: { Ref: resourceLogicalId(route.path) },
      HttpMethod: route.method,
      AuthorizationType: route.authorization,
      Integration: integration(route, substitutions),
      MethodResponses: methodResponseStatuses(route).map((s) => ({ StatusCode: String(s) })),
    },
  };
}

/**
 * `GET /reports/{date}`: a Lambda proxy integration to the report-link function, and the one
 * permission API Gateway needs to invoke it, limited to this API's GET on that resource.
 */
function reportLinkResources() {
  const { id, method: httpMethod, path, pathParameter, functionLogicalId } = reportRoute;
  const invokePath = path.replace(/\{[^}]+\}/g, '*');
  return {
    [`ApiMethod${id}`]: {
      Type: 'AWS::ApiGateway::Method',
      Properties: {
        RestApiId: { Ref: 'RestApi' },
        ResourceId: { Ref: resourceLogicalId(path) },
        HttpMethod: httpMethod,
        // The signature in the query authorizes the reader; the function checks it.
        AuthorizationType: 'NONE',
        RequestParameters: { [`method.request.path.${pathParameter}`]: true },
        Integration: {
          Type: 'AWS_PROXY',
          IntegrationHttpMethod: 'POST',
          Uri: { 'Fn::Sub': `arn:\${AWS::Partition}:apigateway:\${AWS::Region}:lambda:path/2015-03-31/functions/\${${functionLogicalId}.Arn}/invocations` },
        },
      },
    },
    [`${id}InvokePermission`]: {
      Type: 'AWS::Lambda::Permission',
      Metadata: {
        guard: {
          SuppressedRules: ['lambda_function_public_access_prohibited_check'],
          SuppressionReasons: {
            lambda_function_public_access_prohibited_check:
              'CT.LAMBDA.PR.2: the principal is the API Gateway service and SourceArn limits it to GET on this ' +
              "stage API's /reports/* (arn:…:execute-api:<region>:<account>:<api id>/*/GET/reports/*). The rule " +
              'accepts only a literal string or a Ref/GetAtt there, and a REST API has no ARN attribute, so the ' +
              'Fn::Sub that names the API id is not recognised; SourceAccount is this account too.',
          },
        },
      },
      Properties: {
        FunctionName: { 'Fn::GetAtt': [functionLogicalId, 'Arn'] },
        Action: 'lambda:InvokeFunction',
        Principal: 'apigateway.amazonaws.com',
        SourceAccount: { Ref: 'AWS::AccountId' },
        SourceArn: { 'Fn::Sub': `arn:\${AWS::Partition}:execute-api:\${AWS::Region}:\${AWS::AccountId}:\${RestApi}/*/${httpMethod}${invokePath}` },
      },
    },
  };
}

/**
 * The public base URL the Twilio routes' URLs start with: the stage parameter `twilioBaseUrl`,
 * checked, when set (a custom domain or a proxy in front of the API); else the stage's own
 * execute-api URL, built from the API's id at deploy time. The methods already depend on the
 * RestApi, and the RestApi on nothing of theirs, so there is no cycle.
 */
function twilioBaseUrl(param, stage) {
  if (param !== undefined && param !== null && String(param).trim() !== '') return parsePublicBaseUrl(String(param), 'the stage parameter twilioBaseUrl');
  return { 'Fn::Join': ['', ['https://', { Ref: 'RestApi' }, '.execute-api.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }, `/${stage}`]] };
}

/**
 * Resources, methods and a deployment whose logical id hashes the routes: CloudFormation creates a
 * new deployment (and the stage moves to it) exactly when a route or template changed.
 */
function apiResources({ verifyTokenParam, twilioBaseUrlParam, stage }) {
  const substitutions = {
    DeliveryStreamName: { Ref: 'DeliveryStream' },
    // Resolved by CloudFormation at deploy time; the token itself never enters the template.
    VerifyToken: `{{resolve:ssm:${verifyTokenParam}}}`,
    TwilioBaseUrl: twilioBaseUrl(twilioBaseUrlParam, stage),
  };
  const resources = pathResources([...new Set([...routes.map((r) => r.path), reportRoute.path])]);
  const methodIds = [...routes.map((r) => `ApiMethod${r.id}`), `ApiMethod${reportRoute.id}`];
  routes.forEach((r, i) => {
    resources[methodIds[i]] = method(r, substitutions);
  });
  Object.assign(resources, reportLinkResources());
  const hash = crypto.createHash('sha256').update(JSON.stringify(resources)).digest('hex').slice(0, 12);
  const deploymentId = `ApiDeployment${hash}`;
  resources[deploymentId] = {
    Type: 'AWS::ApiGateway::Deployment',
    DependsOn: methodIds,
    Properties: { RestApiId: { Ref: 'RestApi' }, Description: `routes ${hash}` },
  };
  return { resources, deploymentId };
}

/**
 * One output per AWS_IAM route: the `execute-api:Invoke` resource a caller's IAM policy grants
 * (`…:<api id>/<stage>/POST/conversions`), so nobody has to assemble it from the API id by hand.
 */
function invokeArnOutputs() {
  const outputs = {};
  for (const route of routes.filter((r) => r.authorization === 'AWS_IAM')) {
    outputs[`${route.id}InvokeArn`] = {
      Description: `execute-api:Invoke resource of ${route.method} ${route.path} (AWS_IAM): grant it to the systems that call it`,
      Value: { 'Fn::Sub': `arn:\${AWS::Partition}:execute-api:\${AWS::Region}:\${AWS::AccountId}:\${RestApi}/\${ApiStage}/${route.method}${route.path}` },
    };
  }
  return outputs;
}

/**
 * The URLs to paste into the Twilio console, one output per Twilio route (`TwilioWebhookPost` ->
 * `TwilioWebhookUrl`): the "A message comes in" webhook and the status callback URL.
 */
function twilioUrlOutputs(twilioBaseUrlParam, stage) {
  const base = twilioBaseUrl(twilioBaseUrlParam, stage);
  const outputs = {};
  for (const route of routes.filter((r) => r.source === 'twilio')) {
    outputs[`${route.id.replace(/Post$/, '')}Url`] = {
      Description: `Twilio console URL (HTTP POST) of ${route.path}; Twilio signs this exact URL`,
      Value: typeof base === 'string' ? `${base}${route.path}` : { 'Fn::Join': ['', [...base['Fn::Join'][1], route.path]] },
    };
  }
  return outputs;
}

async function stageConfig({ resolveVariable }) {
  return {
    verifyTokenParam: await resolveVariable('param:verifyTokenParam'),
    twilioBaseUrlParam: await resolveVariable('param:twilioBaseUrl'),
    stage: await resolveVariable('sls:stage'),
  };
}

const fromConfig = async (serverless) => apiResources(await stageConfig(serverless));

module.exports = {
  apiResources,
  /** serverless.yml (api.yml): the RestApi's `BinaryMediaTypes`, from the route table. */
  binaryMediaTypes: [...binaryMediaTypes],
  /** serverless.yml: `${file(./resources/api.cjs):cloudFormation}`. */
  async cloudFormation(serverless) {
    const config = await stageConfig(serverless);
    return { Resources: apiResources(config).resources, Outputs: { ...invokeArnOutputs(), ...twilioUrlOutputs(config.twilioBaseUrlParam, config.stage) } };
  },
  /** serverless.yml: the stage's `DeploymentId: !Ref ${file(./resources/api.cjs):deploymentLogicalId}`. */
  async deploymentLogicalId(serverless) {
    return (await fromConfig(serverless)).deploymentId;
  },
};
