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

/** The method request as API Gateway's templates see it, from a fastify request. */
export function apiRequestOf(request: FastifyRequest, facts: RequestFacts): ApiRequest {
  const url = request.raw.url ?? '/';
  const q = url.indexOf('?');
  const body = request.body;
  const contentType = request.headers['content-type'];
  const userAgent = request.headers['user-agent'];
  return {
    method: request.method,
    resourcePath: facts.route.path,
    // On AWS `$context.path` starts with the stage name.
    path: `/${facts.stage}${q < 0 ? url : url.slice(0, q)}`,
    headers: headersOf(request.raw.rawHeaders, facts.hiddenHeader),
    query: queryOf(request.query),
    body: integrationPayload(facts.route, Buffer.isBuffer(body) ? body : Buffer.alloc(0), contentType),
    requestId: facts.requestId,
    requestTimeEpoch: facts.requestTimeEpoch,
    stage: facts.stage,
    sourceIp: request.ip,
    ...(userAgent === undefined ? {} : { userAgent }),
  };
}
