/**
 * What Firehose `PutRecord` answers, so a local delivery stream can fail the way the real one does
 * and the same integration responses map it. Firehose speaks the AWS JSON 1.1 protocol: errors are
 * an HTTP status plus `{"__type": ..., "message": ...}`.
 */

/** Largest `Record.Data` Firehose accepts, in bytes after base64 decoding (1,000 KiB). */
export const FIREHOSE_MAX_RECORD_BYTES = 1_024_000;

/** An integration (Firehose) response: status and body. */
export interface ServiceResponse {
  readonly status: number;
  readonly body: string;
}

/** Success: Firehose returns the record id. */
export function putRecordOk(recordId: string): ServiceResponse {
  return { status: 200, body: JSON.stringify({ RecordId: recordId, Encrypted: false }) };
}

/**
 * A record over the limit. Firehose validates the member's length constraint before anything
 * else and answers 400 `ValidationException` naming `record.data`.
 */
export function recordTooLarge(size: number): ServiceResponse {
  const message =
    `1 validation error detected: Value 'java.nio.HeapByteBuffer[pos=0 lim=${size} cap=${size}]' at 'record.data' ` +
    `failed to satisfy constraint: Member must have length less than or equal to ${FIREHOSE_MAX_RECORD_BYTES}`;
  return { status: 400, body: JSON.stringify({ __type: 'ValidationException', message }) };
}

/** Throttling or an outage: `ServiceUnavailableException` is HTTP 503 ("Slow down." when throttled). */
export function serviceUnavailable(message = 'Slow down.'): ServiceResponse {
  return { status: 503, body: JSON.stringify({ __type: 'ServiceUnavailableException', message }) };
}

/** A misconfiguration, e.g. an unknown stream: `ResourceNotFoundException`, HTTP 400. */
export function resourceNotFound(streamName: string): ServiceResponse {
  return { status: 400, body: JSON.stringify({ __type: 'ResourceNotFoundException', message: `Firehose ${streamName} not found.` }) };
}
