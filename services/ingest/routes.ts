import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { integrationRequestPayload } from '../../shared/apigw/payload';
import type { IntegrationResponseSpec } from '../../shared/apigw/types';
import { TemplateError } from '../../shared/errors';
import type { Source } from '../../shared/schema/types';

/**
 * The ingestion API, described once. The CloudFormation generator builds API Gateway (REST) from
 * this table and the local server serves the same routes, rendering the same template files with
 * shared/apigw. Nothing about a route should live anywhere else.
 */

/** Where a route's records come from (the envelope's `source`), or `verify` for Meta's handshake. */
export type RouteSource = Source | 'verify';
/** API Gateway method authorization. */
export type Authorization = 'NONE' | 'AWS_IAM';
/**
 * The local server's stand-in for AWS_IAM: our own routes (`/sends`, `/conversions`) take
 * `Authorization: Bearer <WA_REGISTRY_TOKEN>` instead of SigV4.
 */
export type LocalAuthorization = 'NONE' | 'BEARER';
/**
 * The `Fn::Sub` placeholders templates may hold. `TwilioBaseUrl`: the stage's public base URL
 * (stage parameter `twilioBaseUrl`, locally `--public-url`), which the Twilio routes' URL starts with.
 */
export type SubstitutionName = 'DeliveryStreamName' | 'VerifyToken' | 'TwilioBaseUrl';

/** AWS service integration straight to Firehose `PutRecord` (no Lambda on the hot path). */
export interface FirehoseIntegration {
  readonly type: 'AWS';
  /**
   * CONVERT_TO_TEXT with a binary media type: the request template's `$input.body` is the body's
   * bytes as base64, so any bytes (not only UTF-8) reach the record exactly as sent.
   */
  readonly contentHandling: 'CONVERT_TO_TEXT';
  readonly service: 'firehose';
  readonly action: 'PutRecord';
  /** Integration HTTP method for the action-style URI `arn:aws:apigateway:{region}:firehose:action/PutRecord`. */
  readonly httpMethod: 'POST';
  /** Integration request parameters: Firehose speaks AWS JSON 1.1. */
  readonly requestParameters: Readonly<Record<string, string>>;
}

/** API Gateway answers by itself; the request template's `statusCode` picks the integration response. */
export interface MockIntegration {
  readonly type: 'MOCK';
}

/** An integration response of this API: may also name statuses its template can override to. */
export interface RouteIntegrationResponse extends IntegrationResponseSpec {
  /**
   * Always CONVERT_TO_TEXT: with binary media types set, a client whose `Accept` names one would
   * otherwise have Firehose's (text) answer base64-decoded before the template reads it.
   */
  readonly contentHandling: 'CONVERT_TO_TEXT';
  /** Statuses the template may set through `$context.responseOverride.status` (need method responses too). */
  readonly overrideStatuses?: readonly number[];
}

export interface Route {
  /** Stable identifier, usable in CloudFormation logical ids. */
  readonly id: string;
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly source: RouteSource;
  readonly authorization: Authorization;
  readonly localAuthorization: LocalAuthorization;
  readonly integration: FirehoseIntegration | MockIntegration;
  /** Request template file, used for every content type in `requestContentTypes`. */
  readonly requestTemplate: string;
  /** Content types with a request template; any other is refused with 415 (passthrough NEVER). */
  readonly requestContentTypes: readonly string[];
  readonly passthroughBehavior: 'NEVER';
  /** `${Name}` placeholders in this route's templates, to be filled by Fn::Sub (AWS) or the local server. */
  readonly substitutions: readonly SubstitutionName[];
  readonly integrationResponses: readonly RouteIntegrationResponse[];
}

const JSON_TYPE = 'application/json';
/** Twilio posts its webhooks as forms (a JSON body only with `bodySHA256` in the URL). */
const FORM_TYPE = 'application/x-www-form-urlencoded';

/**
 * The REST API's `binaryMediaTypes`: request bodies of these types are bytes, not text, so API
 * Gateway does not read them as UTF-8 (which replaces invalid bytes and breaks signatures).
 * Matched on type/subtype, parameters such as `charset` ignored. Not `*\/*`: that would make
 * Firehose's own `application/x-amz-json-1.1` answers binary too.
 */
