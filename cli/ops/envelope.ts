import { renderTemplate } from '../../shared/apigw/render';
import type { ApiRequest } from '../../shared/apigw/types';
import { TemplateError } from '../../shared/errors';
import type { Source } from '../../shared/schema/types';
import { integrationPayload, loadTemplate, routes } from '../../services/ingest/routes';

/**
 * The Firehose record the ingestion API would have written for a body. It is made by rendering
 * the API's own request template (services/ingest/templates/firehose-put.request.vtl) with a
 * synthetic method request, never by a second encoder: a change to the template changes what
 * replay and requeue send in the same commit, and the test renders both to prove it.
 */

/** The facts of the request the sender would have made. */
export interface EnvelopeRequest {
  readonly source: Source;
  /** The raw body bytes, untouched. */
  readonly body: Buffer;
  /** The signature header value (`X-Hub-Signature-256` / `X-Webhook-Signature`), or null. */
  readonly signature: string | null;
  readonly requestId: string;
  /** Receive time, epoch milliseconds (`$context.requestTimeEpoch`). */
  readonly receivedTs: number;
}

/** The header each source's signature arrives in; our own routes have none (IAM authorizes them). */
const signatureHeader: Record<Source, string | null> = {
  meta: 'X-Hub-Signature-256',
  wasender: 'X-Webhook-Signature',
  registry: null,
  conversions: null,
  twilio: 'X-Twilio-Signature',
};

const ingestRoutes = routes.filter((r) => r.method === 'POST');

function routeOf(source: Source) {
  const route = ingestRoutes.find((r) => r.source === source);
  if (route === undefined) throw new TemplateError(`no ingestion route for source ${source}`);
  return route;
}

// Only Record.Data is kept; the name fills the template's one placeholder.
const substitutions = { DeliveryStreamName: 'wa-analytics-ops' } as const;

/** The method request API Gateway would have seen (stage `ops`, as a marker in `$context`). */
export function syntheticRequest(request: EnvelopeRequest): ApiRequest {
  const route = routeOf(request.source);
  const header = signatureHeader[request.source];
  const contentType = 'application/json';
  const headers: Record<string, string> = { 'Content-Type': contentType };
  if (header !== null && request.signature !== null) headers[header] = request.signature;
  return {
    method: 'POST',
    resourcePath: route.path,
    path: `/ops${route.path}`,
    headers,
    query: {},
    body: integrationPayload(route, request.body, contentType),
    requestId: request.requestId,
    requestTimeEpoch: request.receivedTs,
    stage: 'ops',
    sourceIp: '127.0.0.1',
  };
}

/** The record's data bytes (the envelope JSON), exactly as the API's template renders them. */
export function envelopeRecord(request: EnvelopeRequest): Buffer {
  const route = routeOf(request.source);
  const rendered = renderTemplate(loadTemplate(route.requestTemplate), syntheticRequest(request), substitutions);
  let data: unknown;
  try {
    data = (JSON.parse(rendered) as { Record?: { Data?: unknown } }).Record?.Data;
  } catch (cause) {
    throw new TemplateError('the PutRecord template did not render JSON', { cause });
  }
  if (typeof data !== 'string') throw new TemplateError('the PutRecord template rendered no Record.Data');
  return Buffer.from(data, 'base64');
}
