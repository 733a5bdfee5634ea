import { WaError } from '../errors';

/**
 * Errors a port throws when trying again later may succeed. Their names are the error names the
 * state machine's Retry fields list (the Lambda runtime reports `error.name` as the errorType
 * Step Functions matches on), so an adapter decides what is retryable and the workflow definition
 * only names the classes (services/daily/definition.ts fills the lists from `retryableErrorNames`).
 *
 * Each name is a string literal, not the class's own name: a bundler that renames classes
 * (minification) must not change what Step Functions sees.
 */

const throttlingErrorName = 'ThrottlingError';
const transientErrorName = 'TransientError';

/** The service asked us to slow down (Glue/Athena/S3 throttling, Slack 429 after our own retries). */
export class ThrottlingError extends WaError {
  override readonly name = throttlingErrorName;

  constructor(message: string, options?: { cause?: unknown }) {
    super('throttling', message, options);
  }
}

/** A failure the service itself calls transient (Athena's `Retryable`, a 5xx, a reset connection). */
export class TransientError extends WaError {
  override readonly name = transientErrorName;

  constructor(message: string, options?: { cause?: unknown }) {
    super('transient', message, options);
  }
}

/**
 * Error names the workflow retries with backoff: ours, then the Lambda service's own transient
 * failures (which Step Functions reports under these names, and AWS recommends retrying).
 */
export const retryableErrorNames = [
  throttlingErrorName,
  transientErrorName,
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
] as const;
