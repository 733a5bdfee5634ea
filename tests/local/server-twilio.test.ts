import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readLocalConfig } from '../../shared/config/local';
import { openStack, type LocalStack } from '../../local/stack';
import { queryRows, removeTempDirs, tempDir } from './stack-helpers';

/*
 * Twilio webhooks through `wa-analytics start`'s stack on a real loopback socket: the same routes
 * and template as on AWS, the URL recorded from the public base URL (its own address by default,
 * `--public-url` when Twilio reaches it through a tunnel), verified by the transform. Expected
 * signatures are computed here with node:crypto over the signed text written out.
 */

const TOKEN = 'twilio-auth-token-local';
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const fixture = (name: string): Buffer => readFileSync(join(__dirname, '../fixtures/twilio', name));

/** Twilio's signature of a form body: the URL, then each name and value sorted by name, then value. */
function twilioOracle(url: string, body: Buffer, token = TOKEN): string {
  const pairs = [...new URLSearchParams(body.toString('utf8'))].sort(([a, av], [b, bv]) => (a === b ? (av < bv ? -1 : av > bv ? 1 : 0) : a < b ? -1 : 1));
  return createHmac('sha1', token).update(url + pairs.map(([n, v]) => n + v).join(''), 'utf8').digest('base64');
}

afterAll(removeTempDirs);

async function opened(flags: { publicUrl?: string }): Promise<{ stack: LocalStack; url: string; dataDir: string }> {
  const dataDir = tempDir();
  const stack = await openStack({ config: readLocalConfig({ TWILIO_AUTH_TOKEN: TOKEN, WA_PII: 'raw' }, { dataDir, ...flags }), log: () => undefined });
  return { stack, url: await stack.listen(0), dataDir };
}

async function rowsOf(stack: LocalStack, dataDir: string, response: Response) {
  await stack.stream.flush();
  const id = response.headers.get('x-amzn-requestid');
  return queryRows(dataDir, `SELECT kind, reason, source, wamid, status, button_id, wa_id FROM raw_events WHERE request_id = '${id}' ORDER BY kind`);
}

describe('Twilio webhooks on the local API, at its own address', () => {
  let stack: LocalStack;
  let url: string;
  let dataDir: string;

  beforeAll(async () => {
    ({ stack, url, dataDir } = await opened({}));
  });
  afterAll(() => stack.close());

  it('turns a signed inbound form into its click row and answers with empty TwiML', async () => {
    const body = fixture('inbound-quick-reply.form');
    const res = await fetch(`${url}/webhooks/twilio`, { method: 'POST', headers: { ...FORM, 'X-Twilio-Signature': twilioOracle(`${url}/webhooks/twilio`, body) }, body });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/xml/);
    expect(await res.text()).toBe('<?xml version="1.0" encoding="UTF-8"?><Response/>');
    expect(await rowsOf(stack, dataDir, res)).toEqual([
      expect.objectContaining({ kind: 'click', source: 'twilio', wamid: 'SM1f0e2d3c4b5a69788796a5b4c3d2e1f0', button_id: 'confirm_yes', wa_id: '15551234567' }),
    ]);
  });

  it('turns a signed status callback with a query string into its status row', async () => {
    const body = fixture('status-undelivered.form');
    const target = `${url}/webhooks/twilio/status?tenant=acme`;
    const res = await fetch(target, { method: 'POST', headers: { ...FORM, 'x-twilio-signature': twilioOracle(target, body) }, body });
    expect(res.status).toBe(200);
    expect(await rowsOf(stack, dataDir, res)).toEqual([expect.objectContaining({ kind: 'status', status: 'failed', wamid: 'MM5cc44eecf7dab0d48d4529d0fa4af44d' })]);
  });

  it('acknowledges a forged form, which lands in quarantine as bad_signature, and an unsigned one as missing_signature', async () => {
    const body = fixture('inbound-list-reply.form');
    const forged = await fetch(`${url}/webhooks/twilio`, { method: 'POST', headers: { ...FORM, 'X-Twilio-Signature': twilioOracle(`${url}/webhooks/twilio`, body, 'another-token') }, body });
    const unsigned = await fetch(`${url}/webhooks/twilio`, { method: 'POST', headers: FORM, body });
    expect([forged.status, unsigned.status]).toEqual([200, 200]);
    expect(await rowsOf(stack, dataDir, forged)).toEqual([expect.objectContaining({ kind: 'quarantine', reason: 'bad_signature', source: 'twilio' })]);
    expect(await rowsOf(stack, dataDir, unsigned)).toEqual([expect.objectContaining({ kind: 'quarantine', reason: 'missing_signature' })]);
  });

  it('refuses a content type the Twilio routes have no template for with 415, storing nothing', async () => {
    const res = await fetch(`${url}/webhooks/twilio`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'MessageSid=SM1' });
    expect(res.status).toBe(415);
    expect(await rowsOf(stack, dataDir, res)).toEqual([]);
  });
});

describe('Twilio webhooks on the local API behind a tunnel (--public-url)', () => {
  let stack: LocalStack;
  let url: string;
  let dataDir: string;
  const PUBLIC = 'https://wa-demo.tunnel.example';

  beforeAll(async () => {
    ({ stack, url, dataDir } = await opened({ publicUrl: `${PUBLIC}/` }));
  });
  afterAll(() => stack.close());

  it('verifies the URL Twilio called (the public one), not the loopback one it arrived at', async () => {
    const body = fixture('status-read.form');
    const viaTunnel = await fetch(`${url}/webhooks/twilio/status`, { method: 'POST', headers: { ...FORM, 'X-Twilio-Signature': twilioOracle(`${PUBLIC}/webhooks/twilio/status`, body) }, body });
    const loopback = await fetch(`${url}/webhooks/twilio/status`, { method: 'POST', headers: { ...FORM, 'X-Twilio-Signature': twilioOracle(`${url}/webhooks/twilio/status`, body) }, body });
    expect(await rowsOf(stack, dataDir, viaTunnel)).toEqual([expect.objectContaining({ kind: 'status', status: 'read' })]);
    expect(await rowsOf(stack, dataDir, loopback)).toEqual([expect.objectContaining({ kind: 'quarantine', reason: 'bad_signature' })]);
  });
});
