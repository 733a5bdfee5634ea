import { createHash, timingSafeEqual } from 'node:crypto';
import { renderResponseTemplate } from '../shared/apigw/render';
import type { ApiRequest, IntegrationResponseSpec, MethodResponse, Substitutions } from '../shared/apigw/types';
import { bearerPaths, loadTemplate, routes, type Route } from '../services/ingest/routes';

/*
 * What the local API answers by itself, as API Gateway does: its gateway responses, the bearer
 * check standing in for AWS_IAM, the static integration responses rendered once, and the
 * operator log's throttle.
 */

/** API Gateway's own answers (gateway responses), which never reach an integration. */
export const gateway = {
  missingToken: { status: 403, body: '{"message":"Missing Authentication Token"}', errorType: 'MissingAuthenticationTokenException' },
  tooLarge: { status: 413, body: '{"message":"Request Too Long"}', errorType: 'RequestTooLarge' },
  unsupportedMedia: { status: 415, body: '{"message":"Unsupported Media Type"}', errorType: 'UnsupportedMediaTypeException' },
  registryDisabled: {
    status: 403,
    body: JSON.stringify({ message: `registry disabled: set WA_REGISTRY_TOKEN to accept POST ${bearerPaths.join(' and ')}` }),
    errorType: 'AccessDeniedException',
  },
  registryUnauthorized: {
    status: 401,
    body: '{"message":"Unauthorized: send Authorization: Bearer <the value of WA_REGISTRY_TOKEN>"}',
    errorType: 'UnauthorizedException',
  },
  badRequest: { status: 400, body: '{"message":"Bad Request"}', errorType: 'BadRequestException' },
  // What API Gateway answers when its throttling limits are hit; senders retry.
  throttled: { status: 429, body: '{"message":"Too Many Requests"}', errorType: 'TooManyRequestsException' },
} as const;

export type GatewayResponse = (typeof gateway)[keyof typeof gateway];

/** A gateway response as the answer it is. */
export const gatewayAnswer = (r: GatewayResponse): MethodResponse => ({ status: r.status, contentType: 'application/json', body: r.body, headers: { 'x-amzn-ErrorType': r.errorType } });

/** SHA-256 of a token, so tokens of any length compare in constant time. */
export const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

/** The local stand-in for AWS_IAM on the bearer routes: `Authorization: Bearer <WA_REGISTRY_TOKEN>`. */
export function bearerDenial(header: string | undefined, expected: Buffer | null): GatewayResponse | null {
  if (expected === null) return gateway.registryDisabled;
  const m = header === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(header);
  // Hashing both sides gives equal lengths for a constant-time compare.
  return m !== null && timingSafeEqual(digest(m[1]!), expected) ? null : gateway.registryUnauthorized;
}

/** At most one line a second, so a failing disk at thousands of requests a second stays readable. */
export function throttled(log: (line: string) => void): (line: string) => void {
  let last = 0;
  let suppressed = 0;
  return (line) => {
    const t = Date.now();
    if (t - last < 1000) {
      suppressed++;
      return;
    }
    last = t;
    log(suppressed > 0 ? `${line} (${suppressed} similar lines suppressed)` : line);
    suppressed = 0;
  };
}

/** True when a template is plain text once VTL comments are gone, so it renders the same every time. */
function isStaticTemplate(text: string): boolean {
  return !/[$#]/.test(text.replace(/#\*[\s\S]*?\*#/g, '').replace(/##.*$/gm, ''));
}

const probeRequest = (stage: string): ApiRequest => ({ method: 'POST', resourcePath: '/', path: '/', headers: {}, query: {}, body: '', requestId: '', requestTimeEpoch: 0, stage, sourceIp: '127.0.0.1' });

/**
 * Method responses of the integration responses whose template is static, rendered once by the
 * real renderer: the 200 of every webhook then costs no template work.
 */
export function staticResponses(substitutions: Substitutions, stage: string): Map<IntegrationResponseSpec, MethodResponse> {
  const out = new Map<IntegrationResponseSpec, MethodResponse>();
  for (const route of routes as readonly Route[]) {
    for (const spec of route.integrationResponses) {
      const text = loadTemplate(spec.template);
      if (!isStaticTemplate(text)) continue;
      const r = renderResponseTemplate(text, probeRequest(stage), '', substitutions);
      out.set(spec, { status: r.statusOverride ?? spec.statusCode, contentType: spec.contentType, body: r.body, headers: r.headerOverrides });
    }
  }
  return out;
}

