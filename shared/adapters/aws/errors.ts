import { AwsError, errorMessage } from '../../errors';
import { ThrottlingError, TransientError } from '../../ports/retryable';

/** AWS error names that mean "slow down". */
const throttlingNames = new Set(['ThrottlingException', 'TooManyRequestsException', 'Throttling', 'SlowDown', 'RequestLimitExceeded', 'ProvisionedThroughputExceededException']);
/** AWS error names that mean "try again later". */
const transientNames = new Set(['InternalServiceException', 'InternalServerException', 'InternalError', 'InternalFailure', 'ServiceUnavailable', 'OperationTimeoutException', 'RequestTimeout', 'TimeoutError']);

/**
 * Turns an AWS SDK (or per-item) error into the project's error classes, so the state machine's
 * Retry matches on ThrottlingError / TransientError and fails fast on the rest.
 */
export function classifyAwsError(what: string, error: unknown): Error {
  const name = (error as { name?: string })?.name ?? '';
  const status = (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
  const message = `${what}: ${name ? `${name}: ` : ''}${errorMessage(error)}`;
  if (throttlingNames.has(name) || status === 429) return new ThrottlingError(message, { cause: error });
  if (transientNames.has(name) || (status !== undefined && status >= 500)) return new TransientError(message, { cause: error });
  return new AwsError(message, { cause: error });
}
