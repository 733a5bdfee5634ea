import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { isSafeSubstitution, renderTemplate } from '../shared/apigw/render';
import { FIREHOSE_MAX_RECORD_BYTES, recordTooLarge } from '../shared/apigw/firehose';
import { internalServerError, mockIntegrationStatus, pickIntegrationResponse, selectIntegrationResponse } from '../shared/apigw/select';
import type { ApiRequest, IntegrationResponseSpec, MethodResponse, Substitutions } from '../shared/apigw/types';
import { ConfigError, errorMessage, RequestRefusedError, WaError } from '../shared/errors';
import { acceptsContentType, loadTemplate, routes, type Route } from '../services/ingest/routes';
import { apiRequestOf, headerValue, httpRequestOf, type HttpRequest } from './api-request';
import { defaultMaxInFlightBytes, defaultRequestTimeoutMs, guardBodies } from './body-guard';
import { directIngestListener } from './direct-ingest';
import { bearerDenial, digest, gateway, gatewayAnswer, staticResponses, throttled, type GatewayResponse } from './gateway-answers';
import { LocalPutRecord, type RecordSink } from './firehose-put';

/** API Gateway's payload limit; bigger bodies never reach the integration. */
export const apiBodyLimit = 10 * 1024 * 1024;
/** Stage name in `$context.stage` and `$context.path` of local requests. */
export const localStage = 'local';

/** The Twilio routes' base URL for requests made in-process (`inject`) to a server that does not listen. */
export const unboundPublicUrl = 'http://127.0.0.1';

/** What the operator is told about without reading each response: bodies refused as too large. */
export interface IngestCounters {
  /** 413 answers: bodies over Firehose's record limit or API Gateway's payload limit (stored nowhere). */
  tooLarge: number;
}

export interface LocalServerOptions {
  /** Where accepted records go: the local delivery stream. */
  readonly sink: RecordSink;
  /** The stream name the templates' `${DeliveryStreamName}` becomes (and PutRecord checks). */
  readonly streamName: string;
  /** `WA_VERIFY_TOKEN`; null refuses every handshake. */
  readonly verifyToken: string | null;
  /** `WA_REGISTRY_TOKEN`; null refuses the bearer routes (`/sends`, `/conversions`) with 403. */
  readonly registryToken: string | null;
  /**
   * In-process replay only (never on a listening server): a header whose epoch-ms value becomes
   * the request's receive time. It is hidden from the templates.
   */
  readonly replayTimeHeader?: string;
  readonly now?: () => number;
  /** Counted here as requests are answered (the CloudWatch metric's local stand-in). */
  readonly counters?: IngestCounters;
  /**
   * In-process replay only: the bearer routes are the operator's own data dir, not a network
   * caller, so they need no bearer token.
   */
  readonly trustRegistry?: boolean;
  /** Operator log (default: stderr). */
  readonly log?: (line: string) => void;
  /**
   * The public base URL the Twilio routes record as the URL Twilio signed (`--public-url`, checked
   * by shared/public-url.ts). Absent or null: the server's own address once it listens,
   * `http://127.0.0.1:<port>`, and {@link unboundPublicUrl} for in-process requests (`inject`).
   */
  readonly publicUrl?: string | null;
  /** Request body bytes held at once across requests (default 32 MiB); more are answered 429. */
  readonly maxInFlightBytes?: number;
  /** Time a client has to send a whole request, body included (default 30 s); then 408. */
  readonly requestTimeoutMs?: number;
}

function sendGateway(reply: FastifyReply, r: GatewayResponse): FastifyReply {
  return sendMethodResponse(reply, gatewayAnswer(r));
}

function sendMethodResponse(reply: FastifyReply, r: MethodResponse): FastifyReply {
  return reply.code(r.status).headers(r.headers).header('content-type', r.contentType).send(r.body);
}

/** Keep-alive of idle connections (fastify's default, set on the server created for it). */
const keepAliveMs = 72_000;

/**
 * The ingestion API on one machine: the routes of services/ingest/routes.ts, rendering the same
 * mapping templates and integration responses as API Gateway. POST routes put the rendered
 * PutRecord's record into the local delivery stream and answer 200 only once it is durable.
 * Signatures are not checked here: the transform checks them, as on AWS.
 */
