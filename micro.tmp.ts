import { renderTemplate } from './shared/apigw/render';
import { selectIntegrationResponse } from './shared/apigw/select';
import { loadTemplate, routes } from './services/ingest/routes';
import { putRecordOk } from './shared/apigw/firehose';
import { signMetaBody } from './shared/signature';
import { realisticMetaBodies } from './tests/support/webhooks';
import { randomUUID } from 'node:crypto';
const bodies = realisticMetaBodies(2 * 1024 * 1024, 11).map((b) => Buffer.from(b));
const route = routes[0];
const tpl = loadTemplate(route.requestTemplate);
const subs = { DeliveryStreamName: 'wa-analytics-local', VerifyToken: '' };
function req(body: Buffer) {
  return { method: 'POST', resourcePath: '/webhooks/meta', path: '/local/webhooks/meta', headers: { 'Content-Type': 'application/json', 'X-Hub-Signature-256': signMetaBody(body, 's'), Host: '127.0.0.1:4001', 'User-Agent': 'x' }, query: {}, body, requestId: randomUUID(), requestTimeEpoch: Date.now(), stage: 'local', sourceIp: '127.0.0.1' };
}
const reqs = bodies.map(req);
function time(name: string, fn: (i: number) => void) {
  const N = 20000; for (let i = 0; i < 2000; i++) fn(i);
  const t = process.hrtime.bigint(); for (let i = 0; i < N; i++) fn(i); const us = Number(process.hrtime.bigint() - t) / 1e3 / N; console.log(name, us.toFixed(1), 'us');
}
console.log('avg body', bodies.reduce((a, b) => a + b.length, 0) / bodies.length);
time('render request', (i) => renderTemplate(tpl, reqs[i % reqs.length], subs));
time('render+parse+decode', (i) => { const r = JSON.parse(renderTemplate(tpl, reqs[i % reqs.length], subs)); Buffer.from(r.Record.Data, 'base64'); });
const ok = putRecordOk('abc');
time('select response', (i) => selectIntegrationResponse(route, 200, ok.body, { request: reqs[i % reqs.length], loadTemplate, substitutions: subs }));
time('uuid', () => randomUUID());
time('handwritten envelope', (i) => { const r = reqs[i % reqs.length]; const env = JSON.stringify({ v: 1, source: 'meta', request_id: r.requestId, received_ts: r.requestTimeEpoch, signature: Buffer.from(r.headers['X-Hub-Signature-256']).toString('base64'), body: r.body.toString('base64') }); Buffer.from(env); });
