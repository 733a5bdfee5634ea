import { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import type { FirehoseTransformationEvent, FirehoseTransformationResult } from 'aws-lambda';
import { errorMessage, StorageError } from '../../shared/errors';
import type { PiiMode } from '../../shared/pii';
import type { FirehoseTransform } from '../transform/handler';

/** Transform settings in a form that crosses a thread boundary (no functions). */
export interface WorkerTransformSettings {
  readonly metaAppSecret: string | null;
  readonly wasenderSecret: string | null;
  readonly timeZone: string;
  readonly pii: PiiMode;
  readonly piiKey: string;
}

/** A message to the worker and its answer. */
export interface WorkerRequest {
  readonly id: number;
  readonly event: FirehoseTransformationEvent;
}
export type WorkerResponse = { readonly id: number; readonly result: FirehoseTransformationResult } | { readonly id: number; readonly error: string };

// The worker runs TypeScript like the CLI does: tsx registers itself in the new thread.
const bootstrap = `require(${JSON.stringify(require.resolve('tsx/cjs/api'))}).register();\nrequire(${JSON.stringify(join(__dirname, 'transform-worker-main.ts'))});`;

interface Pending {
  resolve: (result: FirehoseTransformationResult) => void;
  reject: (error: Error) => void;
}

/**
 * The real transform, run on a worker thread so that a 5 MB batch does not stall the API's event
 * loop (a stall is latency for every webhook in flight). A worker that dies fails the calls in
 * flight (the stream retries them, as Firehose retries a failed Lambda) and is started again.
 */
export function workerTransform(settings: WorkerTransformSettings): { transform: FirehoseTransform; close(): Promise<void> } {
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
      if ('error' in msg) p.reject(new StorageError(`transform failed: ${msg.error}`));
      else p.resolve(msg.result);
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

  const transform: FirehoseTransform = (event) => {
    worker ??= start();
    const w = worker;
    const id = nextId++;
    return new Promise<FirehoseTransformationResult>((resolve, reject) => {
      pending.set(id, { resolve, reject });
      w.ref();
      w.postMessage({ id, event } satisfies WorkerRequest);
    });
  };

  // Started now, not at the first batch: loading the transform takes a moment that should not
  // land in the middle of a burst.
  worker = start();
  worker.unref();

  return {
    transform,
    async close() {
      const w = worker;
      worker = null;
      if (w) await w.terminate();
    },
  };
}
