import type { FirehoseTransformationEvent } from 'aws-lambda';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { type BatchStats, transformBatch } from '../../services/transform/batch';
import type { TransformSettings } from '../../shared/normalize';
import { createPseudonymizer } from '../../shared/pii';
import type { Source } from '../../shared/schema/types';
import { rowsOfData } from './rows';
import { envelopeRecordBytes } from './webhooks';

/** One ingested request: source, body text and arrival time. */
export interface RawRequest {
  readonly source: Source;
  readonly body: string;
  readonly receivedTs: number;
}

/** The transform's settings for scenario lakes: no signatures, UTC, raw user ids (readable expectations). */
export const scenarioSettings: TransformSettings = { metaAppSecret: null, wasenderSecret: null, timeZone: 'UTC', pseudonymize: createPseudonymizer('raw', undefined) };

/**
 * One Firehose batch of `requests` through the real transform (records numbered `<batch>-<i>`):
 * the JSON lines it writes and its stats.
 */
export function transformRequests(requests: readonly RawRequest[], settings: TransformSettings, batch: string): { lines: string[]; stats: BatchStats } {
  const event: FirehoseTransformationEvent = {
    invocationId: `inv-${batch}`,
    deliveryStreamArn: 'arn:aws:firehose:us-east-1:123456789012:deliverystream/test',
    region: 'us-east-1',
    records: requests.map((r, i) => ({
      recordId: `${batch}-${i}`,
      approximateArrivalTimestamp: r.receivedTs,
      data: envelopeRecordBytes({ source: r.source, body: r.body, receivedTs: r.receivedTs, requestId: `req-${batch}-${i}` }).toString('base64'),
    })),
  };
  const { result, stats } = transformBatch(event, settings);
  return { lines: result.records.flatMap((rec) => rowsOfData(rec.data!)).map((row) => JSON.stringify(row)), stats };
}

/**
 * Runs every request through the real transform, one Firehose batch per arrival day, and writes
 * each batch's rows as gzip JSON lines to `<lake>/raw/events/dt=<arrival date>/<fileName>`. Returns the
 * arrival dates written.
 */
export async function writeRawRequests(lakeRoot: string, requests: readonly RawRequest[], settings: TransformSettings = scenarioSettings, fileName = 'batch-0001.gz'): Promise<string[]> {
  const byDay = new Map<string, RawRequest[]>();
  for (const r of [...requests].sort((a, b) => a.receivedTs - b.receivedTs)) {
    const day = new Date(r.receivedTs).toISOString().slice(0, 10);
    byDay.set(day, [...(byDay.get(day) ?? []), r]);
  }
  for (const [day, reqs] of byDay) {
    const { lines } = transformRequests(reqs, settings, day);
    const dir = join(lakeRoot, 'raw', 'events', `dt=${day}`);
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, fileName), gzipSync(Buffer.from(`${lines.join('\n')}\n`)));
  }
  return [...byDay.keys()].sort();
}
