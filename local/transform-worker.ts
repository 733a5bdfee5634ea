import { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import { errorMessage, StorageError } from '../shared/errors';
import type { PiiMode } from '../shared/pii';
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

/** A message to the worker and its answer. */
export interface WorkerRequest {
  readonly id: number;
  readonly records: PackedRecords;
}
export type WorkerResponse = { readonly id: number; readonly outcomes: PackedOutcomes } | { readonly id: number; readonly error: string };

// The worker runs TypeScript like the CLI does: tsx registers itself in the new thread.
const bootstrap = `require(${JSON.stringify(require.resolve('tsx/cjs/api'))}).register();\nrequire(${JSON.stringify(join(__dirname, 'transform-worker-main.ts'))});`;

interface Pending {
  resolve: (outcomes: PackedOutcomes) => void;
  reject: (error: Error) => void;
}

/**
 * Invocations of the real transform on a worker thread: the worker builds Firehose's event,
 * calls the handler, retries and checks the answer as Firehose does, so a 5 MB batch costs the
 * API's event loop only a copy into one transferred buffer (a stall there is latency for every
 * webhook in flight). A worker that dies fails the invocations in flight (the stream keeps their
 * records and delivers them again) and is started again at the next one.
 */
export function workerInvoker(settings: WorkerTransformSettings): { invoke: InvocationRunner; close(): Promise<void> } {
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
      else p.resolve(msg.outcomes);
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

  const invoke: InvocationRunner = async (records) => {
    worker ??= start();
    const w = worker;
    const id = nextId++;
    const packed = packRecords(records);
    const outcomes = await new Promise<PackedOutcomes>((resolve, reject) => {
      pending.set(id, { resolve, reject });
      w.ref();
      w.postMessage({ id, records: packed } satisfies WorkerRequest, transferList(packed));
    });
    return unpackOutcomes(outcomes);
  };

  // Started now, not at the first batch: loading the transform takes a moment that should not
  // land in the middle of a burst.
  worker = start();
  worker.unref();

  return {
    invoke,
    async close() {
      const w = worker;
      worker = null;
      if (w) await w.terminate();
    },
  };
}
