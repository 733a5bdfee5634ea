import type { FirehoseTransformationEvent } from 'aws-lambda';
import { workerTransform } from '../../../services/local/transform-worker';
import { rowsOfData } from '../../support/rows';
import { metaWebhook, signedMetaRecordData } from '../../support/webhooks';

const SECRET = 'worker-secret';

function event(data: string): FirehoseTransformationEvent {
  return { invocationId: 'i', deliveryStreamArn: 'arn:aws:firehose:local:000000000000:deliverystream/s', region: 'local', records: [{ recordId: '1', approximateArrivalTimestamp: 1_750_000_000_000, data }] };
}

describe('workerTransform', () => {
  const worker = workerTransform({ metaAppSecret: SECRET, wasenderSecret: null, timeZone: 'UTC', pii: 'raw', piiKey: '' });
  afterAll(() => worker.close());

  it('runs the real transform on a worker thread, signatures checked with the given secret', async () => {
    const body = JSON.stringify(metaWebhook({ taps: [{ id: 'wamid.W1', from: '5511900000001', timestamp: 1_750_000_000, contextId: 'wamid.OUT', kind: 'button_reply', buttonId: 'b1', title: 'One' }] }));
    const good = await worker.transform(event(signedMetaRecordData(body, SECRET, 1_750_000_000_000)));
    const forged = await worker.transform(event(signedMetaRecordData(body, 'other', 1_750_000_000_000)));
    expect(rowsOfData(good.records[0]!.data ?? '').map((r) => [r.kind, r.wamid, r.wa_id])).toEqual([['click', 'wamid.W1', '5511900000001']]);
    expect(rowsOfData(forged.records[0]!.data ?? '').map((r) => [r.kind, r.reason])).toEqual([['quarantine', 'bad_signature']]);
  });

  it('rejects a batch the transform throws on, and keeps serving the next one', async () => {
    const broken = { ...event(''), records: null } as unknown as FirehoseTransformationEvent;
    await expect(worker.transform(broken)).rejects.toThrow(/transform failed/);
    const next = await worker.transform(event(signedMetaRecordData('{}', SECRET, 1_750_000_000_000)));
    expect(next.records).toHaveLength(1);
  });
});
