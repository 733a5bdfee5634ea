import { openStack } from './services/local/stack';
import { buildLocalServer } from './services/local/server';
import { signMetaBody } from './shared/signature';
import { realisticMetaBodies } from './tests/support/webhooks';
import { mkdtempSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
async function drive(app: FastifyInstance, reqs: any[], label: string) {
  let next = 0; const N = reqs.length;
  const cpu = process.cpuUsage(); const t = process.hrtime.bigint();
  await Promise.all(Array.from({ length: 32 }, async () => { while (next < N) await app.inject(reqs[next++]!); }));
  const c = process.cpuUsage(cpu); const wall = Number(process.hrtime.bigint() - t) / 1e3;
  console.log(`${label}: wall ${(wall / N).toFixed(1)} us/req, user ${(c.user / N).toFixed(1)} sys ${(c.system / N).toFixed(1)} us/req`);
}
(async () => {
  const bodies = realisticMetaBodies(3 * 1024 * 1024, 11);
  const reqs = bodies.map((b) => ({ method: 'POST' as const, url: '/webhooks/meta', headers: { 'content-type': 'application/json', 'x-hub-signature-256': signMetaBody(b, 's') }, payload: b }));
  const noop = buildLocalServer({ sink: { put: async () => undefined }, streamName: 'wa-analytics-local', verifyToken: null, registryToken: null });
  await drive(noop, reqs, 'warm noop'); await drive(noop, reqs, 'inject+render (noop sink)');
  const dataDir = mkdtempSync('/tmp/wa-micro-');
  const stack = await openStack({ env: { WA_APP_SECRET: 's', WA_PII_KEY: 'k' }, dataDir, bufferBytes: 1 << 30, bufferMs: 3_600_000, log: () => undefined });
  await drive(stack.app, reqs, 'warm stack'); await stack.stream.flush();
  await drive(stack.app, reqs, 'inject+render+WAL append');
  console.log(JSON.stringify(stack.stream.walStats));
  const cpu = process.cpuUsage(); const t = process.hrtime.bigint();
  const rep = await stack.stream.flush();
  const c = process.cpuUsage(cpu); const wall = Number(process.hrtime.bigint() - t) / 1e3;
  console.log(`flush: wall ${(wall / rep.records).toFixed(1)} us/rec, user ${(c.user / rep.records).toFixed(1)} sys ${(c.system / rep.records).toFixed(1)}`);
  await stack.close();
})();
