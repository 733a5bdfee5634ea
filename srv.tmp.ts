import { buildLocalServer } from './services/local/server';
import { openStack } from './services/local/stack';
(async () => {
  const mode = process.argv[2];
  process.on('SIGINT', () => process.exit(0));
  if (mode === 'noop') {
    const app = buildLocalServer({ sink: { put: async () => undefined }, streamName: 'wa-analytics-local', verifyToken: null, registryToken: null });
    await app.listen({ host: '127.0.0.1', port: 4001 });
    console.log('http://127.0.0.1:4001');
  } else if (mode === 'fastify') {
    const Fastify = (await import('fastify')).default;
    const app = Fastify();
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer' }, (_r, b, d) => d(null, b));
    app.post('/webhooks/meta', async (_req, reply) => reply.header('content-type', 'application/json').send('{"ok":true}'));
    await app.listen({ host: '127.0.0.1', port: 4001 });
    console.log('http://127.0.0.1:4001');
  } else {
    const stack = await openStack({ env: { WA_APP_SECRET: 'bench-app-secret', WA_PII_KEY: 'k' }, dataDir: process.argv[3]!, log: () => undefined });
    console.log(await stack.listen(4001));
    process.on('SIGTERM', async () => { await stack.close(); console.error('wal', JSON.stringify(stack.stream.walStats)); process.exit(0); });
  }
})();
