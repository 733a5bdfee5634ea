import { parentPort, workerData } from 'node:worker_threads';
import { errorMessage } from '../../shared/errors';
import { createPseudonymizer } from '../../shared/pii';
import { createTransform } from '../transform/handler';
import type { WorkerRequest, WorkerResponse, WorkerTransformSettings } from './transform-worker';

/** Worker thread body of `workerTransform`: the same transform the Lambda runs, one batch at a time. */
const settings = workerData as WorkerTransformSettings;
const transform = createTransform({
  metaAppSecret: settings.metaAppSecret,
  wasenderSecret: settings.wasenderSecret,
  timeZone: settings.timeZone,
  pseudonymize: createPseudonymizer(settings.pii, settings.piiKey),
});

parentPort!.on('message', (msg: WorkerRequest) => {
  transform(msg.event).then(
    (result) => parentPort!.postMessage({ id: msg.id, result } satisfies WorkerResponse),
    (error: unknown) => parentPort!.postMessage({ id: msg.id, error: errorMessage(error) } satisfies WorkerResponse),
  );
});
