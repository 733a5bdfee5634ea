import { createHmac } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { FirehoseTransformationEvent } from 'aws-lambda';
import { build } from 'esbuild';
import { createPseudonymizer } from '../shared/pii';
import { transformBatch } from '../services/transform/batch';
import { transformBuildOptions } from '../resources/esbuild-options.cjs';
import { realisticMetaBodies, signedMetaRecordData } from '../tests/support/webhooks';

const APP_SECRET = 'bench-app-secret';
const BATCH_BYTES = 3 * 1024 * 1024;

/** A Firehose event of signed Meta webhooks whose record data adds up to about 3 MB. */
function realisticBatch(): FirehoseTransformationEvent {
  const records: FirehoseTransformationEvent['records'] = [];
  let bytes = 0;
  const t0 = 1_763_000_000_000;
  for (const body of realisticMetaBodies(BATCH_BYTES, 7)) {
    if (bytes >= BATCH_BYTES) break;
    const data = signedMetaRecordData(body, APP_SECRET, t0 + records.length, `req-${records.length}`);
    records.push({ recordId: `49546986683135544286507457936321625675700192471156785154${records.length}`, approximateArrivalTimestamp: t0, data });
    bytes += data.length;
  }
  return { invocationId: 'bench', deliveryStreamArn: 'arn:aws:firehose:us-east-1:123456789012:deliverystream/bench', region: 'us-east-1', records };
}

/**
 * The floor: the work any transform of this batch must do — base64 decode, JSON parse (the
 * envelope's header and the body), HMAC of the body, JSON encode and base64 encode of the same
 * data. The header ends at its first `}` (it holds no braces: ids, digits and base64).
 */
function floor(event: FirehoseTransformationEvent): number {
  let sink = 0;
  for (const r of event.records) {
    const data = Buffer.from(r.data, 'base64');
    const end = data.indexOf(0x7d) + 1;
    sink += (JSON.parse(data.toString('latin1', 0, end)) as { v: number }).v;
    const body = data.subarray(end);
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    sink += createHmac('sha256', APP_SECRET).update(body).digest('hex').length;
    sink += Buffer.from(`${JSON.stringify(parsed)}\n`, 'utf8').toString('base64').length;
  }
  return sink;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function timeIt(fn: () => unknown): number {
  const t = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t) / 1e6;
}

/** Size of the deployed transform bundle and the time to load it in a fresh process. */
async function bundleFigures(): Promise<{ bytes: number; initMs: number }> {
  // Inside the repository so the bundle resolves @aws-sdk/* from node_modules, as it would from
  // the Lambda runtime: loading the SDK is part of a real cold start.
  mkdirSync('bench/out', { recursive: true });
  const dir = mkdtempSync(join('bench/out', 'transform-'));
  try {
    const outfile = resolve(dir, 'handler.js');
    await build({ ...transformBuildOptions, entryPoints: ['services/transform/handler.ts'], outfile, logLevel: 'silent' });
    const bytes = statSync(outfile).size;
    const probe = `const t=process.hrtime.bigint();require(${JSON.stringify(outfile)});process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))`;
    const runs: number[] = [];
    for (let i = 0; i < 7; i++) runs.push(Number(execFileSync(process.execPath, ['-e', probe], { encoding: 'utf8' })));
    return { bytes, initMs: median(runs) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Transform throughput against the floor of its work, side by side in one run, plus bundle figures. */
export async function transformBench(): Promise<Record<string, number>> {
  const event = realisticBatch();
  const mb = event.records.reduce((n, r) => n + r.data.length, 0) / (1024 * 1024);
  const settings = { metaAppSecret: APP_SECRET, wasenderSecret: null, timeZone: 'America/Sao_Paulo', pseudonymize: createPseudonymizer('hash', 'bench-pii-key') };
  const check = transformBatch(event, settings);
  if (check.stats.failed > 0 || (check.stats.quarantinedByReason.bad_signature ?? 0) > 0) throw new Error('benchmark batch did not transform cleanly');
  for (let i = 0; i < 3; i++) {
    floor(event);
    transformBatch(event, settings);
  }
  const floorMs: number[] = [];
  const transformMs: number[] = [];
  for (let i = 0; i < 15; i++) {
    // Alternate so that both see the same machine conditions.
    floorMs.push(timeIt(() => floor(event)));
    transformMs.push(timeIt(() => transformBatch(event, settings)));
  }
  const transformRate = mb / (median(transformMs) / 1000);
  const floorRate = mb / (median(floorMs) / 1000);
  const bundle = await bundleFigures();
  return {
    transform_batch_mb: Number(mb.toFixed(3)),
    transform_records: event.records.length,
    transform_rows: check.stats.rows,
    transform_mb_per_s: Number(transformRate.toFixed(2)),
    floor_mb_per_s: Number(floorRate.toFixed(2)),
    transform_vs_floor: Number((transformRate / floorRate).toFixed(3)),
    transform_bundle_bytes: bundle.bytes,
    transform_init_ms: Number(bundle.initMs.toFixed(1)),
  };
}
