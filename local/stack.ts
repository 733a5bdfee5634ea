import type { FastifyInstance } from 'fastify';
import { LocalCatalog } from '../shared/adapters/local/catalog';
import type { LocalConfig } from '../shared/config/local';
import { errorMessage, StorageError } from '../shared/errors';
import { createPseudonymizer } from '../shared/pii';
import { createTransform } from '../services/transform/handler';
import { bearerPaths } from '../services/ingest/routes';
import { defaultBufferBytes, defaultBufferMs, defaultRetryDelayMs, defaultStreamName, defaultTransformRetries, LocalDeliveryStream } from './delivery-stream';
import { DataDirLock } from './data-dir-lock';
import { rebuiltNote } from './catalog-note';
import { buildLocalServer, type IngestCounters } from './server';
import type { RecoveryReport } from './wal';
import { workerInvoker } from './transform-worker';

/** Loopback only: the local API is for one machine, never exposed. */
export const localHost = '127.0.0.1';

export interface StackOptions {
  /** The configuration, read once by the command (shared/config/local.ts) or made by the demo. */
  readonly config: LocalConfig;
  readonly bufferBytes?: number;
  readonly bufferMs?: number;
  /** Run the transform on the API's own thread instead of a worker thread (simpler to debug). */
  readonly inlineTransform?: boolean;
  /** See LocalServerOptions.replayTimeHeader: set only for in-process replay. */
  readonly replayTimeHeader?: string;
  /** See LocalServerOptions.trustRegistry: set only for in-process replay. */
  readonly trustRegistry?: boolean;
  /** Operator log (default: stderr). */
  readonly log?: (line: string) => void;
  /** The command named in the data dir's writer lock (default `start`). */
  readonly command?: string;
}

/** The local stack: configuration, catalog, delivery stream and API, opened together. */
export interface LocalStack {
  readonly config: LocalConfig;
  readonly app: FastifyInstance;
  readonly stream: LocalDeliveryStream;
  readonly catalog: LocalCatalog;
  /** Requests refused as too large so far (also logged as they happen). */
  readonly counters: Readonly<IngestCounters>;
  /** Binds the API to 127.0.0.1 and returns its base URL (`port` 0 picks a free port). */
  listen(port: number): Promise<string>;
  /** Stops accepting, lets in-flight requests finish, flushes the stream and closes it. Idempotent. */
  close(): Promise<void>;
}

/** Lines to say loudly at start: what is not being checked because a secret is unset. */
export function startWarnings(config: LocalConfig): string[] {
  const out: string[] = [];
  if (config.appSecret === null) out.push('WARNING: WA_APP_SECRET is not set: Meta webhook signatures are NOT checked; anyone can post data.');
  if (config.wasenderSecret === null) out.push('WARNING: WASENDER_WEBHOOK_SECRET is not set: WASenderApi webhook signatures are NOT checked.');
  if (config.twilioAuthToken === null) out.push('WARNING: TWILIO_AUTH_TOKEN is not set: Twilio webhook signatures are NOT checked.');
  if (config.verifyToken === null) out.push('note: WA_VERIFY_TOKEN is not set: Meta verification handshakes are refused (403).');
  if (config.registryToken === null) out.push(`note: WA_REGISTRY_TOKEN is not set: POST ${bearerPaths.join(' and ')} ${bearerPaths.length === 1 ? 'is' : 'are'} refused (403).`);
  return out;
}

/**
 * What recovery found, for the operator: records delivered, torn writes, and loudly, every damaged
 * segment with what could not be read and where it is kept.
 */
export function recoveryLines(report: Readonly<RecoveryReport>): string[] {
  const out: string[] = [];
  if (report.records > 0) out.push(`delivered ${report.records} acknowledged records left by the previous run`);
  if (report.tornBytes > 0) out.push(`note: ignored ${report.tornBytes} bytes of a write-ahead log write cut short by a crash (never acknowledged)`);
  for (const d of report.damaged) {
    const lost = d.lostRecords > 0 ? `at least ${d.lostRecords} acknowledged records are lost` : 'no record is known lost, though a damaged end can hide some';
    out.push(
      `WARNING: write-ahead log segment ${d.path} is DAMAGED: ${d.unreadableBytes} bytes could not be read and ${lost}; ` +
        `its ${d.readRecords} intact records were read past the damage, and the segment is kept at ${d.keptAt} (it is moved there once the rest is delivered)`,
    );
  }
  return out;
}

/**
 * Opens the local stack with the configuration it is given (SPEC section 4): the data dir's writer lock (a
 * LockError naming the holder when another process has it), the catalog, the delivery stream
 * with the real transform built from the same secrets, and the API in front of it. Records a
 * previous run acknowledged but did not deliver are delivered while opening.
 */
