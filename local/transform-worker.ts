import { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import { errorMessage, StorageError } from '../shared/errors';
import type { PiiMode } from '../shared/pii';
import type { BatchDeliverer, DeliveryTarget, FlushReport } from './batch-delivery';
import type { LogSpan } from './wal-format';
import type { InvocationRunner } from './firehose-invocation';
import { packRecords, transferList, unpackOutcomes, type PackedOutcomes, type PackedRecords } from './invocation-wire';

/** Transform and invocation settings in a form that crosses a thread boundary (no functions). */
export interface WorkerTransformSettings {
  readonly metaAppSecret: string | null;
  readonly wasenderSecret: string | null;
  readonly twilioAuthToken?: string | null;
  readonly timeZone: string;
  readonly pii: PiiMode;
  readonly piiKey: string;
  /** The delivery stream's name (its ARNs in the event and in error records). */
  readonly streamName: string;
  /** Retries of a failed invocation, and the delay step between them (see InvokeOptions). */
  readonly retries: number;
  readonly retryDelayMs: number;
}

/** How much lower the transform thread's priority is than the process's (Linux nice steps; 19 is the lowest). */
export const transformThreadNice = 10;

/** A message to the worker (an invocation, or a whole batch to deliver) and its answer. */
export type WorkerRequest =
  | { readonly id: number; readonly records: PackedRecords }
  | { readonly id: number; readonly deliver: { readonly packed: PackedRecords } | { readonly spans: readonly LogSpan[] }; readonly target: DeliveryTarget };
export type WorkerResponse =
  | { readonly id: number; readonly outcomes: PackedOutcomes }
  | { readonly id: number; readonly report: FlushReport }
  | { readonly id: number; readonly error: string };
type WorkerAnswer = Exclude<WorkerResponse, { readonly error: string }>;

// The worker runs TypeScript like the CLI does: tsx registers itself in the new thread.
const bootstrap = `require(${JSON.stringify(require.resolve('tsx/cjs/api'))}).register();\nrequire(${JSON.stringify(join(__dirname, 'transform-worker-main.ts'))});`;

interface Pending {
  resolve: (answer: WorkerAnswer) => void;
  reject: (error: Error) => void;
}


/**
 * Deliveries through the real transform on a worker thread: for each batch (`deliver`) the worker
 * builds Firehose's events, calls the handler, retries and checks the answers as Firehose does,
 * gzips and writes the lake objects, and answers with the report, so a 5 MB batch costs the API's
 * event loop only a copy into one transferred buffer (a stall there is latency for every webhook
 * in flight) and all of a delivery's CPU work runs on the one thread that yields to the API under
 * load. `invoke` runs one invocation there and answers its outcomes. A worker that dies fails the
 * calls in flight (the stream keeps their records and delivers them again) and is started again
 * at the next one.
 */
export function workerInvoker(settings: WorkerTransformSettings): { invoke: InvocationRunner; deliver: BatchDeliverer; close(): Promise<void> } {
  let worker: Worker | null = null;
  let nextId = 0;
  const pending = new Map<number, Pending>();

  const failAll = (message: string) => {
    for (const p of pending.values()) p.reject(new StorageError(`transform worker: ${message}`));
    pending.clear();
  };

  const start = (): Worker => {
    const w = new Worker(bootstrap, { eval: true, workerData: settings });
    w.on('message', (msg: WorkerResponse) => {
      const p = pending.get(msg.id);
      if (!p) return;
      pending.delete(msg.id);
      if ('error' in msg) p.reject(new StorageError(`transform worker: ${msg.error}`));
      else p.resolve(msg);
      // Idle worker must not keep the process alive; a pending call must.
      if (pending.size === 0) w.unref();
    });
    w.on('error', (error) => failAll(errorMessage(error)));
    w.on('exit', (code) => {
      if (worker === w) worker = null;
      failAll(`exited with code ${code}`);
    });
    return w;
  };

  /** Sends one request to the worker (started if it is not running) and waits for its answer. */
  const call = (request: WorkerRequest, transfer: ArrayBuffer[]): Promise<WorkerAnswer> => {
    worker ??= start();
    const w = worker;
    return new Promise<WorkerAnswer>((resolve, reject) => {
      pending.set(request.id, { resolve, reject });
      w.ref();
      w.postMessage(request, transfer);
    });
  };

  const invoke: InvocationRunner = async (records) => {
    const packed = packRecords(records);
    const answer = await call({ id: nextId++, records: packed }, transferList(packed));
    if (!('outcomes' in answer)) throw new StorageError('transform worker: an invocation was answered with gzip bytes');
    return unpackOutcomes(answer.outcomes);
  };

  const deliver: BatchDeliverer = async (batch, target) => {
    let answer: WorkerAnswer;
    if ('records' in batch) {
      const packed = packRecords(batch.records);
      answer = await call({ id: nextId++, deliver: { packed }, target }, transferList(packed));
    } else {
      // Spans cross as they are: the worker reads the records back from the log.
      answer = await call({ id: nextId++, deliver: { spans: batch.spans }, target }, []);
    }
    if (!('report' in answer)) throw new StorageError('transform worker: a delivery was answered with something else than its report');
    return answer.report;
  };

  // Started now, not at the first batch: loading the transform takes a moment that should not
  // land in the middle of a burst.
  worker = start();
  worker.unref();

  return {
    invoke,
    deliver,
    async close() {
      const w = worker;
      worker = null;
      if (w) await w.terminate();
    },
  };
}
