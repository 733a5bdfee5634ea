import type { FirehoseTransformationEvent } from 'aws-lambda';
import { transformBatch, RESPONSE_BUDGET_BYTES } from '../../../services/transform/batch';
import { createPseudonymizer } from '../../../shared/pii';
import { signMetaBody } from '../../../shared/signature';
import { rowsOfData, schemaProblems } from '../../support/rows';
import { envelopeRecordBytes, envelopeV1Json, metaWebhook, signedMetaRecordData } from '../../support/webhooks';

const SECRET = 'test-app-secret';
const settings = { metaAppSecret: SECRET, wasenderSecret: 'ws-secret', timeZone: 'UTC', pseudonymize: createPseudonymizer('raw', undefined) };
const T = 1_763_000_000_000;

function event(datas: string[]): FirehoseTransformationEvent {
  return {
    invocationId: 'inv-1',
    deliveryStreamArn: 'arn:aws:firehose:us-east-1:123456789012:deliverystream/test',
    region: 'us-east-1',
    records: datas.map((data, i) => ({ recordId: `rec-${i}`, approximateArrivalTimestamp: T, data })),
  };
}

const tapBody = JSON.stringify(
  metaWebhook({
    taps: [{ id: 'wamid.IN1', from: '5511999990001', timestamp: 1_763_000_100, contextId: 'wamid.OUT1', kind: 'button_reply', buttonId: 'yes', title: 'Sí 🎉' }],
    statuses: [{ id: 'wamid.OUT1', status: 'delivered', timestamp: 1_763_000_050, recipient: '5511999990001' }],
  }),
);

