import type { FastifyInstance } from 'fastify';
import { LocalCatalog } from '../../shared/adapters/local/catalog';
import { createPseudonymizer } from '../../shared/pii';
import { signMetaBody } from '../../shared/signature';
import { LocalDeliveryStream } from '../../local/delivery-stream';
import { buildLocalServer } from '../../local/server';
import { openStack, type LocalStack } from '../../local/stack';
import { readLocalConfig } from '../../shared/config/local';
import { nodeWalFileSystem, type WalFileSystem } from '../../local/wal';
import { createTransform } from '../../services/transform/handler';
import { metaTapBody, queryRows, removeTempDirs, tempDir } from './stack-helpers';

const APP_SECRET = 'test-app-secret';
const VERIFY_TOKEN = 'verify-me';
const WASENDER_SECRET = 'wasender-secret';
const REGISTRY_TOKEN = 'registry-token';

const json = { 'content-type': 'application/json' };

afterAll(removeTempDirs);

describe('the local API on a loopback port', () => {
  let dataDir: string;
  let stack: LocalStack;
  let url: string;

  beforeAll(async () => {
    dataDir = tempDir();
    const env = { WA_APP_SECRET: APP_SECRET, WA_VERIFY_TOKEN: VERIFY_TOKEN, WASENDER_WEBHOOK_SECRET: WASENDER_SECRET, WA_REGISTRY_TOKEN: REGISTRY_TOKEN, WA_PII: 'raw' };
    stack = await openStack({ config: readLocalConfig(env, { dataDir }), log: () => undefined });
    url = await stack.listen(0);
  });

  afterAll(() => stack.close());

  /** Rows of raw_events for one request, after a flush. */
  async function rowsOf(requestId: string | null) {
    await stack.stream.flush();
    return queryRows(dataDir, `SELECT kind, reason, wamid, source, button_title, signature FROM raw_events WHERE request_id = '${requestId}' ORDER BY kind`);
  }

  it('binds to the loopback address only', () => {
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('answers the Meta handshake with the bare challenge when the token matches', async () => {
    const res = await fetch(`${url}/webhooks/meta?hub.mode=subscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=1158201444`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await res.text()).toBe('1158201444');
  });

  it('refuses the handshake with 403 when the token is wrong', async () => {
    const res = await fetch(`${url}/webhooks/meta?hub.mode=subscribe&hub.verify_token=guess&hub.challenge=1158201444`);
    expect(res.status).toBe(403);
    expect(await res.text()).not.toContain('1158201444');
  });

  it('stores a signed Meta post byte-exact, so the transform verifies it and makes a click row', async () => {
    // Pretty-printed and non-ASCII: any re-encoding of the body would break the signature.
    const { wamid } = metaTapBody(1);
    const body = JSON.stringify(JSON.parse(metaTapBody(1).body), null, 2);
    const res = await fetch(`${url}/webhooks/meta`, { method: 'POST', headers: { ...json, 'X-Hub-Signature-256': signMetaBody(body, APP_SECRET) }, body });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
    const rows = await rowsOf(res.headers.get('x-amzn-requestid'));
    expect(rows).toEqual([expect.objectContaining({ kind: 'click', wamid, source: 'meta', button_title: 'Sí 🎉' })]);
  });

  it('acknowledges a forged Meta post, which then lands in quarantine as bad_signature', async () => {
    const { body } = metaTapBody(2);
    const forged = signMetaBody(body, 'not-the-app-secret');
    const res = await fetch(`${url}/webhooks/meta`, { method: 'POST', headers: { ...json, 'x-hub-signature-256': forged }, body });
    expect(res.status).toBe(200);
    const rows = await rowsOf(res.headers.get('x-amzn-requestid'));
    expect(rows).toEqual([expect.objectContaining({ kind: 'quarantine', reason: 'bad_signature', signature: forged })]);
  });

  it('turns a WASenderApi post with the right X-Webhook-Signature into rows and quarantines one without it', async () => {
    const event = { event: 'messages.upsert', timestamp: 1747775432, data: { messages: [{ key: { id: '3EB0SERVERTEST01', fromMe: false, remoteJid: '15551234567@s.whatsapp.net' }, messageTimestamp: 1747775431, message: { conversation: 'hi' } }] } };
    const body = JSON.stringify(event);
    const signed = await fetch(`${url}/webhooks/wasender`, { method: 'POST', headers: { ...json, 'X-Webhook-Signature': WASENDER_SECRET }, body });
    const unsigned = await fetch(`${url}/webhooks/wasender`, { method: 'POST', headers: json, body });
    expect([signed.status, unsigned.status]).toEqual([200, 200]);
    expect(await rowsOf(signed.headers.get('x-amzn-requestid'))).toEqual([expect.objectContaining({ kind: 'message', wamid: '3EB0SERVERTEST01', source: 'wasender' })]);
    expect(await rowsOf(unsigned.headers.get('x-amzn-requestid'))).toEqual([expect.objectContaining({ kind: 'quarantine', reason: 'missing_signature' })]);
  });

  it('requires the registry bearer token on /sends: 401 without it or with a wrong one, 200 with it', async () => {
    const body = JSON.stringify({ wamid: 'wamid.SEND0001', campaign_id: 'spring', sent_at: '2025-05-20T21:00:00Z' });
    const none = await fetch(`${url}/sends`, { method: 'POST', headers: json, body });
    const wrong = await fetch(`${url}/sends`, { method: 'POST', headers: { ...json, authorization: 'Bearer nope' }, body });
    const right = await fetch(`${url}/sends`, { method: 'POST', headers: { ...json, authorization: `Bearer ${REGISTRY_TOKEN}` }, body });
    expect([none.status, wrong.status, right.status]).toEqual([401, 401, 200]);
    // The refusal says which variable holds the token to send.
    expect(((await none.json()) as { message: string }).message).toContain('WA_REGISTRY_TOKEN');
    expect(await rowsOf(right.headers.get('x-amzn-requestid'))).toEqual([expect.objectContaining({ kind: 'send', wamid: 'wamid.SEND0001', source: 'registry' })]);
    expect(await rowsOf(none.headers.get('x-amzn-requestid'))).toEqual([]);
  });

  it('keeps a body that is not UTF-8 byte for byte: its signature verifies and raw_body is the exact body', async () => {
    const latin1 = Buffer.concat([Buffer.from('{"object":"whatsapp_business_account","entry":[],"note":"caf'), Buffer.from([0xe9]), Buffer.from('"}')]);
    const res = await fetch(`${url}/webhooks/meta`, { method: 'POST', headers: { ...json, 'x-hub-signature-256': signMetaBody(latin1, APP_SECRET) }, body: latin1 });
    expect(res.status).toBe(200);
    await stack.stream.flush();
    const rows = await queryRows(dataDir, `SELECT kind, reason, raw_body FROM raw_events WHERE request_id = '${res.headers.get('x-amzn-requestid')}'`);
    // malformed_json, not bad_signature: the signature was checked over the exact bytes.
    expect(rows).toEqual([{ kind: 'quarantine', reason: 'malformed_json', raw_body: latin1.toString('base64') }]);
  });

  it("answers 413 for a 1.1 MB body (over Firehose's 1,000 KiB record), stores nothing and counts it", async () => {
    const pad = (n: number) => JSON.stringify({ object: 'whatsapp_business_account', pad: 'x'.repeat(n) });
    const appendsBefore = stack.stream.walStats.appends;
    const refusedBefore = stack.counters.tooLarge;
    const over = await fetch(`${url}/webhooks/meta`, { method: 'POST', headers: json, body: pad(1_100_000) });
    expect(over.status).toBe(413);
    expect(await over.json()).toEqual({ ok: false, error: 'too_large' });
    expect(stack.stream.walStats.appends).toBe(appendsBefore);
    expect(stack.counters.tooLarge).toBe(refusedBefore + 1);
  });

  it('stores a signed 900 KiB Meta body byte-exact, so its signature verifies end to end', async () => {
    const body = JSON.stringify({
      object: 'whatsapp_business_account',
      entry: [{ id: 'WABA', changes: [{ field: 'messages', value: { metadata: { phone_number_id: 'P' }, statuses: [{ id: 'wamid.BIG', status: 'sent', timestamp: '1716000000', recipient_id: '15550001111' }] } }] }],
      pad: 'é'.repeat(450 * 1024),
    });
    expect(Buffer.byteLength(body)).toBeGreaterThan(900 * 1024);
    const res = await fetch(`${url}/webhooks/meta`, { method: 'POST', headers: { ...json, 'x-hub-signature-256': signMetaBody(Buffer.from(body), APP_SECRET) }, body });
    expect(res.status).toBe(200);
    expect(await rowsOf(res.headers.get('x-amzn-requestid'))).toEqual([expect.objectContaining({ kind: 'status', wamid: 'wamid.BIG', reason: null })]);
  });

  it("answers API Gateway's own 413 for a body over its 10 MB payload limit, and counts it", async () => {
    const refusedBefore = stack.counters.tooLarge;
    const res = await fetch(`${url}/webhooks/meta`, { method: 'POST', headers: json, body: Buffer.alloc(10 * 1024 * 1024 + 1, 0x20) });
    expect(res.status).toBe(413);
    expect(stack.counters.tooLarge).toBe(refusedBefore + 1);
    expect(await res.json()).toEqual({ message: 'Request Too Long' });
  });

  it('answers 403 Missing Authentication Token for an unknown route and 415 for a content type without a template', async () => {
    const unknown = await fetch(`${url}/webhooks/other`, { method: 'POST', headers: json, body: '{}' });
    expect(unknown.status).toBe(403);
    expect(await unknown.json()).toEqual({ message: 'Missing Authentication Token' });
    const text = await fetch(`${url}/webhooks/meta`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{}' });
    expect(text.status).toBe(415);
  });
});

describe('the local API without tokens configured', () => {
  const puts: Buffer[] = [];
  let app: FastifyInstance;
  let url: string;

  beforeAll(async () => {
    app = buildLocalServer({ sink: { put: async (data) => void puts.push(data) }, streamName: 'test-stream', verifyToken: null, registryToken: null, log: () => undefined });
    url = await app.listen({ host: '127.0.0.1', port: 0 });
  });

  afterAll(() => app.close());

  it("refuses /sends and /conversions with 403 'registry disabled', whatever the Authorization header", async () => {
    for (const path of ['/sends', '/conversions']) {
      for (const authorization of [undefined, 'Bearer ', 'Bearer anything']) {
        const res = await fetch(`${url}${path}`, { method: 'POST', headers: { ...json, ...(authorization ? { authorization } : {}) }, body: '[]' });
        expect(res.status).toBe(403);
        expect(await res.json()).toEqual({ message: 'registry disabled: set WA_REGISTRY_TOKEN to accept POST /sends and /conversions' });
      }
    }
    expect(puts).toHaveLength(0);
  });

  it('refuses every handshake, also one with an empty token', async () => {
    for (const token of ['', 'null', 'undefined']) {
      const res = await fetch(`${url}/webhooks/meta?hub.mode=subscribe&hub.verify_token=${token}&hub.challenge=42`);
      expect(res.status).toBe(403);
    }
  });

  it('still accepts webhooks, into the stream it was given', async () => {
    const res = await fetch(`${url}/webhooks/meta`, { method: 'POST', headers: json, body: '{"object":"whatsapp_business_account"}' });
    expect(res.status).toBe(200);
    expect(puts).toHaveLength(1);
  });
});

describe('the local API when the write-ahead log cannot be written', () => {
  it('answers 5xx (the sender retries) and 200 again once writes succeed', async () => {
    const dataDir = tempDir();
    let failing = true;
    const walFs: WalFileSystem = {
      async createSegment(path) {
        const file = await nodeWalFileSystem.createSegment(path);
        return {
          append: (data) => (failing ? Promise.reject(Object.assign(new Error('EIO: i/o error, write'), { code: 'EIO' })) : file.append(data)),
          close: () => file.close(),
        };
      },
    };
    const catalog = await LocalCatalog.open(dataDir);
    const transform = createTransform({ metaAppSecret: null, wasenderSecret: null, timeZone: 'UTC', pseudonymize: createPseudonymizer('raw', undefined) });
    const stream = await LocalDeliveryStream.open({ dataDir, bufferBytes: 1 << 20, bufferMs: 60_000, timeZone: 'UTC', transform, catalog, walFs });
    const logged: string[] = [];
    const app = buildLocalServer({ sink: stream, streamName: 'wa-analytics-local', verifyToken: null, registryToken: null, log: (l) => logged.push(l) });
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    try {
      const { body } = metaTapBody(3);
      const failed = await fetch(`${url}/webhooks/meta`, { method: 'POST', headers: json, body });
      expect(failed.status).toBeGreaterThanOrEqual(500);
      expect(await failed.json()).toEqual({ ok: false, error: 'unavailable' });
      expect(logged.join('\n')).toContain('EIO');
      failing = false;
      const ok = await fetch(`${url}/webhooks/meta`, { method: 'POST', headers: json, body });
      expect(ok.status).toBe(200);
      await stream.flush();
      const rows = await queryRows(dataDir, 'SELECT request_id FROM raw_events');
      expect(rows.map((r) => r.request_id)).toEqual([ok.headers.get('x-amzn-requestid')]);
    } finally {
      await app.close();
      await stream.close();
    }
  });
});
