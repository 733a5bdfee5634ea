import { Transform } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { RequestRefusedError } from '../shared/errors';

/** Bytes of request bodies the local API holds at once, across all requests (default 32 MiB). */
export const defaultMaxInFlightBytes = 32 * 1024 * 1024;
/** Time a client has to send a whole request, body included (Node's requestTimeout). */
export const defaultRequestTimeoutMs = 30_000;

export interface BodyGuardOptions {
  /** Bytes of request bodies held at once: reserved by Content-Length before reading, else counted as they arrive. */
  readonly maxInFlightBytes: number;
  /** The largest body a request's route can ever accept. */
  readonly maxBodyBytes: (request: FastifyRequest) => number;
  /** Answers a body over its route's limit, without reading it. */
  readonly tooLarge: (request: FastifyRequest, reply: FastifyReply, bytes: number) => FastifyReply;
  /** Answers a request whose body would take the bytes in flight over the cap. */
  readonly busy: (request: FastifyRequest, reply: FastifyReply) => FastifyReply;
}

/** What the guard exposes: the shared count, for tests, and reservations for the direct path. */
export interface BodyGuard {
  /** Body bytes reserved right now. */
  inFlight(): number;
  /**
   * Reserves `bytes` against the cap for a body read outside fastify (direct-ingest.ts); false,
   * reserving nothing, when they would take the bytes in flight over it.
   */
  reserve(bytes: number): boolean;
  /** Gives back bytes taken by {@link BodyGuard.reserve}. */
  release(bytes: number): void;
}

/** A request's Content-Length header as a number of bytes, or null when it is absent or not a plain count. */
export function declaredLength(value: string | undefined): number | null {
  if (value === undefined || !/^\d+$/.test(value)) return null;
  return Number(value);
}

const contentLength = (request: FastifyRequest): number | null => declaredLength(request.headers['content-length']);

/**
 * Bounds the memory the API spends on request bodies, whatever clients send. A body whose
 * Content-Length is over its route's limit is refused before a byte of it is read; every other
 * body reserves its bytes against one cap shared by all requests, and a request that would pass
 * the cap is refused at once (the sender retries, as after API Gateway's throttling) instead of
 * being buffered, rendered and decoded alongside all the others. A body sent without
 * Content-Length is counted as it arrives and stopped at either limit. The reservation is
 * returned when the response is done or the connection closes.
 */
export function guardBodies(app: FastifyInstance, options: BodyGuardOptions): BodyGuard {
  let inFlight = 0;
  /** Takes `bytes` against the cap; false, taking nothing, when they would go over it. */
  const reserve = (bytes: number): boolean => {
    if (bytes > 0 && inFlight + bytes > options.maxInFlightBytes) return false;
    inFlight += bytes;
    return true;
  };
  const reserved = new WeakMap<FastifyRequest, { bytes: number }>();
  const release = (request: FastifyRequest) => {
    const held = reserved.get(request);
    if (held === undefined) return;
    reserved.delete(request);
    inFlight -= held.bytes;
  };

  // Callback-style hooks: an async hook costs a promise per request on the hot path. A hook that
  // answers early sends the reply and does not call `done`, as fastify documents.
  app.addHook('onRequest', (request, reply, done) => {
    const length = contentLength(request);
    const max = options.maxBodyBytes(request);
    if (length !== null && length > max) {
      options.tooLarge(request, reply, length);
      return;
    }
    const bytes = length ?? 0;
    if (!reserve(bytes)) {
      options.busy(request, reply);
      return;
    }
    reserved.set(request, { bytes });
    reply.raw.once('close', () => release(request));
    done();
  });

  app.addHook('preParsing', (request, _reply, payload, done) => {
    if (contentLength(request) !== null) {
      done(null, payload); // reserved whole; Node enforces the length
      return;
    }
    const held = reserved.get(request);
    const max = options.maxBodyBytes(request);
    let seen = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, next) {
        seen += chunk.length;
        if (seen > max) return next(new RequestRefusedError(413, seen));
        if (held === undefined) return next(null, chunk);
        if (inFlight + chunk.length > options.maxInFlightBytes) return next(new RequestRefusedError(429, seen));
        held.bytes += chunk.length;
        inFlight += chunk.length;
        next(null, chunk);
      },
    });
    payload.on('error', (error) => counter.destroy(error));
    done(null, payload.pipe(counter));
  });

  return {
    inFlight: () => inFlight,
    reserve,
    release: (bytes) => {
      inFlight -= bytes;
    },
  };
}
