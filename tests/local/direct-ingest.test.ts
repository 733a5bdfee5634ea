import { request as httpRequest, createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { parseEnvelope } from '../../shared/envelope';
import { signMetaBody } from '../../shared/signature';
import { routes, type Route } from '../../services/ingest/routes';
import type { MethodResponse } from '../../shared/apigw/types';
import type { HttpRequest } from '../../local/api-request';
import type { BodyGuard } from '../../local/body-guard';
import { directIngestListener } from '../../local/direct-ingest';
import { buildLocalServer } from '../../local/server';

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** One HTTP/1.1 request over a real socket (Content-Length set, unless chunked). */
function send(port: number, method: string, path: string, headers: Record<string, string>, body: Buffer | string, chunked = false): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const bytes = Buffer.from(body);
    const req = httpRequest({ host: '127.0.0.1', port, method, path, headers: chunked ? { ...headers, 'transfer-encoding': 'chunked' } : { ...headers, 'content-length': String(bytes.length) } }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(bytes);
  });
}

const listening = (server: Server): Promise<number> =>
  new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));

describe('the direct path for webhook posts', () => {
  const post = (routes as readonly Route[]).filter((r) => r.method === 'POST' && r.integration.type === 'AWS');
  let server: Server;
  let port: number;
  let reserved = 0;
  let roomLeft = true;
  const answered: Array<{ route: string; request: HttpRequest }> = [];
  const fellBack: string[] = [];
  const guard: BodyGuard = {
    inFlight: () => reserved,
    reserve: (bytes) => {
      if (!roomLeft) return false;
      reserved += bytes;
      return true;
    },
    release: (bytes) => {
      reserved -= bytes;
    },
  };

  beforeAll(async () => {
    const ok: MethodResponse = { status: 200, contentType: 'application/json', body: '{"ok":true}', headers: { 'X-Custom': 'yes' } };
    server = createServer(
      directIngestListener({
        routes: post,
        maxBodyBytes: 1000,
        guard,
        respond: async (route, request) => {
          answered.push({ route: route.path, request });
          if (request.body.toString() === 'throw') throw new Error('boom');
          return ok;
        },
        failed: () => ({ status: 500, contentType: 'application/json', body: '{"message":"Internal server error"}', headers: {} }),
        fallback: (req, res) => {
          fellBack.push(`${req.method} ${req.url}`);
          req.resume();
          req.on('end', () => res.writeHead(299).end());
        },
      }),
    );
    port = await listening(server);
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => {
    answered.length = 0;
    fellBack.length = 0;
    roomLeft = true;
  });

  it('answers an exact POST route with a Content-Length itself, with the whole body and fastify-style headers', async () => {
    const body = Buffer.from([0x7b, 0xff, 0xfe, 0x7d]);
    const r = await send(port, 'POST', '/webhooks/meta', { 'Content-Type': 'application/json', 'X-Hub-Signature-256': 'sha256=ab' }, body);
    expect(r.status).toBe(200);
    expect(r.body).toBe('{"ok":true}');
    expect(r.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(r.headers['x-custom']).toBe('yes');
    expect(r.headers['content-length']).toBe('11');
    expect(r.headers['x-amzn-requestid']).toMatch(/^[0-9a-f-]{36}$/);
    expect(answered).toHaveLength(1);
    expect(answered[0]!.route).toBe('/webhooks/meta');
    expect(answered[0]!.request.body.equals(body)).toBe(true);
    // Header names keep the case they were sent in, for the templates.
    expect(answered[0]!.request.rawHeaders).toContain('X-Hub-Signature-256');
    expect(fellBack).toEqual([]);
    expect(reserved).toBe(0);
  });

  it('serves every POST route with a Firehose integration, and no other', async () => {
    for (const route of post) expect((await send(port, 'POST', route.path, {}, '{}')).status).toBe(200);
    expect(answered.map((a) => a.route)).toEqual(post.map((r) => r.path));
    expect((await send(port, 'GET', '/webhooks/meta', {}, '')).status).toBe(299);
    expect((await send(port, 'POST', '/nowhere', {}, '{}')).status).toBe(299);
    expect(fellBack).toEqual(['GET /webhooks/meta', 'POST /nowhere']);
  });

  it('hands fastify a query string, a chunked body, a body over the limit and a body the cap has no room for', async () => {
    await send(port, 'POST', '/webhooks/twilio?bodySHA256=abc', {}, '{}');
    await send(port, 'POST', '/webhooks/meta', {}, '{}', true);
    await send(port, 'POST', '/webhooks/meta', {}, 'x'.repeat(1001));
    roomLeft = false;
    await send(port, 'POST', '/webhooks/meta', {}, '{}');
    expect(fellBack).toEqual(['POST /webhooks/twilio?bodySHA256=abc', 'POST /webhooks/meta', 'POST /webhooks/meta', 'POST /webhooks/meta']);
    expect(answered).toEqual([]);
    expect(reserved).toBe(0);
  });

  it('answers with the failure answer when respond throws, and gives the reservation back', async () => {
    const r = await send(port, 'POST', '/webhooks/meta', {}, 'throw');
    expect(r.status).toBe(500);
    expect(r.body).toBe('{"message":"Internal server error"}');
    expect(reserved).toBe(0);
  });
});

/** An answer without what differs by request: its id and date. */
function comparable(a: { status: number; headers: Record<string, unknown>; body: string }) {
  const { date: _date, 'x-amzn-requestid': id, connection: _c, 'keep-alive': _k, ...headers } = a.headers;
  return { status: a.status, headers, body: a.body.replaceAll(String(id), '<id>'), hasId: typeof id === 'string' && id.length === 36 };
}

describe('the listening server and inject (fastify) answer webhook posts alike', () => {
  const stored: Buffer[] = [];
  let app: FastifyInstance;
  let port: number;
  const secret = 'app-secret';
  const body = '{"object":"whatsapp_business_account","entry":[]}';
  const cases: Array<{ name: string; path: string; headers: Record<string, string>; body: Buffer | string }> = [
    { name: 'a signed Meta post', path: '/webhooks/meta', headers: { 'content-type': 'application/json', 'x-hub-signature-256': signMetaBody(body, secret) }, body },
    { name: 'a JSON post with a charset', path: '/webhooks/wasender', headers: { 'content-type': 'application/json; charset=utf-8', 'x-webhook-signature': 'sig' }, body },
    { name: 'a body that is not UTF-8', path: '/webhooks/meta', headers: { 'content-type': 'application/json' }, body: Buffer.from([0x7b, 0xc3, 0x28, 0x7d]) },
    { name: 'a content type without a template', path: '/webhooks/meta', headers: { 'content-type': 'text/plain' }, body },
    { name: '/sends without the bearer token', path: '/sends', headers: { 'content-type': 'application/json' }, body: '[]' },
    { name: '/sends with the bearer token', path: '/sends', headers: { 'content-type': 'application/json', authorization: 'Bearer reg-token' }, body: '[]' },
    { name: 'a Twilio form', path: '/webhooks/twilio', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': 'c2ln' }, body: 'MessageSid=SM1&From=whatsapp%3A%2B15551234567&ButtonPayload=yes' },
    { name: 'an empty body', path: '/webhooks/meta', headers: { 'content-type': 'application/json' }, body: '' },
  ];

  beforeAll(async () => {
    app = buildLocalServer({ sink: { put: async (data) => void stored.push(data) }, streamName: 'wa-analytics-local-raw', verifyToken: 'v', registryToken: 'reg-token', publicUrl: 'https://hooks.example.com', now: () => 1_764_000_000_000, log: () => undefined });
    await app.listen({ host: '127.0.0.1', port: 0 });
    port = (app.server.address() as { port: number }).port;
  });
  afterAll(() => app.close());

  it.each(cases.map((c) => [c.name, c]))('%s: same status, headers, body and stored record', async (_name, c) => {
    stored.length = 0;
    const direct = await send(port, 'POST', c.path, c.headers, c.body);
    const viaFastify = await app.inject({ method: 'POST', url: c.path, headers: { ...c.headers, 'content-length': String(Buffer.byteLength(c.body)) }, payload: c.body });
    expect(comparable(direct)).toEqual(comparable({ status: viaFastify.statusCode, headers: viaFastify.headers, body: viaFastify.body }));
    expect(comparable(direct).hasId).toBe(true);
    // The records differ only by request id (and the headers the test client adds by itself).
    expect(stored.length).toBe(direct.status === 200 ? 2 : 0);
    if (stored.length === 2) {
      const [a, b] = stored.map((s) => parseEnvelope(s));
      expect(a!.body.equals(b!.body)).toBe(true);
      expect(a!.body.equals(Buffer.from(c.body))).toBe(true);
      expect({ ...a, requestId: '', body: null }).toEqual({ ...b, requestId: '', body: null });
      expect(a!.requestId).toBe(direct.headers['x-amzn-requestid']);
    }
  });
});