export const binaryMediaTypes: readonly string[] = [JSON_TYPE, FORM_TYPE];

const firehose: FirehoseIntegration = {
  type: 'AWS',
  service: 'firehose',
  action: 'PutRecord',
  httpMethod: 'POST',
  contentHandling: 'CONVERT_TO_TEXT',
  requestParameters: { 'integration.request.header.Content-Type': "'application/x-amz-json-1.1'" },
};

/**
 * Firehose's status codes to ours. The patterns do not overlap (AWS does not say which of two
 * matching patterns wins), and no Firehose failure can reach a 200: the default is a 500.
 */
const firehoseResponses: readonly RouteIntegrationResponse[] = [
  { selectionPattern: '2\\d{2}', statusCode: 200, template: 'firehose-ok.response.vtl', contentType: JSON_TYPE, contentHandling: 'CONVERT_TO_TEXT' },
  { selectionPattern: '413', statusCode: 413, template: 'firehose-too-large.response.vtl', contentType: JSON_TYPE, contentHandling: 'CONVERT_TO_TEXT' },
  {
    // Every 4xx but 413; a record over the size limit arrives here as a 400 and is overridden to 413.
    selectionPattern: '4(0\\d|1[0-24-9]|[2-9]\\d)',
    statusCode: 500,
    template: 'firehose-rejected.response.vtl',
    contentType: JSON_TYPE,
    contentHandling: 'CONVERT_TO_TEXT',
    overrideStatuses: [413],
  },
  { selectionPattern: '5\\d{2}', statusCode: 503, template: 'firehose-unavailable.response.vtl', contentType: JSON_TYPE, contentHandling: 'CONVERT_TO_TEXT' },
  { selectionPattern: null, statusCode: 500, template: 'firehose-error.response.vtl', contentType: JSON_TYPE, contentHandling: 'CONVERT_TO_TEXT' },
];

function ingestRoute(id: string, path: string, source: Source, authorization: Authorization): Route {
  return {
    id,
    method: 'POST',
    path,
    source,
    authorization,
    localAuthorization: authorization === 'AWS_IAM' ? 'BEARER' : 'NONE',
    integration: firehose,
    requestTemplate: 'firehose-put.request.vtl',
    requestContentTypes: [JSON_TYPE],
    passthroughBehavior: 'NEVER',
    substitutions: ['DeliveryStreamName'],
    integrationResponses: firehoseResponses,
  };
}

/**
 * The Twilio routes' answers: Firehose's, but the 200 is an empty TwiML `<Response/>`, which is what
 * Twilio reads the answer to an inbound-message webhook as.
 */
const twilioResponses: readonly RouteIntegrationResponse[] = firehoseResponses.map((r) =>
  r.statusCode === 200 ? { ...r, template: 'twilio-ok.response.vtl', contentType: 'text/xml' } : r,
);

/**
 * A Twilio webhook route: forms (and JSON signed through `bodySHA256`) into Firehose with the
 * Twilio template, which also records the URL Twilio signed.
 */
function twilioRoute(id: string, path: string): Route {
  return {
    ...ingestRoute(id, path, 'twilio', 'NONE'),
    requestTemplate: 'twilio-put.request.vtl',
    requestContentTypes: [FORM_TYPE, JSON_TYPE],
    substitutions: ['DeliveryStreamName', 'TwilioBaseUrl'],
    integrationResponses: twilioResponses,
  };
}