describe('transformBatch', () => {
  it('answers every record in order, Ok with newline-terminated rows that match the schema', () => {
    const { result, stats } = transformBatch(event([signedMetaRecordData(tapBody, SECRET, T), signedMetaRecordData(tapBody, SECRET, T + 1)]), settings);
    expect(result.records.map((r) => [r.recordId, r.result])).toEqual([
      ['rec-0', 'Ok'],
      ['rec-1', 'Ok'],
    ]);
    const rows = rowsOfData(result.records[0]!.data!);
    expect(rows.map((r) => r.kind).sort()).toEqual(['click', 'status']);
    for (const row of rows) expect(schemaProblems(row as unknown as Record<string, unknown>)).toEqual([]);
    expect(stats).toMatchObject({ records: 2, ok: 2, failed: 0, rows: 4, rowsByKind: { click: 2, status: 2 } });
  });

  it('gives the same event ids to the same webhook delivered twice', () => {
    const { result } = transformBatch(event([signedMetaRecordData(tapBody, SECRET, T), signedMetaRecordData(tapBody, SECRET, T + 5000, 'retry')]), settings);
    const ids = result.records.map((r) => rowsOfData(r.data!).map((row) => row.event_id).sort());
    expect(ids[0]).toEqual(ids[1]);
    expect(ids[0]).toEqual(['meta:wamid.IN1', 'meta:wamid.OUT1:delivered']);
  });

  it('reads a version-1 record (in flight when the stage was updated) into the same rows as a version-2 one', () => {
    const spec = { source: 'meta', body: tapBody, signature: signMetaBody(tapBody, SECRET), receivedTs: T } as const;
    const v1 = Buffer.from(envelopeV1Json(spec)).toString('base64');
    const v2 = envelopeRecordBytes(spec).toString('base64');
    const { result } = transformBatch(event([v1, v2]), settings);
    expect(result.records.map((r) => r.result)).toEqual(['Ok', 'Ok']);
    expect(rowsOfData(result.records[0]!.data!)).toEqual(rowsOfData(result.records[1]!.data!));
    expect(rowsOfData(result.records[0]!.data!).map((r) => r.kind).sort()).toEqual(['click', 'status']);
  });

  it('quarantines a body whose signature does not match, keeping the body and signature for replay', () => {
    const forged = signMetaBody(tapBody, 'not-the-secret');
    const data = envelopeRecordBytes({ source: 'meta', body: tapBody, signature: forged, receivedTs: T }).toString('base64');
    const { result, stats } = transformBatch(event([data]), settings);
    expect(result.records[0]!.result).toBe('Ok');
    const [row] = rowsOfData(result.records[0]!.data!);
    expect(row).toMatchObject({ kind: 'quarantine', reason: 'bad_signature', source: 'meta', signature: forged, event_date: '2025-11-13' });
    expect(Buffer.from(row!.raw_body!, 'base64').toString('utf8')).toBe(tapBody);
    expect(stats.quarantinedByReason).toEqual({ bad_signature: 1 });
  });

  it('counts every quarantined conversion item under its own reason, beside the conversions that landed', () => {
    const body = JSON.stringify([
      { conversion_id: 'ord-1', wa_id: '15551230001', name: 'purchase', occurred_at: '2025-11-13T02:00:00Z', value: 10, currency: 'EUR' },
      { conversion_id: 'ord-2', wa_id: '15551230002', name: 'purchase', occurred_at: '2025-11-13T02:00:00Z', value: -10, currency: 'EUR' },
      { conversion_id: 'ord-3', wa_id: '15551230003', name: 'purchase', occurred_at: '2025-11-13T02:00:00Z', value: 10, currency: 'EURO' },
      { conversion_id: 'ord-4', wa_id: '15551230004', name: 'purchase', occurred_at: '2025-11-13T02:00:00Z', value: -1 },
    ]);
    const data = envelopeRecordBytes({ source: 'conversions', body, receivedTs: T }).toString('base64');
    const { result, stats } = transformBatch(event([data]), settings);
    expect(rowsOfData(result.records[0]!.data!).map((r) => [r.kind, r.reason])).toEqual([
      ['conversion', null],
      ['quarantine', 'conversion_bad_value'],
      ['quarantine', 'conversion_unknown_currency'],
      ['quarantine', 'conversion_bad_value'],
    ]);
    expect(stats).toMatchObject({ records: 1, ok: 1, rows: 4, rowsByKind: { conversion: 1, quarantine: 3 } });
    expect(stats.quarantinedByReason).toEqual({ conversion_bad_value: 2, conversion_unknown_currency: 1 });
  });

  it('quarantines a Meta body with no signature header when a secret is configured', () => {
    const data = envelopeRecordBytes({ source: 'meta', body: tapBody, signature: null, receivedTs: T }).toString('base64');
    const [row] = rowsOfData(transformBatch(event([data]), settings).result.records[0]!.data!);
    expect(row).toMatchObject({ kind: 'quarantine', reason: 'missing_signature' });
  });

  it('checks the WASenderApi secret header', () => {
    const body = JSON.stringify({ event: 'messages.update', timestamp: T, data: [] });
    const good = envelopeRecordBytes({ source: 'wasender', body, signature: 'ws-secret', receivedTs: T }).toString('base64');
    const bad = envelopeRecordBytes({ source: 'wasender', body, signature: 'ws-secreT', receivedTs: T }).toString('base64');
    const { result } = transformBatch(event([good, bad]), settings);
    expect(rowsOfData(result.records[0]!.data!).filter((r) => r.kind === 'quarantine')).toEqual([]);
    expect(rowsOfData(result.records[1]!.data!)).toMatchObject([{ kind: 'quarantine', reason: 'bad_signature', source: 'wasender' }]);
  });

  it('fails only records that are not envelopes at all, and keeps their data for the error prefix', () => {
    const junk = Buffer.from('not an envelope').toString('base64');
    const { result, stats } = transformBatch(event([junk, signedMetaRecordData(tapBody, SECRET, T)]), settings);
    expect(result.records[0]).toEqual({ recordId: 'rec-0', result: 'ProcessingFailed', data: '' });
    expect(result.records[1]!.result).toBe('Ok');
    expect(stats.failed).toBe(1);
    expect(stats.failures[0]).toMatchObject({ recordId: 'rec-0' });
  });

  it('keeps the response under the Lambda payload limit by failing the records that would not fit', () => {
    // Quarantined bodies come back at their own size plus the row. Firehose's processor buffer
    // (1 MB in our stack) normally keeps far below the limit; this guard is the last defence.
    const big = 'x'.repeat(740 * 1024);
    const data = envelopeRecordBytes({ source: 'meta', body: big, signature: 'sha256=00', receivedTs: T }).toString('base64');
    const { result, stats } = transformBatch(event(Array.from({ length: 5 }, () => data)), settings);
    const size = JSON.stringify(result).length;
    expect(size).toBeLessThan(6 * 1024 * 1024);
    expect(stats.overBudget).toBeGreaterThan(0);
    expect(result.records).toHaveLength(5);
    expect(result.records.filter((r) => r.result === 'Ok').length + stats.overBudget).toBe(5);
    expect(RESPONSE_BUDGET_BYTES).toBeLessThan(6 * 1024 * 1024);
  });
});
