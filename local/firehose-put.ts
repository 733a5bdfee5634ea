import { base64DecodedLength, decodeBase64Strict } from '../shared/base64';
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

const isJsonSpace = (code: number): boolean => code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09;

/**
 * `Record.Data` of a rendered PutRecord in exactly the shape the request template writes
 * (`{"DeliveryStreamName":<this stream>,"Record":{"Data":"..."}}`, trailing whitespace allowed),
 * or undefined for anything else, which then goes through JSON.parse. This saves parsing (and
 * copying) a string of 1.4 times the body on every webhook. The text between the quotes is
 * returned as is: the caller decodes it as base64, and text that is not base64 (which a quote,
 * a backslash or a control character never are) is then parsed as JSON after all, so an escaped
 * string means what JSON says it means.
 */
export function recordDataOf(rendered: string, streamName: string, prefix = requestPrefix(streamName)): string | undefined {
  if (!rendered.startsWith(prefix)) return undefined;
  let end = rendered.length;
  while (end > 0 && isJsonSpace(rendered.charCodeAt(end - 1))) end--;
  if (end < prefix.length + 3 || !rendered.startsWith('"}}', end - 3)) return undefined;
  return rendered.slice(prefix.length, end - 3);
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
    const direct = recordDataOf(rendered, streamName, this.prefix);
    // The template's own shape with plain base64 inside: the record without parsing JSON.
    let data = direct === undefined || base64DecodedLength(direct) > FIREHOSE_MAX_RECORD_BYTES ? null : decodeBase64Strict(direct);
    if (data === null) {
      let request: unknown;
      try {
        request = JSON.parse(rendered);
      } catch {
        return serializationError();
      }
      const { DeliveryStreamName: name, Record: record } = (request ?? {}) as { DeliveryStreamName?: unknown; Record?: { Data?: unknown } };
      if (typeof name !== 'string' || name === '') return validationError("1 validation error detected: Value null at 'deliveryStreamName' failed to satisfy constraint: Member must not be null");
      if (name !== streamName) return resourceNotFound(name);
      const encoded = record?.Data;
      if (typeof encoded !== 'string' || encoded.length % 4 !== 0) return serializationError();
      // Size check on the decoded length first, without decoding a record that will be refused.
      const size = base64DecodedLength(encoded);
      if (size > FIREHOSE_MAX_RECORD_BYTES) return recordTooLarge(size);
      data = decodeBase64Strict(encoded);
      if (data === null) return serializationError();
    }
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
