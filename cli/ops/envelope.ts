import { renderTemplate } from '../../shared/apigw/render';
import type { ApiRequest } from '../../shared/apigw/types';
import { decodeRecordData } from '../../shared/envelope';
import { InputError, TemplateError } from '../../shared/errors';
import type { Source } from '../../shared/schema/types';
import { integrationPayload, loadTemplate, routes, type Route } from '../../services/ingest/routes';

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
  /**
   * Twilio only: the full URL Twilio signed (scheme, host, path, query string). It picks the route
   * (the one its path ends with) and becomes the template's base URL and query. Null or absent:
   * the record carries no url, which a stage checking Twilio signatures quarantines, saying so.
   */
  readonly url?: string | null;
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

/** The Twilio request a URL describes: the route its path ends with, the base before it, its query. */
interface TwilioTarget {
  readonly route: Route;
  readonly base: string;
  readonly query: Record<string, string>;
}

function routeOf(source: Source): Route {
  const route = ingestRoutes.find((r) => r.source === source);
  if (route === undefined) throw new TemplateError(`no ingestion route for source ${source}`);
  return route;
}

/**
 * Splits the URL Twilio signed into what the template rebuilds it from. Longest route path first,
 * so `…/webhooks/twilio/status` is the status route. The query becomes the decoded map API Gateway
 * would hand the template (one value per name, the last).
 */
function twilioTarget(url: string): TwilioTarget {
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  const candidates = ingestRoutes.filter((r) => r.source === 'twilio').sort((a, b) => b.path.length - a.path.length);
  const route = candidates.find((r) => path.endsWith(r.path));
  if (route === undefined) throw new InputError(`the Twilio URL ${url} does not end with ${candidates.map((r) => r.path).join(' or ')}, so the ingestion API cannot have recorded it`);
  return { route, base: path.slice(0, path.length - route.path.length), query: q < 0 ? {} : Object.fromEntries(new URLSearchParams(url.slice(q + 1))) };
}

// Only Record.Data is kept; the name fills the template's placeholder, the base the Twilio one's.
const streamName = 'wa-analytics-ops';

function targetOf(request: EnvelopeRequest): { route: Route; query: Record<string, string>; twilioBaseUrl: string } {
  const url = request.url ?? null;
  if (request.source === 'twilio' && url !== null) {
    const { route, base, query } = twilioTarget(url);
    return { route, query, twilioBaseUrl: base };
  }
  // No URL to record: an empty base leaves the record's url empty.
  return { route: routeOf(request.source), query: {}, twilioBaseUrl: '' };
}

/** The method request API Gateway would have seen (stage `ops`, as a marker in `$context`). */
export function syntheticRequest(request: EnvelopeRequest): ApiRequest {
  const { route, query } = targetOf(request);
  const header = signatureHeader[request.source];
  // A form for Twilio's routes (their first type), JSON for the others: both are binary media types.
  const contentType = route.requestContentTypes[0]!;
  const headers: Record<string, string> = { 'Content-Type': contentType };
  if (header !== null && request.signature !== null) headers[header] = request.signature;
  return {
    method: 'POST',
    resourcePath: route.path,
    path: `/ops${route.path}`,
    headers,
    query,
    body: integrationPayload(route, request.body, contentType),
    requestId: request.requestId,
    requestTimeEpoch: request.receivedTs,
    stage: 'ops',
    sourceIp: '127.0.0.1',
  };
}

/**
 * The record's data bytes (the envelope JSON), exactly as the API's template renders them. A
 * Twilio URL whose query string the template would write differently (it re-encodes the decoded
 * values, as on API Gateway) is an InputError: that record could not verify.
 */
export function envelopeRecord(request: EnvelopeRequest): Buffer {
  const { route, twilioBaseUrl } = targetOf(request);
  const rendered = renderTemplate(loadTemplate(route.requestTemplate), syntheticRequest(request), { DeliveryStreamName: streamName, TwilioBaseUrl: twilioBaseUrl });
  let data: unknown;
  try {
    data = (JSON.parse(rendered) as { Record?: { Data?: unknown } }).Record?.Data;
  } catch (cause) {
    throw new TemplateError('the PutRecord template did not render JSON', { cause });
  }
  if (typeof data !== 'string') throw new TemplateError('the PutRecord template rendered no Record.Data');
  const url = request.url ?? null;
  if (request.source === 'twilio' && url !== null) {
    const recorded = decodeRecordData(data).url ?? null;
    if (recorded !== url) {
      throw new InputError(`the Twilio URL ${url} would be recorded as ${recorded}: its query string is not written as the API rebuilds it (name=value pairs, URL-encoded with + for spaces)`);
    }
  }
  return Buffer.from(data, 'base64');
}
