import { STATUS_CODES } from 'node:http';
import { isServerError, isThrottlingError, isTransientError } from '@smithy/core/retry';
import { AwsError, ConfigError, errorMessage, WaError } from '../../errors';
import { ThrottlingError, TransientError } from '../../ports/retryable';

/**
 * The one place that reads AWS failures: which are worth another attempt (the SDK's own
 * classification, the one its retry strategy uses, rather than a hand-kept list of error codes),
 * and one line that says what went wrong, also when the service answered with no error code.
 */

/** How a failure should be handled: slow down, try again later, or give up. */
export type AwsFailureKind = 'throttling' | 'transient' | 'permanent';

/**
 * Per-item error codes that mean "try again later" although they come without an HTTP status
 * (Glue BatchCreatePartition's `Errors[]`), which the SDK's classification needs to call them
 * transient. Throttling codes need no such list: the SDK classifies them by name.
 */
const transientItemCodes = new Set(['InternalServiceException', 'OperationTimeoutException']);

/** Whether an AWS SDK (or per-item) error is throttling, transient or permanent. */
export function awsFailureKind(error: unknown): AwsFailureKind {
  if (typeof error !== 'object' || error === null) return 'permanent';
  const e = error as Parameters<typeof isThrottlingError>[0];
  if (isThrottlingError(e)) return 'throttling';
  if (isTransientError(e) || isServerError(e) || transientItemCodes.has(e.name)) return 'transient';
  return 'permanent';
}

/** Whether a whole call is worth sending again after a backoff. */
export function isRetryableAwsError(error: unknown): boolean {
  return awsFailureKind(error) !== 'permanent';
}

/** Why a service would answer this status with an empty body, for the operator to act on. */
function statusHint(status: number): string {
  if (status === 403) {
    return (
      'access denied: the caller lacks the IAM action (see the operator policy in the README), or a bucket ' +
      "policy or the stage's KMS key policy refuses it; S3 also answers 403 for a missing key unless s3:ListBucket is allowed"
    );
  }
  if (status === 401) return 'the credentials were rejected (expired session? run aws sso login again)';
  if (status === 404) return 'not found: check the stage, the region and the resource name';
  if (status >= 500) return 'a service-side failure; trying again later may succeed';
  return 'the service gave no reason';
}

/**
 * `Name: message` of an AWS error. The SDK names an error it could not read a code from (an
 * empty-body answer, such as S3's to a refused HEAD) `Unknown` with message `UnknownError`: then
 * the line names the HTTP status and its likely cause instead.
 */
export function describeAwsError(error: unknown): string {
  const e = error as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } } | undefined;
  const name = e?.name;
  const status = e?.$metadata?.httpStatusCode;
  if (status !== undefined && (name === 'Unknown' || name === 'UnknownError' || e?.message === 'UnknownError')) {
    const reason = STATUS_CODES[status];
    return `HTTP ${status}${reason ? ` ${reason}` : ''} with no error code in the answer: ${statusHint(status)}`;
  }
  return `${name && name !== 'Error' ? `${name}: ` : ''}${errorMessage(error)}`;
}

/**
 * Turns an AWS SDK (or per-item) error into the project's error classes, so the state machine's
 * Retry matches on ThrottlingError / TransientError and fails fast on the rest.
 */
export function classifyAwsError(what: string, error: unknown): Error {
  const message = `${what}: ${describeAwsError(error)}`;
  const kind = awsFailureKind(error);
  if (kind === 'throttling') return new ThrottlingError(message, { cause: error });
  if (kind === 'transient') return new TransientError(message, { cause: error });
  return new AwsError(message, { cause: error });
}

/**
 * True for the SDK's "no credentials" failure. Its class lives in a transitive package, so the
 * name is what is stable (and what the SDK's own docs tell callers to check).
 */
export function isCredentialsError(error: unknown): boolean {
  return (error as { name?: string })?.name === 'CredentialsProviderError';
}

/**
 * One line for a failed AWS call of a command: missing credentials or region are configuration
 * (ConfigError), anything else an AwsError; a project error passes through unchanged.
 */
export function awsFailure(what: string, error: unknown): WaError {
  if (error instanceof WaError) return error;
  if (isCredentialsError(error)) {
    return new ConfigError(`no AWS credentials for ${what} (set AWS_PROFILE, or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or run aws sso login)`, { cause: error });
  }
  if (/region is missing/i.test(errorMessage(error))) return new ConfigError(`no AWS region for ${what}: pass --region or set AWS_REGION`, { cause: error });
  return new AwsError(`${what} failed: ${describeAwsError(error)}`, { cause: error });
}