export function buildLocalServer(options: LocalServerOptions): FastifyInstance {
  const verifyToken = options.verifyToken ?? '';
  if (!isSafeSubstitution(verifyToken)) throw new ConfigError('WA_VERIFY_TOKEN must not contain quotes, backslashes, line breaks, $ or #');
  if (options.publicUrl != null && !isSafeSubstitution(options.publicUrl)) throw new ConfigError('the public URL must not contain quotes, backslashes, line breaks, $ or #');
  const base: Substitutions = { DeliveryStreamName: options.streamName, VerifyToken: verifyToken };
  // The Twilio routes' base URL: given, else the bound address, known once the server listens.
  let substitutions: Substitutions = { ...base, TwilioBaseUrl: options.publicUrl ?? unboundPublicUrl };
  const registryToken = options.registryToken === null ? null : digest(options.registryToken);
  const now = options.now ?? Date.now;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const logFailure = throttled(log);
  const logTooLarge = throttled(log);
  const counters = options.counters ?? { tooLarge: 0 };
  const tooLarge = (method: string, path: string, bytes: number | null): void => {
    counters.tooLarge++;
    const size = bytes === null ? 'the body' : `the body (${bytes} bytes)`;
    logTooLarge(`wa-analytics: ${method} ${path} answered 413: ${size} is over the record limit and was not stored (${counters.tooLarge} refused so far)`);
  };
  const timeHeader = options.replayTimeHeader?.toLowerCase();
  // Every template read once here: the hot path renders cached text (and cached parse trees).
  for (const route of routes) loadTemplate(route.requestTemplate);
  const fixed = staticResponses(substitutions, localStage);
  // The pick depends only on the route and the status code: remembered instead of re-matched.
  const picks = new Map<Route, Map<number, IntegrationResponseSpec | null>>();
  const pickFor = (route: Route, status: number): IntegrationResponseSpec | null => {
    let byStatus = picks.get(route);
    if (!byStatus) {
      byStatus = new Map();
      picks.set(route, byStatus);
    }
    let spec = byStatus.get(status);
    if (spec === undefined) {
      spec = pickIntegrationResponse(route, status);
      byStatus.set(status, spec);
    }
    return spec;
  };

  const requestTimeout = options.requestTimeoutMs ?? defaultRequestTimeoutMs;
  // The listening server's request listener: the direct path for webhook posts, set up below once
  // the body guard exists, in front of fastify's own listener.
  let listener: ((req: IncomingMessage, res: ServerResponse) => void) | null = null;
  let fastifyListener: (req: IncomingMessage, res: ServerResponse) => void = () => undefined;
  const app = Fastify({
    logger: false,
    bodyLimit: apiBodyLimit,
    exposeHeadRoutes: false,
    genReqId: () => randomUUID(),
    // A stalled body is cut off (Node answers 408), checked often enough for the timeout to mean
    // it. Node reads the timeout when the server is created, so it goes into the server options.
    requestTimeout,
    keepAliveTimeout: keepAliveMs,
    // The server fastify would create, with the same timeouts, whose listener tries the direct path first.
    serverFactory: (handler) => {
      fastifyListener = handler;
      return createServer({ requestTimeout, connectionsCheckingInterval: Math.min(1000, requestTimeout), keepAliveTimeout: keepAliveMs }, (req, res) => (listener ?? handler)(req, res));
    },
  });
  if (options.publicUrl == null) {
    app.addHook('onListen', (done) => {
      const address = app.server.address();
      if (address !== null && typeof address === 'object') {
        const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
        substitutions = { ...base, TwilioBaseUrl: `http://${host}:${address.port}` };
      }
      done();
    });
  }
  // The raw bytes, untouched, whatever the content type: signatures are over exact bytes.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  const receivedAt = (headers: HttpRequest['headers']): number => {
    if (timeHeader === undefined) return now();
    const ts = Number(headers[timeHeader]);
    return Number.isSafeInteger(ts) && ts > 0 ? ts : now();
  };

  const stream = new LocalPutRecord(options.streamName, options.sink);
  const integrate = async (route: Route, api: ApiRequest): Promise<{ status: number; body: string }> => {
    const rendered = renderTemplate(loadTemplate(route.requestTemplate), api, substitutions);
    if (route.integration.type === 'MOCK') return { status: mockIntegrationStatus(rendered), body: '' };
    return stream.put(rendered, api.requestTimeEpoch, (error) =>
      logFailure(`wa-analytics: ${route.method} ${route.path} answered 503: the record was not stored: ${errorMessage(error)}`),
    );
  };

  /** What the API answers a request on a route, whichever HTTP layer read it. */
  const respond = async (route: Route, http: HttpRequest, requestId: string): Promise<MethodResponse> => {
    if (route.localAuthorization === 'BEARER' && options.trustRegistry !== true) {
      const denial = bearerDenial(headerValue(http.headers.authorization), registryToken);
      if (denial !== null) return gatewayAnswer(denial);
    }
    if (!acceptsContentType(route, headerValue(http.headers['content-type']))) return gatewayAnswer(gateway.unsupportedMedia);
    const api = apiRequestOf(http, { route, stage: localStage, requestId, requestTimeEpoch: receivedAt(http.headers), hiddenHeader: timeHeader });
    let response: MethodResponse;
    try {
      const integration = await integrate(route, api);
      const spec = pickFor(route, integration.status);
      response = (spec && fixed.get(spec)) ?? selectIntegrationResponse(route, integration.status, integration.body, { request: api, loadTemplate, substitutions });
    } catch (error) {
      // A template that fails is API Gateway's 500; say why in the operator's log.
      if (!(error instanceof WaError)) throw error;
      log(`wa-analytics: ${route.method} ${route.path}: ${errorMessage(error)}`);
      response = internalServerError;
    }
    if (response.status === 413) tooLarge(route.method, route.path, http.body.length);
    return response;
  };

  const handle = async (route: Route, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    reply.header('x-amzn-RequestId', request.id);
    return sendMethodResponse(reply, await respond(route, httpRequestOf(request), request.id));
  };

  // The record a body becomes is never smaller than the body (the envelope carries the body and
  // more), so a body over Firehose's record limit is refused before it is read, with the answer
  // the integration would give its record.
  const routeOf = (request: FastifyRequest) => (request.routeOptions.config as { route?: Route } | undefined)?.route;
  const refuseTooLarge = (request: FastifyRequest, reply: FastifyReply, bytes: number): FastifyReply => {
    const route = routeOf(request);
    reply.header('x-amzn-RequestId', request.id);
    // Over API Gateway's own payload limit, the gateway answers before any integration.
    if (route === undefined || route.integration.type !== 'AWS' || bytes > apiBodyLimit) {
      tooLarge(request.method, request.url.split('?')[0]!, bytes);
      return sendGateway(reply, gateway.tooLarge);
    }
    tooLarge(route.method, route.path, bytes);
    const api = apiRequestOf(httpRequestOf(request), { route, stage: localStage, requestId: request.id, requestTimeEpoch: receivedAt(request.headers), hiddenHeader: timeHeader });
    const refused = recordTooLarge(bytes);
    return sendMethodResponse(reply, selectIntegrationResponse(route, refused.status, refused.body, { request: api, loadTemplate, substitutions }));
  };
  const guard = guardBodies(app, {
    maxInFlightBytes: options.maxInFlightBytes ?? defaultMaxInFlightBytes,
    maxBodyBytes: (request) => (routeOf(request)?.integration.type === 'AWS' ? FIREHOSE_MAX_RECORD_BYTES : apiBodyLimit),
    tooLarge: refuseTooLarge,
    busy: (request, reply) => {
      logFailure(`wa-analytics: ${request.method} ${request.url} answered 429: over ${options.maxInFlightBytes ?? defaultMaxInFlightBytes} bytes of request bodies in flight`);
      return sendGateway(reply.header('x-amzn-RequestId', request.id), gateway.throttled);
    },
  });

  const directRoutes = (routes as readonly Route[]).filter((r) => r.method === 'POST' && r.integration.type === 'AWS');
  listener = directIngestListener({
    routes: directRoutes,
    maxBodyBytes: FIREHOSE_MAX_RECORD_BYTES,
    guard,
    respond,
    failed: (route, requestId, error) => {
      log(`wa-analytics: ${route.method} ${route.path} (request ${requestId}): ${errorMessage(error)}`);
      return internalServerError;
    },
    fallback: (req, res) => fastifyListener(req, res),
  });

  for (const route of routes as readonly Route[]) {
    app.route({ method: route.method, url: route.path, config: { route }, handler: (request, reply) => handle(route, request, reply) });
  }

  // Unknown path or method: API Gateway's MISSING_AUTHENTICATION_TOKEN.
  app.setNotFoundHandler((request, reply) => sendGateway(reply.header('x-amzn-RequestId', request.id), gateway.missingToken));
  app.setErrorHandler((error: { statusCode?: number; message?: string }, request, reply) => {
    if (error instanceof RequestRefusedError) return error.statusCode === 413 ? refuseTooLarge(request, reply, error.bytes) : sendGateway(reply.header('x-amzn-RequestId', request.id), gateway.throttled);
    reply.header('x-amzn-RequestId', request.id);
    if (error.statusCode === 413) {
      tooLarge(request.method, request.url.split('?')[0]!, null);
      return sendGateway(reply, gateway.tooLarge);
    }
    if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) return sendGateway(reply, gateway.badRequest);
    log(`wa-analytics: ${request.method} ${request.url}: ${error.message ?? 'internal error'}`);
    return sendMethodResponse(reply, internalServerError);
  });
  return app;
}
