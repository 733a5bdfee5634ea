import type { FastifyInstance } from 'fastify';
import { request as httpRequest } from 'node:http';
import { connect, type Socket } from 'node:net';
import { buildLocalServer } from '../../local/server';
import type { RecordSink } from '../../local/firehose-put';
import { readFileSync } from 'node:fs';
import { spawnStart, removeTempDirs, tempDir } from './stack-helpers';

afterAll(removeTempDirs);

const CAP = 100_000;

/** A raw HTTP exchange on a socket: the response text once the server answers (or closes). */
function rawExchange(port: number, head: string, body: Buffer | string = ''): { socket: Socket; answer: Promise<string> } {
  const socket = connect(port, '127.0.0.1');
  let text = '';
  socket.on('data', (d: Buffer) => (text += d.toString('latin1')));
  const answer = new Promise<string>((resolve) => {
    socket.on('error', () => resolve(text));
    socket.on('close', () => resolve(text));
    socket.on('data', () => {
      if (/\r\n\r\n/.test(text)) resolve(text);
    });
  });
  socket.write(head);
  if (body.length > 0) socket.write(body);
  return { socket, answer };
}

const post = (path: string, headers: Record<string, string | number>) =>
  `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`;

describe('the local API under hostile bodies', () => {
  let app: FastifyInstance;
  let port: number;
  const puts: Buffer[] = [];

  beforeAll(async () => {
    const sink: RecordSink = { put: async (data) => void puts.push(data) };
    app = buildLocalServer({ sink, streamName: 'wa-analytics-local-raw', verifyToken: null, registryToken: null, log: () => undefined, maxInFlightBytes: CAP, requestTimeoutMs: 800 });
    await app.listen({ host: '127.0.0.1', port: 0 });
    port = (app.server.address() as { port: number }).port;
  });
  afterAll(() => app.close());

  it('refuses by Content-Length a body over the record limit before it is sent, with the integration\'s 413', async () => {
    // Headers only: a server that waited for the 5 MB body would never answer.
    const { socket, answer } = rawExchange(port, post('/webhooks/meta', { 'content-type': 'application/json', 'content-length': 5_000_000 }));
    const text = await answer;
    socket.destroy();
    expect(text).toMatch(/^HTTP\/1\.1 413 /);
    expect(text).toContain('{"ok":false,"error":"too_large"}');
    expect(puts).toHaveLength(0);
  });

  it('answers 429 while other requests hold the bytes in flight, and accepts again once they are done', async () => {
    // A slow sender reserves 90 kB of the 100 kB cap and sends nothing yet.
    const slow = rawExchange(port, post('/webhooks/meta', { 'content-type': 'application/json', 'content-length': 90_000 }));
    await new Promise((r) => setTimeout(r, 100));
    const body = JSON.stringify({ object: 'whatsapp_business_account', pad: 'x'.repeat(20_000) });
    const busy = await fetch(`http://127.0.0.1:${port}/webhooks/meta`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(busy.status).toBe(429);
    expect(await busy.json()).toEqual({ message: 'Too Many Requests' });
    slow.socket.destroy();
    await new Promise((r) => setTimeout(r, 100));
    const ok = await fetch(`http://127.0.0.1:${port}/webhooks/meta`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(ok.status).toBe(200);
  });

  it('cuts off a stalled body with 408 and gives its reservation back', async () => {
    const stalled = rawExchange(port, post('/webhooks/meta', { 'content-type': 'application/json', 'content-length': 95_000 }), '{"object":');
    const text = await stalled.answer;
    expect(text).toMatch(/^HTTP\/1\.1 408 /);
    const body = JSON.stringify({ object: 'whatsapp_business_account', pad: 'y'.repeat(20_000) });
    const ok = await fetch(`http://127.0.0.1:${port}/webhooks/meta`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(ok.status).toBe(200);
  }, 20_000);

  it('counts a body sent without Content-Length as it arrives: past the cap it is 429', async () => {
    expect(await chunkedPost(port, 24)).toEqual({ status: 429, body: '{"message":"Too Many Requests"}' });
  });

  it('counts a body sent without Content-Length as it arrives: past the record limit it is the integration\'s 413', async () => {
    const roomy = buildLocalServer({ sink: { put: async () => undefined }, streamName: 'wa-analytics-local-raw', verifyToken: null, registryToken: null, log: () => undefined });
    await roomy.listen({ host: '127.0.0.1', port: 0 });
    try {
      expect(await chunkedPost((roomy.server.address() as { port: number }).port, 24)).toEqual({ status: 413, body: '{"ok":false,"error":"too_large"}' });
    } finally {
      await roomy.close();
    }
  });
});

/** Posts `chunks` chunks of 64 KiB with chunked transfer encoding; resolves with the answer. */
function chunkedPost(port: number, chunks: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method: 'POST', path: '/webhooks/meta', headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' } }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('error', reject);
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    let sent = 0;
    const pump = () => {
      while (sent < chunks) {
        sent++;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      req.end();
    };
    pump();
  });
}

/** Resident set size of a process in bytes (Linux /proc). */
function rss(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m![1]) * 1024;
}

/** Posts one body of `size` bytes, resolving with the status (0 when the connection failed first). */
function postBody(url: string, size: number): Promise<number> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const req = httpRequest({ host: hostname, port, method: 'POST', path: '/webhooks/meta', headers: { 'content-type': 'application/json', 'content-length': size } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode!));
    });
    req.on('error', () => resolve(0));
    req.end(Buffer.alloc(size, 0x20));
  });
}

describe('wa-analytics start under concurrent large bodies', () => {
  it('stays within 120 MB of its idle memory while 40 clients post 9.9 MiB bodies at once, refusing each with 413', async () => {
    const started = await spawnStart(tempDir(), { WA_PII: 'raw' }, ['--no-daily']);
    try {
      await postBody(started.url, 100); // warm up the route
      const before = rss(started.child.pid!);
      let peak = before;
      const sampler = setInterval(() => (peak = Math.max(peak, rss(started.child.pid!))), 20);
      const statuses = await Promise.all(Array.from({ length: 40 }, () => postBody(started.url, Math.floor(9.9 * 1024 * 1024))));
      clearInterval(sampler);
      peak = Math.max(peak, rss(started.child.pid!));
      expect(statuses.filter((s) => s !== 0).every((s) => s === 413)).toBe(true);
      expect(statuses.filter((s) => s === 413).length).toBeGreaterThanOrEqual(30);
      expect(peak - before).toBeLessThan(120 * 1024 * 1024);
    } finally {
      started.child.kill('SIGTERM');
      await started.exited;
    }
  }, 60_000);
});
