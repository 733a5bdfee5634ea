import Fastify from 'fastify';
import { randomUUID } from 'node:crypto';
import { renderTemplate } from './shared/apigw/render';
import { selectIntegrationResponse } from './shared/apigw/select';
import { loadTemplate, routes } from './services/ingest/routes';
import { putRecordOk } from './shared/apigw/firehose';
import { apiRequestOf } from './services/local/api-request';
const level = Number(process.argv[2]);
const route = routes[0];
const tpl = loadTemplate(route.requestTemplate);
const subs = { DeliveryStreamName: 'wa-analytics-local', VerifyToken: '' };
process.on('SIGINT', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));
(async () => {
  const app = Fastify({ logger: false, bodyLimit: 10 << 20, genReqId: level >= 1 ? () => randomUUID() : undefined });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_r, b, d) => d(null, b));
  app.post('/webhooks/meta', async (request, reply) => {
    if (level >= 1) reply.header('x-amzn-RequestId', request.id);
    let body = '{"ok":true}';
    if (level >= 2) {
      const api = apiRequestOf(request, { resourcePath: '/webhooks/meta', stage: 'local', requestId: request.id, requestTimeEpoch: Date.now() });
      if (level >= 3) { const r = JSON.parse(renderTemplate(tpl, api, subs)); Buffer.from(r.Record.Data, 'base64'); }
      if (level >= 4) { await Promise.resolve(); body = selectIntegrationResponse(route, 200, putRecordOk('x').body, { request: api, loadTemplate, substitutions: subs }).body; }
    }
    return reply.code(200).header('content-type', 'application/json').send(body);
  });
  await app.listen({ host: '127.0.0.1', port: 4001 });
  console.log('http://127.0.0.1:4001');
})();
