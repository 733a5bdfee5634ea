import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { MethodResponse } from '../shared/apigw/types';
import type { Route } from '../services/ingest/routes';
import type { HttpRequest } from './api-request';
import { declaredLength, type BodyGuard } from './body-guard';

type Listener = (req: IncomingMessage, res: ServerResponse) => void;

export interface DirectIngestOptions {
  /** The routes served directly: POST routes with an AWS (Firehose) integration. */
  readonly routes: readonly Route[];
  /** The largest body any of them accepts (Firehose's record limit). */
  readonly maxBodyBytes: number;
  /** The body guard fastify's hooks use: one cap on bytes in flight for both paths. */
  readonly guard: BodyGuard;
  /** What the API answers the request (the same function fastify's handler calls). */
  readonly respond: (route: Route, request: HttpRequest, requestId: string) => Promise<MethodResponse>;
  /** Answers when `respond` throws something it does not turn into an answer itself. */
  readonly failed: (route: Route, requestId: string, error: unknown) => MethodResponse;
  /** Fastify's request listener: every other request. */
  readonly fallback: Listener;
}

/**
 * The Content-Type fastify's reply sends for a string body of this type: a JSON type without a
 * charset gets `; charset=utf-8`. Both paths then send the same header.
 */
function sentContentType(type: string): string {
  return type.includes('json') && !/;\s*charset=/i.test(type) ? `${type}; charset=utf-8` : type;
}

/** Writes an answer with the headers fastify's reply sends for it (names in lower case, as fastify keeps them). */
function send(res: ServerResponse, requestId: string, answer: MethodResponse): void {
  const headers: Record<string, string | number> = { 'x-amzn-requestid': requestId };
  for (const [name, value] of Object.entries(answer.headers)) headers[name.toLowerCase()] = value;
  headers['content-type'] = sentContentType(answer.contentType);
  headers['content-length'] = Buffer.byteLength(answer.body, 'utf8');
  res.writeHead(answer.status, headers);
  // A string, not a Buffer: Node then sends the head and the body in one write.
  res.end(answer.body);
}

/**
 * The listening server's path for the common webhook post: an exact POST route, a Content-Length
 * within the record limit and room under the in-flight cap. Such a request is read and answered
 * here without fastify's routing, hooks and reply machinery, which cost about as much CPU as the
 * rest of the request together at thousands of webhooks a second; the answer comes from the same
 * `respond` as fastify's handler. Anything else (other methods and routes, query strings, bodies
 * without Content-Length or over a limit, a full cap) goes to fastify untouched, which then
 * answers it, refusals included. `inject` (tests, replay) always goes through fastify.
 */
export function directIngestListener(options: DirectIngestOptions): Listener {
  const byPath = new Map(options.routes.map((r) => [r.path, r]));
  return (req, res) => {
    const route = req.method === 'POST' ? byPath.get(req.url ?? '') : undefined;
    const length = route === undefined || req.headers['transfer-encoding'] !== undefined ? null : declaredLength(req.headers['content-length']);
    if (route === undefined || length === null || length > options.maxBodyBytes || !options.guard.reserve(length)) {
      options.fallback(req, res);
      return;
    }
    let held = true;
    const release = () => {
      if (!held) return;
      held = false;
      options.guard.release(length);
    };
    res.once('close', release);
    const requestId = randomUUID();
    const chunks: Buffer[] = [];
    let received = 0;
    req.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      received += chunk.length;
    });
    // An aborted or timed-out body: Node answers (408) or closes the socket, which releases.
    req.on('error', release);
    req.on('end', () => {
      const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, received);
      const request: HttpRequest = { method: 'POST', url: route.path, rawHeaders: req.rawHeaders, headers: req.headers, query: {}, body, sourceIp: req.socket.remoteAddress ?? '' };
      options.respond(route, request, requestId).then(
        (answer) => send(res, requestId, answer),
        (error: unknown) => send(res, requestId, options.failed(route, requestId, error)),
      );
    });
  };
}
