import { parentPort, workerData } from 'node:worker_threads';
import { errorMessage } from '../shared/errors';
import { createPseudonymizer } from '../shared/pii';
import { createTransform } from '../services/transform/handler';
import { invokeTransform, localStreamIdentity } from './firehose-invocation';
import { packOutcomes, transferList, unpackRecords } from './invocation-wire';
import type { WorkerRequest, WorkerResponse, WorkerTransformSettings } from './transform-worker';

/** Worker thread body of `workerInvoker`: Firehose invocations of the same transform the Lambda runs. */
const settings = workerData as WorkerTransformSettings;
const transform = createTransform({
  metaAppSecret: settings.metaAppSecret,
  wasenderSecret: settings.wasenderSecret,
  twilioAuthToken: settings.twilioAuthToken ?? null,
  timeZone: settings.timeZone,
  pseudonymize: createPseudonymizer(settings.pii, settings.piiKey),
});
const options = { identity: localStreamIdentity(settings.streamName), retries: settings.retries, retryDelayMs: settings.retryDelayMs, now: Date.now };

parentPort!.on('message', (msg: WorkerRequest) => {
  invokeTransform(unpackRecords(msg.records), transform, options).then(
    (outcomes) => {
      const packed = packOutcomes(outcomes);
      parentPort!.postMessage({ id: msg.id, outcomes: packed } satisfies WorkerResponse, transferList(packed));
    },
    (error: unknown) => parentPort!.postMessage({ id: msg.id, error: errorMessage(error) } satisfies WorkerResponse),
  );
});
