import autocannon from 'autocannon';
import { signMetaBody } from '/work/main/shared/signature';
import { realisticMetaBodies } from '/work/main/tests/support/webhooks';
(async () => {
  const url = process.argv[2]!;
  const requests = realisticMetaBodies(2 * 1024 * 1024, 11).map((body) => ({ method: 'POST' as const, path: '/webhooks/meta', headers: { 'content-type': 'application/json', 'x-hub-signature-256': signMetaBody(body, 'bench-app-secret') }, body }));
  const r = await autocannon({ url, connections: Number(process.argv[3] ?? 32), duration: Number(process.argv[4] ?? 5), requests });
  console.log('rps', r.requests.average, 'p50', r.latency.p50, 'p99', r.latency.p99, 'non2xx', r.non2xx);
})();
