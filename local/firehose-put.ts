import { FIREHOSE_MAX_RECORD_BYTES, putRecordOk, recordTooLarge, resourceNotFound, serviceUnavailable, type ServiceResponse } from '../shared/apigw/firehose';

/** The part of the local delivery stream the API needs: a durable append. */
export interface RecordSink {
  /** Resolves once `data` is durable; rejects (StorageError) when it is not. */
  put(data: Buffer, arrivalTs?: number): Promise<void>;
}

function validationError(message: string): ServiceResponse {
  return { status: 400, body: JSON.stringify({ __type: 'ValidationException', message }) };
}

function serializationError(): ServiceResponse {
  return { status: 400, body: JSON.stringify({ __type: 'SerializationException', message: null }) };
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what JSON requires escaped
const NEEDS_JSON_RE = /["\\\u0000-\u001f]/;
const isJsonSpace = (code: number): boolean => code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09;

/**
 * `Record.Data` of a rendered PutRecord in exactly the shape the request template writes
 * (`{"DeliveryStreamName":<this stream>,"Record":{"Data":"..."}}`, trailing whitespace allowed),
 * or undefined for anything else, which then goes through JSON.parse. The string between the
 * quotes holds no quote or backslash, so JSON.parse would return it unchanged: this saves parsing
 * (and copying) a string of 1.8 times the body on every webhook.
 */
export function recordDataOf(rendered: string, streamName: string, prefix = requestPrefix(streamName)): string | undefined {
  if (!rendered.startsWith(prefix)) return undefined;
  let end = rendered.length;
  while (end > 0 && isJsonSpace(rendered.charCodeAt(end - 1))) end--;
  if (end < prefix.length + 3 || !rendered.startsWith('"}}', end - 3)) return undefined;
  const data = rendered.slice(prefix.length, end - 3);
  // A quote or backslash would need JSON unescaping, a control character is a JSON syntax error.
  return NEEDS_JSON_RE.test(data) ? undefined : data;
}

/** The start of a rendered PutRecord for this stream, up to the record data. */
function requestPrefix(streamName: string): string {
  return `{"DeliveryStreamName":${JSON.stringify(streamName)},"Record":{"Data":"`;
}

/**
 * One local Firehose stream as PutRecord sees it: its name, the sink its records go to, and the
 * count its record ids are made from (per stream, as on AWS, not per process).
 */
export class LocalPutRecord {
  private readonly prefix: string;
  private records = 0;

  constructor(
    readonly streamName: string,
    private readonly sink: RecordSink,
  ) {
    this.prefix = requestPrefix(streamName);
  }

  /**
   * Firehose `PutRecord` as the local stream answers it, from the JSON the request template
   * rendered: the same size rule and error shapes as AWS, and a 200 only once the record is
   * durable. `onFailure` hears about appends that failed (the client only sees a 503).
   */
  async put(rendered: string, arrivalTs: number, onFailure: (error: unknown) => void): Promise<ServiceResponse> {
    const streamName = this.streamName;
    let encoded: unknown = recordDataOf(rendered, streamName, this.prefix);
    if (encoded === undefined) {
      let request: unknown;
      try {
        request = JSON.parse(rendered);
      } catch {
        return serializationError();
      }
      const { DeliveryStreamName: name, Record: record } = (request ?? {}) as { DeliveryStreamName?: unknown; Record?: { Data?: unknown } };
      if (typeof name !== 'string' || name === '') return validationError("1 validation error detected: Value null at 'deliveryStreamName' failed to satisfy constraint: Member must not be null");
      if (name !== streamName) return resourceNotFound(name);
      encoded = record?.Data;
    }
    if (typeof encoded !== 'string' || encoded.length % 4 !== 0) return serializationError();
    // Size check on the decoded length first, without decoding a record that will be refused.
    const padding = encoded.endsWith('==') ? 2 : encoded.endsWith('=') ? 1 : 0;
    const size = (encoded.length / 4) * 3 - padding;
    if (size > FIREHOSE_MAX_RECORD_BYTES) return recordTooLarge(size);
    const data = Buffer.from(encoded, 'base64');
    // Node stops at or skips characters outside the alphabet, so a short result means the text was
    // not base64 (cheaper than a regex over the whole record); it also takes base64url, AWS does not.
    if (data.length !== size || encoded.includes('-') || encoded.includes('_')) return serializationError();
    try {
      await this.sink.put(data, arrivalTs);
    } catch (error) {
      onFailure(error);
      // Details go to the operator's log, not into a body a template might echo.
      return serviceUnavailable('The local delivery stream could not store the record.');
    }
    this.records++;
    return putRecordOk(`${arrivalTs.toString(16)}${this.records.toString(16).padStart(12, '0')}`);
  }
}

/** One PutRecord against a stream of this name and sink (tests; the server keeps one LocalPutRecord). */
export function putRecordLocally(rendered: string, streamName: string, sink: RecordSink, arrivalTs: number, onFailure: (error: unknown) => void): Promise<ServiceResponse> {
  return new LocalPutRecord(streamName, sink).put(rendered, arrivalTs, onFailure);
}
