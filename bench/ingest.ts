import { spawn, type ChildProcess } from 'node:child_process';
import type { IncomingHttpHeaders } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import autocannon from 'autocannon';
import { LocalCatalog } from '../shared/adapters/local/catalog';
import { LocalQueryEngine } from '../shared/adapters/local/query-engine';
import { signMetaBody } from '../shared/signature';
import { realisticMetaBodies } from '../tests/support/webhooks';

const APP_SECRET = 'bench-app-secret';
const CONNECTIONS = 32;
const WARMUP_S = 1;
const DURATION_S = 6;

// The floor: a bare Node http server that reads the body and answers 200, nothing else.
const BARE_SERVER = `
const http = require('node:http');
const server = http.createServer((req, res) => {
  req.on('data', () => {});
  req.on('end', () => { res.writeHead(200, { 'content-type': 'application/json', 'content-length': 11 }); res.end('{"ok":true}'); });
});
server.keepAliveTimeout = 72000;
server.listen(0, '127.0.0.1', () => process.stdout.write('http://127.0.0.1:' + server.address().port + '\\n'));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`;

interface Server {
  readonly url: string;
  stop(): Promise<number | null>;
}

/** Spawns a server process that prints its URL as the first stdout line (bounded wait). */
function spawnServer(args: string[], env: NodeJS.ProcessEnv): Promise<Server> {
  const child: ChildProcess = spawn(process.execPath, args, { cwd: resolve(__dirname, '..'), env, stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
  return new Promise((res, rej) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      rej(new Error(`${args.join(' ')} printed no URL within 30 s`));
    }, 30_000);
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.startsWith('http://'));
      if (line === undefined) return;
      clearTimeout(timer);
      res({ url: line.trim(), stop: () => (child.kill('SIGTERM'), exited) });
    });
    void exited.then((code) => (clearTimeout(timer), rej(new Error(`${args.join(' ')} exited (${code}) before printing its URL`))));
  });
}

/** Signed Meta webhook posts (statuses and taps, realistic sizes), the same for both servers. */
function signedRequests(onAck: (headers: IncomingHttpHeaders) => void): autocannon.Request[] {
  return realisticMetaBodies(2 * 1024 * 1024, 11).map((body) => ({
    method: 'POST',
    path: '/webhooks/meta',
    headers: { 'content-type': 'application/json', 'x-hub-signature-256': signMetaBody(body, APP_SECRET) },
    body,
    onResponse: (status: number, _body: string, _ctx: object, headers: IncomingHttpHeaders | undefined) => {
      if (status === 200) onAck(headers ?? {});
    },
  }));
}

async function load(url: string, requests: autocannon.Request[], seconds: number): Promise<autocannon.Result> {
  return autocannon({ url, connections: CONNECTIONS, pipelining: 1, duration: seconds, requests, timeout: 10 });
}

function requestIdOf(headers: IncomingHttpHeaders): string | undefined {
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === 'x-amzn-requestid') return String(v);
  return undefined;
}

async function storedRequestIds(dataDir: string): Promise<Set<string>> {
  const engine = await LocalQueryEngine.open(await LocalCatalog.open(dataDir));
  try {
    const { rows } = await engine.query('SELECT DISTINCT request_id FROM raw_events');
    return new Set(rows.map((r) => String(r.request_id)));
  } finally {
    await engine.close();
  }
}

/**
 * The local ingest path (real stack: API, templates, write-ahead log with fsync, transform) against
 * a bare Node http server, driven alike by autocannon with the same signed Meta webhooks; then
 * every acknowledged post is looked up in raw_events.
 */
export async function ingestBench(): Promise<Record<string, number>> {
  const dataDir = mkdtempSync(join(tmpdir(), 'wa-bench-ingest-'));
  try {
    const bare = await spawnServer(['-e', BARE_SERVER], process.env);
    const bareRequests = signedRequests(() => undefined);
    await load(bare.url, bareRequests, WARMUP_S);
    const bareResult = await load(bare.url, bareRequests, DURATION_S);
    await bare.stop();

    const env = { ...process.env, WA_APP_SECRET: APP_SECRET, WA_PII: 'hash', WA_PII_KEY: 'bench-pii-key', WA_VERIFY_TOKEN: '', WA_REGISTRY_TOKEN: '' };
    const ingest = await spawnServer(['bin/wa-analytics.cjs', 'start', '--port', '0', '--data-dir', dataDir], env);
    const acked = new Set<string>();
    let ackWithoutId = 0;
    const ingestRequests = signedRequests((headers) => {
      const id = requestIdOf(headers);
      if (id === undefined) ackWithoutId++;
      else acked.add(id);
    });
    await load(ingest.url, ingestRequests, WARMUP_S);
    const ingestResult = await load(ingest.url, ingestRequests, DURATION_S);
    const code = await ingest.stop();
    if (code !== 0) throw new Error(`wa-analytics start exited ${code} on SIGTERM`);

    const stored = await storedRequestIds(dataDir);
    let lost = ackWithoutId;
    for (const id of acked) if (!stored.has(id)) lost++;
    process.stderr.write(
      `bench ingest: ${ingestResult.requests.total} ingest requests (${ingestResult.non2xx} non-2xx, ${ingestResult.errors} errors), ` +
        `${bareResult.requests.total} bare requests; ${acked.size} acknowledged, ${stored.size} stored\n`,
    );
    return {
      ingest_rps: Math.round(ingestResult.requests.average),
      ingest_p99_ms: ingestResult.latency.p99,
      bare_rps: Math.round(bareResult.requests.average),
      ingest_vs_bare: Number((ingestResult.requests.average / bareResult.requests.average).toFixed(3)),
      ingest_acked: acked.size + ackWithoutId,
      ingest_lost: lost,
    };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
