import { openStack } from './services/local/stack';
import { signMetaBody } from './shared/signature';
import { realisticMetaBodies } from './tests/support/webhooks';
import { mkdtempSync } from 'node:fs';
(async () => {
  const dataDir = mkdtempSync('/tmp/wa-micro-');
  const stack = await openStack({ env: { WA_APP_SECRET: 's', WA_PII_KEY: 'k' }, dataDir, bufferBytes: 1 << 30, bufferMs: 3_600_000, log: () => undefined });
  const bodies = realisticMetaBodies(4 * 1024 * 1024, 11);
  const reqs = bodies.map((b) => ({ method: 'POST' as const, url: '/webhooks/meta', headers: { 'content-type': 'application/json', 'x-hub-signature-256': signMetaBody(b, 's') }, payload: b }));
  // warm
  for (let i = 0; i < 500; i++) await stack.app.inject(reqs[i]!);
  await stack.stream.flush();
  let cpu = process.cpuUsage(); let t = process.hrtime.bigint();
  const N = reqs.length;
  // concurrency 32 via inject
  let next = 0;
  await Promise.all(Array.from({ length: 32 }, async () => { while (next < N) await stack.app.inject(reqs[next++]!); }));
  let c = process.cpuUsage(cpu); let wall = Number(process.hrtime.bigint() - t) / 1e6;
  console.log(`inject+render+WAL: ${N} reqs, wall ${wall.toFixed(0)} ms, cpu ${((c.user + c.system) / N).toFixed(1)} us/req, wal ${JSON.stringify(stack.stream.walStats)}`);
  cpu = process.cpuUsage(); t = process.hrtime.bigint();
  const rep = await stack.stream.flush();
  c = process.cpuUsage(cpu); wall = Number(process.hrtime.bigint() - t) / 1e6;
  console.log(`flush: ${rep.records} records, wall ${wall.toFixed(0)} ms, cpu ${((c.user + c.system) / rep.records).toFixed(1)} us/record, files ${rep.files.length}`);
  await stack.close();
})();
