import { getPriority, setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { errorMessage } from '../shared/errors';
import { createPseudonymizer } from '../shared/pii';
import { createTransform } from '../services/transform/handler';
import { deliverBatch, type DeliveryTarget, type FlushReport } from './batch-delivery';
import { invokeTransform, localStreamIdentity } from './firehose-invocation';
import { reusingGzip } from './lake-writer';
import { packOutcomes, transferList, unpackRecords } from './invocation-wire';
import { readLogSpans } from './wal-segments';
import { transformThreadNice, type WorkerRequest, type WorkerResponse, type WorkerTransformSettings } from './transform-worker';

/** Worker thread body of `workerInvoker`: whole deliveries, and Firehose invocations, of the same transform the Lambda runs. */
const settings = workerData as WorkerTransformSettings;
// Acknowledging a webhook is the hot path and delivery is batch work (as Firehose buffers it), so
// when the cores are contended this thread yields to the API's event loop. On Linux the nice
// value is per thread, so this lowers only this thread; lowering needs no privilege. The backlog
// this can build up is bounded by the delivery stream (see backlogBuffers).
try {
  setPriority(Math.min(19, getPriority() + transformThreadNice));
} catch {
  // A platform without per-thread priorities runs the transform at the process's priority.
}
const transform = createTransform({
  metaAppSecret: settings.metaAppSecret,
  wasenderSecret: settings.wasenderSecret,
  twilioAuthToken: settings.twilioAuthToken ?? null,
  timeZone: settings.timeZone,
  pseudonymize: createPseudonymizer(settings.pii, settings.piiKey),
});
const compress = reusingGzip();
const options = { identity: localStreamIdentity(settings.streamName), retries: settings.retries, retryDelayMs: settings.retryDelayMs, now: Date.now };

/**
 * A whole batch delivered here: invocations, gzip and lake objects all on this thread, which
 * yields to the API under load (gzip here, not on the libuv pool, whose threads keep the
 * process's priority). Only the report goes back: the transformed rows never cross to the API's
 * thread, where the buffers holding them through a delivery counted towards the external memory
 * that schedules V8's full collections of that thread's heap.
 */
async function deliverHere(batch: Extract<WorkerRequest, { deliver: unknown }>['deliver'], target: DeliveryTarget): Promise<FlushReport> {
  const records = 'packed' in batch ? unpackRecords(batch.packed) : await readLogSpans(batch.spans);
  return deliverBatch(records, {
    ...target,
    identity: options.identity,
    invoke: (batch) => invokeTransform(batch, transform, options),
    compress,
  });
}

parentPort!.on('message', (msg: WorkerRequest) => {
  if ('deliver' in msg) {
    deliverHere(msg.deliver, msg.target).then(
      (report) => parentPort!.postMessage({ id: msg.id, report } satisfies WorkerResponse),
      (error: unknown) => parentPort!.postMessage({ id: msg.id, error: errorMessage(error) } satisfies WorkerResponse),
    );
    return;
  }
  invokeTransform(unpackRecords(msg.records), transform, options).then(
    (outcomes) => {
      const packed = packOutcomes(outcomes);
      parentPort!.postMessage({ id: msg.id, outcomes: packed } satisfies WorkerResponse, transferList(packed));
    },
    (error: unknown) => parentPort!.postMessage({ id: msg.id, error: errorMessage(error) } satisfies WorkerResponse),
  );
});
