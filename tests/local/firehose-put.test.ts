import { putRecordLocally, recordDataOf, type RecordSink } from '../../local/firehose-put';

/**
 * The exact extraction of `Record.Data` that spares the hot path a JSON.parse must answer every
 * rendered PutRecord exactly as the JSON.parse path does: the same status, the same body shape,
 * the same bytes stored.
 */
const STREAM = 'wa-analytics-local-raw';
const data = Buffer.from('{"v":1,"body":"🙂"}').toString('base64');

const rendered = [
  `{"DeliveryStreamName":"${STREAM}","Record":{"Data":"${data}"}}`,
  `{"DeliveryStreamName":"${STREAM}","Record":{"Data":"${data}"}}\n`,
  `{"DeliveryStreamName":"${STREAM}","Record":{"Data":"${data}"}} \r\n\t`,
  `{"DeliveryStreamName":"${STREAM}","Record":{"Data":""}}`,
  `{"DeliveryStreamName":"${STREAM}","Record":{"Data":"${data.slice(0, 8)}\\u0041${data.slice(8)}"}}`, // JSON escape: parse path
  `{"DeliveryStreamName":"${STREAM}","Record":{"Data":"${data.slice(0, 8)}\n${data.slice(8)}"}}`, // raw control character: not JSON
  `{"DeliveryStreamName":"${STREAM}","Record":{"Data":"${data}"}}}`,
  `{"DeliveryStreamName":"${STREAM}","Record":{"Data":"${data}","x":"1"}}`,
  `{"DeliveryStreamName":"${STREAM}","Record":{"Data":"${data}"}`,
  `{"DeliveryStreamName":"other-stream","Record":{"Data":"${data}"}}`,
  `{"DeliveryStreamName":"","Record":{"Data":"${data}"}}`,
  `{ "DeliveryStreamName": "${STREAM}", "Record": { "Data": "${data}" } }`,
  `{"DeliveryStreamName":"${STREAM}","Record":{"Data":"${data.replace(/\+/g, '-')}-"}}`,
  `{"DeliveryStreamName":"${STREAM}","Record":{"Data":"abc"}}`,
  `{"DeliveryStreamName":"${STREAM}","Record":{"Data":"${data.slice(0, 4)}\u0141${data.slice(5)}"}}`, // Ł, which Node's decoder would read as A
  `{"DeliveryStreamName":"${STREAM}","Record":{"Data":"${'A'.repeat(1_400_000)}"}}`,
  'not json',
  '',
];

/** What the JSON.parse path answers: the extraction disabled by a stream name that never matches the prefix. */
async function answer(text: string, fast: boolean): Promise<{ status: number; body: string; stored: string[] }> {
  const stored: string[] = [];
  const sink: RecordSink = { put: async (bytes) => void stored.push(bytes.toString('base64')) };
  const input = fast ? text : text.replace('{"DeliveryStreamName":', '{ "DeliveryStreamName":');
  const r = await putRecordLocally(input, STREAM, sink, 1_763_000_000_000, () => undefined);
  // Record ids count up per call; compare their shape only.
  return { status: r.status, body: r.body.replace(/"RecordId":"[0-9a-f]+"/, '"RecordId":"…"'), stored };
}

describe('putRecordLocally', () => {
  it.each(rendered.map((text, i) => [i, text]))('answers rendered request %i alike with and without the exact extraction', async (_i, text) => {
    expect(await answer(text, true)).toEqual(await answer(text, false));
  });

  it('extracts Record.Data only from the exact shape the template writes', () => {
    expect(recordDataOf(rendered[0]!, STREAM)).toBe(data);
    expect(recordDataOf(rendered[1]!, STREAM)).toBe(data);
    // Escapes and control characters come back as written; not being base64, they are then parsed as JSON.
    expect(recordDataOf(rendered[4]!, STREAM)).toBe(`${data.slice(0, 8)}\\u0041${data.slice(8)}`);
    expect(recordDataOf(rendered[5]!, STREAM)).toBe(`${data.slice(0, 8)}\n${data.slice(8)}`);
    expect(recordDataOf(rendered[9]!, STREAM)).toBeUndefined();
    expect(recordDataOf(rendered[11]!, STREAM)).toBeUndefined();
  });

  it('stores the decoded record and answers with a record id', async () => {
    const r = await answer(rendered[0]!, true);
    expect(r.status).toBe(200);
    expect(r.stored).toEqual([data]);
  });
});
