import { WaError } from '../errors';

/**
 * Errors a port throws when trying again later may succeed. Their class names are the error
 * names the state machine's Retry fields list (Step Functions matches on a Lambda error's name),
 * so an adapter decides what is retryable and the workflow definition only names the classes.
 */

/** The service asked us to slow down (Glue/Athena/S3 throttling, Slack 429 after our own retries). */
export class ThrottlingError extends WaError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('throttling', message, options);
  }
}

/** A failure the service itself calls transient (Athena's `Retryable`, a 5xx, a reset connection). */
export class TransientError extends WaError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('transient', message, options);
  }
}

/** Error names the workflow retries with backoff. */
export const retryableErrorNames = [
  'ThrottlingError',
  'TransientError',
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
] as const;