export async function openStack(options: StackOptions): Promise<LocalStack> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const { config } = options;
  // Before anything is read or written: a second writer refuses here, naming the first.
  const lock = await DataDirLock.acquire(config.dataDir, options.command ?? 'start', (stale) =>
    log(`wa-analytics: took over the writer lock of PID ${stale.pid} (${stale.command}), which is no longer running`),
  );
  try {
    return await openLocked(options, lock, log);
  } catch (error) {
    await lock.release();
    throw error;
  }
}

async function openLocked(options: StackOptions, lock: DataDirLock, log: (line: string) => void): Promise<LocalStack> {
  const { config } = options;
  const catalog = await LocalCatalog.open(config.dataDir);
  const rebuilt = rebuiltNote(catalog);
  if (rebuilt !== null) log(rebuilt);
  try {
    // Every record acknowledged must be deliverable, and delivery registers partitions.
    await catalog.check();
  } catch (error) {
    if (!(error instanceof StorageError)) throw error;
    throw new StorageError(`the catalog cannot be written, so nothing would be delivered; refusing to start: ${error.message}`, { cause: error });
  }
  const settings = { metaAppSecret: config.appSecret, wasenderSecret: config.wasenderSecret, twilioAuthToken: config.twilioAuthToken, timeZone: config.timeZone };
  const worker = options.inlineTransform
    ? null
    : workerInvoker({ ...settings, pii: config.pii, piiKey: config.piiKey, streamName: defaultStreamName, retries: defaultTransformRetries, retryDelayMs: defaultRetryDelayMs });
  // The worker delivers whole batches (transform, gzip, lake objects) off the API's thread.
  const transform = worker === null ? createTransform({ ...settings, pseudonymize: createPseudonymizer(config.pii, config.piiKey) }) : { deliver: worker.deliver };
  let stream: LocalDeliveryStream;
  try {
    stream = await LocalDeliveryStream.open({
      dataDir: config.dataDir,
      bufferBytes: options.bufferBytes ?? defaultBufferBytes,
      bufferMs: options.bufferMs ?? defaultBufferMs,
      timeZone: config.timeZone,
      transform,
      catalog,
      streamName: defaultStreamName,
      onError: (error) => log(`wa-analytics: delivery stream flush failed (records stay in the log and are retried): ${errorMessage(error)}`),
    });
  } catch (error) {
    await worker?.close();
    throw error;
  }
  for (const line of recoveryLines(stream.recovery)) log(`wa-analytics: ${line}`);
  const counters: IngestCounters = { tooLarge: 0 };
  let app: FastifyInstance;
  try {
    app = buildLocalServer({
      sink: stream,
      streamName: defaultStreamName,
      verifyToken: config.verifyToken,
      registryToken: config.registryToken,
      publicUrl: config.publicUrl ?? null,
      replayTimeHeader: options.replayTimeHeader,
      trustRegistry: options.trustRegistry,
      counters,
      log,
    });
  } catch (error) {
    await stream.close();
    await worker?.close();
    throw error;
  }
  let closing: Promise<void> | null = null;
  return {
    config,
    app,
    stream,
    catalog,
    counters,
    async listen(port) {
      await app.listen({ host: localHost, port });
      const address = app.server.address();
      const bound = typeof address === 'object' && address !== null ? address.port : port;
      return `http://${localHost}:${bound}`;
    },
    close() {
      closing ??= (async () => {
        try {
          await app.close();
        } finally {
          try {
            await stream.close();
          } finally {
            try {
              await worker?.close();
            } finally {
              await lock.release();
            }
          }
        }
      })();
      return closing;
    },
  };
}

/**
 * SIGTERM and SIGINT stop the stack cleanly: no new requests, in-flight ones answered, the
 * buffer flushed to the lake, exit 0. A second signal while stopping exits at once (the log
 * keeps every acknowledged record, so nothing is lost, only delivered on the next start).
 */
export function stopOnSignals(stack: LocalStack, log: (line: string) => void): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      log(`wa-analytics: ${signal} again: exiting without flushing (the write-ahead log keeps every acknowledged record)`);
      process.exit(130);
    }
    stopping = true;
    log(`wa-analytics: ${signal}: stopping (flushing the delivery stream)`);
    stack.close().then(
      () => {
        log('wa-analytics: stopped');
        process.exit(0);
      },
      (error: unknown) => {
        log(`wa-analytics: stop failed: ${errorMessage(error)} (unflushed records stay in the write-ahead log)`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
