import type { FastifyRequest } from 'fastify';
import type { ApiRequest } from '../shared/apigw/types';
import { integrationPayload, type Route } from '../services/ingest/routes';

/** Everything about one request that is not in the HTTP message itself. */
export interface RequestFacts {
  readonly route: Route;
  readonly stage: string;
  readonly requestId: string;
  readonly requestTimeEpoch: number;
  /** A header name (lower case) left out of the request the templates see. */
  readonly hiddenHeader?: string;
}

/**
 * One HTTP request as the API sees it, whichever HTTP layer read it (fastify, or the listening
 * server's direct path for webhook posts; see direct-ingest.ts).
 */
export interface HttpRequest {
  readonly method: string;
  /** The request target as sent: path and query string. */
  readonly url: string;
  /** Header names and values in the order and case they arrived (Node's `rawHeaders`). */
  readonly rawHeaders: readonly string[];
  /** Header values by lower-case name (Node's `headers`). */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** Query string values by name; a repeated name may carry an array. */
  readonly query: unknown;
  readonly body: Buffer;
  readonly sourceIp: string;
}

/** The HTTP request of a fastify request (its body as read by the raw-bytes parser). */
export function httpRequestOf(request: FastifyRequest): HttpRequest {
  return {
    method: request.method,
    url: request.raw.url ?? '/',
    rawHeaders: request.raw.rawHeaders,
    headers: request.headers,
    query: request.query,
    body: Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0),
    sourceIp: request.ip,
  };
}

/**
 * Header values by name as sent (API Gateway's single-value view: the last value of a repeated
 * header wins). Built from the raw header list so that names keep the case they arrived in.
 */
function headersOf(rawHeaders: readonly string[], hidden: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!;
    if (hidden !== undefined && name.toLowerCase() === hidden) continue;
    out[name] = rawHeaders[i + 1]!;
  }
  return out;
}

function queryOf(query: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (query === null || typeof query !== 'object') return out;
  for (const [name, value] of Object.entries(query as Record<string, unknown>)) {
    if (Array.isArray(value)) out[name] = String(value[value.length - 1] ?? '');
    else if (value !== undefined) out[name] = String(value);
  }
  return out;
}

/** One header value from Node's parsed headers: the last of a repeated header, as API Gateway keeps it. */
export const headerValue = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? value[value.length - 1] : value);

/** The method request as API Gateway's templates see it. */
export function apiRequestOf(request: HttpRequest, facts: RequestFacts): ApiRequest {
  const url = request.url;
  const q = url.indexOf('?');
  const userAgent = headerValue(request.headers['user-agent']);
  return {
    method: request.method,
    resourcePath: facts.route.path,
    // On AWS `$context.path` starts with the stage name.
    path: `/${facts.stage}${q < 0 ? url : url.slice(0, q)}`,
    headers: headersOf(request.rawHeaders, facts.hiddenHeader),
    query: queryOf(request.query),
    body: integrationPayload(facts.route, request.body, headerValue(request.headers['content-type'])),
    requestId: facts.requestId,
    requestTimeEpoch: facts.requestTimeEpoch,
    stage: facts.stage,
    sourceIp: request.sourceIp,
    ...(userAgent === undefined ? {} : { userAgent }),
  };
}
