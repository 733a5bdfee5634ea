import { spawn, type ChildProcess } from 'node:child_process';
import type { IncomingHttpHeaders } from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
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
/** Alternating rounds per side: 3 × 2.5 s, about 7.5 s of load each. */
const ROUNDS = 3;
const ROUND_S = 2.5;

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
  readonly pid: number;
  stop(): Promise<number | null>;
}

/** CPU seconds used so far by a process (all its threads) or, with `tid`, by one thread; null without /proc. */
function cpuSeconds(pid: number, tid?: number): number | null {
  try {
    // Fields 14 and 15 (utime, stime) in clock ticks, counted after the parenthesised command name.
    const path = tid === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${tid}/stat`;
    const fields = readFileSync(path, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
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
      res({ url: line.trim(), pid: child.pid!, stop: () => (child.kill('SIGTERM'), exited) });
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

/** Requests per second and p99 latency over alternating rounds (one machine, same conditions). */
interface Side {
  /** Server CPU seconds used during the rounds (null without /proc). */
  cpu: number | null;
  /** The same for the main thread alone (the event loop: HTTP, templates, log appends). */
  mainCpu: number | null;
  rps: number[];
  p99: number[];
  requests: number;
  non2xx: number;
  errors: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

async function round(side: Side, server: Server, requests: autocannon.Request[]): Promise<void> {
  const before = cpuSeconds(server.pid);
  const mainBefore = cpuSeconds(server.pid, server.pid);
  const r = await load(server.url, requests, ROUND_S);
  const after = cpuSeconds(server.pid);
  const mainAfter = cpuSeconds(server.pid, server.pid);
  side.cpu = before === null || after === null || side.cpu === null ? null : side.cpu + (after - before);
  side.mainCpu = mainBefore === null || mainAfter === null || side.mainCpu === null ? null : side.mainCpu + (mainAfter - mainBefore);
  side.rps.push(r.requests.average);
  side.p99.push(r.latency.p99);
  side.requests += r.requests.total;
  side.non2xx += r.non2xx;
  side.errors += r.errors;
}

/**
 * The local ingest path (real stack: API, templates, write-ahead log with fsync, transform) against
 * a bare Node http server, driven alike by autocannon with the same signed Meta webhooks, in
 * alternating rounds so both see the same machine; then every acknowledged post is looked up in
 * raw_events.
 */
export async function ingestBench(): Promise<Record<string, number>> {
  const dataDir = mkdtempSync(join(tmpdir(), 'wa-bench-ingest-'));
  const servers: Server[] = [];
  try {
    const bare = await spawnServer(['-e', BARE_SERVER], process.env);
    servers.push(bare);
    const env = { ...process.env, WA_APP_SECRET: APP_SECRET, WA_PII: 'hash', WA_PII_KEY: 'bench-pii-key', WA_VERIFY_TOKEN: '', WA_REGISTRY_TOKEN: '' };
    const ingest = await spawnServer(['bin/wa-analytics.cjs', 'start', '--port', '0', '--data-dir', dataDir, '--no-daily'], env);
    servers.push(ingest);

    const acked = new Set<string>();
    let ackWithoutId = 0;
    const bareRequests = signedRequests(() => undefined);
    const ingestRequests = signedRequests((headers) => {
      const id = requestIdOf(headers);
      if (id === undefined) ackWithoutId++;
      else acked.add(id);
    });
    await load(bare.url, bareRequests, WARMUP_S);
    await load(ingest.url, ingestRequests, WARMUP_S);
    const bareSide: Side = { cpu: 0, mainCpu: 0, rps: [], p99: [], requests: 0, non2xx: 0, errors: 0 };
    const ingestSide: Side = { cpu: 0, mainCpu: 0, rps: [], p99: [], requests: 0, non2xx: 0, errors: 0 };
    for (let i = 0; i < ROUNDS; i++) {
      await round(bareSide, bare, bareRequests);
      await round(ingestSide, ingest, ingestRequests);
    }
    servers.length = 0;
    await bare.stop();
    const code = await ingest.stop();
    if (code !== 0) throw new Error(`wa-analytics start exited ${code} on SIGTERM`);

    const stored = await storedRequestIds(dataDir);
    let lost = ackWithoutId;
    for (const id of acked) if (!stored.has(id)) lost++;
    process.stderr.write(
      `bench ingest: rounds ingest ${ingestSide.rps.map(Math.round).join('/')} rps vs bare ${bareSide.rps.map(Math.round).join('/')} rps; ` +
        `${ingestSide.requests} ingest requests (${ingestSide.non2xx} non-2xx, ${ingestSide.errors} errors); ${acked.size + ackWithoutId} acknowledged, ${stored.size} stored\n`,
    );
    const ingestRps = median(ingestSide.rps);
    const bareRps = median(bareSide.rps);
    // Server CPU per request, all threads (API, log writes, transform worker, GC) and the event-loop
    // thread alone: on a two-core machine shared with the load generator, this is where the ratio comes from.
    const perRequest = (seconds: number | null, side: Side) => (seconds === null ? null : Math.round((seconds * 1e6) / side.requests));
    const cpuFigures: Record<string, number> = {};
    for (const [key, value] of [
      ['ingest_cpu_us_per_req', perRequest(ingestSide.cpu, ingestSide)],
      ['ingest_main_cpu_us_per_req', perRequest(ingestSide.mainCpu, ingestSide)],
      ['bare_cpu_us_per_req', perRequest(bareSide.cpu, bareSide)],
    ] as const) {
      if (value !== null) cpuFigures[key] = value;
    }
    return {
      ...cpuFigures,
      ingest_rps: Math.round(ingestRps),
      ingest_p99_ms: Math.max(...ingestSide.p99),
      bare_rps: Math.round(bareRps),
      ingest_vs_bare: Number((ingestRps / bareRps).toFixed(3)),
      ingest_acked: acked.size + ackWithoutId,
      ingest_lost: lost,
    };
  } finally {
    // Only on failure: stop whatever is still running.
    await Promise.all(servers.map((s) => s.stop()));
    rmSync(dataDir, { recursive: true, force: true });
  }
}