/** Every route of the ingestion API. */
export const routes = [
  ingestRoute('MetaWebhookPost', '/webhooks/meta', 'meta', 'NONE'),
  ingestRoute('WasenderWebhookPost', '/webhooks/wasender', 'wasender', 'NONE'),
  ingestRoute('SendsPost', '/sends', 'registry', 'AWS_IAM'),
  // Conversions the business posts: its own systems, authorized like the send registry.
  ingestRoute('ConversionsPost', '/conversions', 'conversions', 'AWS_IAM'),
  // Twilio's "A message comes in" webhook and its status callbacks: one source, two URLs.
  twilioRoute('TwilioWebhookPost', '/webhooks/twilio'),
  twilioRoute('TwilioStatusPost', '/webhooks/twilio/status'),
  {
    id: 'MetaWebhookVerifyGet',
    method: 'GET',
    path: '/webhooks/meta',
    source: 'verify',
    authorization: 'NONE',
    localAuthorization: 'NONE',
    integration: { type: 'MOCK' },
    requestTemplate: 'meta-verify.request.vtl',
    // API Gateway takes a request without Content-Type (Meta's GET has none) as application/json.
    requestContentTypes: [JSON_TYPE],
    passthroughBehavior: 'NEVER',
    substitutions: ['VerifyToken'],
    integrationResponses: [
      { selectionPattern: '200', statusCode: 200, template: 'meta-verify-challenge.response.vtl', contentType: 'text/plain', contentHandling: 'CONVERT_TO_TEXT' },
      { selectionPattern: null, statusCode: 403, template: 'meta-verify-forbidden.response.vtl', contentType: JSON_TYPE, contentHandling: 'CONVERT_TO_TEXT' },
    ],
  },
] as const satisfies readonly Route[];

/** The Twilio routes' paths: the URLs to paste into the Twilio console are the public base URL + these. */
export const twilioPaths: readonly string[] = routes.filter((r) => r.source === 'twilio').map((r) => r.path);

/** Paths of the routes the local server guards with the registry's bearer token (AWS_IAM on AWS). */
export const bearerPaths: readonly string[] = routes.filter((r) => r.localAuthorization === 'BEARER').map((r) => r.path);

/** The routes in one line for the operator: `POST /a, /b; GET /c`. */
export function routesLine(): string {
  const methods = [...new Set(routes.map((r) => r.method))];
  return methods.map((m) => `${m} ${routes.filter((r) => r.method === m).map((r) => r.path).join(', ')}`).join('; ');
}

/** The route for a method and resource path, if any. */
export function findRoute(method: string, path: string): Route | undefined {
  return routes.find((r) => r.method === method.toUpperCase() && r.path === path);
}

/**
 * Whether a request's Content-Type has a request template on this route. Parameters such as
 * `charset` are ignored and a missing header counts as application/json, as on API Gateway; a
 * false answer means 415 Unsupported Media Type.
 */
export function acceptsContentType(route: Route, contentType: string | undefined): boolean {
  const media = (contentType ?? '').split(';')[0]!.trim().toLowerCase() || JSON_TYPE;
  return route.requestContentTypes.includes(media);
}

/**
 * What a route's request template sees as `$input.body` for a body of this Content-Type: the
 * webhook routes get its bytes as base64 (see {@link binaryMediaTypes}).
 */
export function integrationPayload(route: Route, body: Buffer, contentType: string | undefined): Buffer | string {
  const handling = route.integration.type === 'AWS' ? route.integration.contentHandling : undefined;
  return integrationRequestPayload(body, contentType, binaryMediaTypes, handling);
}

/** Every status a route's method can answer: integration response statuses plus template overrides. */
export function methodResponseStatuses(route: Route): number[] {
  const statuses = new Set<number>();
  for (const r of route.integrationResponses) {
    statuses.add(r.statusCode);
    for (const s of r.overrideStatuses ?? []) statuses.add(s);
  }
  return [...statuses].sort((a, b) => a - b);
}

const TEMPLATE_DIR = join(__dirname, 'templates');

/** Every template file the routes use. */
export const templateNames: readonly string[] = [
  ...new Set(routes.flatMap((r) => [r.requestTemplate, ...r.integrationResponses.map((x) => x.template)])),
];

/** Absolute path of a template file; only names the routes use are accepted. */
export function templatePath(name: string): string {
  if (basename(name) !== name || !templateNames.includes(name)) throw new TemplateError(`unknown mapping template: ${name}`);
  return join(TEMPLATE_DIR, name);
}

const loaded = new Map<string, string>();

/** The text of a template file, read once and cached. */
export function loadTemplate(name: string): string {
  let text = loaded.get(name);
  if (text === undefined) {
    const path = templatePath(name);
    try {
      text = readFileSync(path, 'utf8');
    } catch (cause) {
      throw new TemplateError(`cannot read mapping template ${name}`, { cause });
    }
    loaded.set(name, text);
  }
  return text;
}
