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
import { startPostgres, type BenchPostgres } from './postgres';

const APP_SECRET = 'bench-app-secret';
const CONNECTIONS = 32;
/**
 * Load each server takes before the rounds. V8 keeps compiling `start`'s hot path for its first
 * several seconds under load (profiles show its compiler threads busy until about 8 s, and
 * `start`'s CPU per request falls by about a sixth over them), while the floor's is the same after
 * 1 s and after 8 s. The figures are for servers that have been running, as in production.
 */
const WARMUP_S = 8;
/**
 * Alternating rounds per side: 7 × 2 s, 14 s of load each. Rounds of the same server on a shared
 * two-core machine varied by up to two times; the median of seven outlasts two bad ones.
 */
const ROUNDS = 7;
const ROUND_S = 2;

/**
 * The stack once per mapping-template renderer (`WA_VTL_RENDERER`), `ingest` being the default:
 * side by side, what compiling templates to closures (shared/apigw/vtl-compile.ts) gains over
 * rendering them with velocityjs.
 */
const INGEST_VARIANTS = [
  { name: 'ingest', renderer: 'compiled' },
  { name: 'ingest_velocityjs', renderer: 'velocityjs' },
] as const;

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
function spawnServer(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Server> {
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
      const stop = () => {
        child.kill('SIGTERM');
        return exited;
      };
      res({ url: line.trim(), pid: child.pid!, stop });
    });
    void exited.then((code) => {
      clearTimeout(timer);
      rej(new Error(`${args.join(' ')} exited (${code}) before printing its URL`));
    });
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

/** The request ids one ingest server acknowledged (a 200 without the header is counted as lost). */
interface Acks {
  readonly ids: Set<string>;
  withoutId: number;
  readonly onAck: (headers: IncomingHttpHeaders) => void;
}

function newAcks(): Acks {
  const acks: Acks = {
    ids: new Set(),
    withoutId: 0,
    onAck: (headers) => {
      const id = requestIdOf(headers);
      if (id === undefined) acks.withoutId++;
      else acks.ids.add(id);
    },
  };
  return acks;
}

/** A copy of `xs` in random order (Fisher–Yates). */
function shuffled<T>(xs: readonly T[]): T[] {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

const newSide = (): Side => ({ cpu: 0, mainCpu: 0, rps: [], p99: [], requests: 0, non2xx: 0, errors: 0 });

/** Server CPU per request in µs over all its threads, or null without /proc. */
const perRequest = (seconds: number | null, side: Side) => (seconds === null || side.requests === 0 ? null : Math.round((seconds * 1e6) / side.requests));

/**
 * The local ingest path (real stack: API, templates, write-ahead log with O_DSYNC group commit,
 * transform on its worker), once per template renderer (see INGEST_VARIANTS), side by side with
 * two other servers driven alike by autocannon with the same signed Meta webhooks, in
 * alternating rounds (in a random order each round) so all see the same machine:
 * - the floor: a bare `node:http` server doing the same durable group-commit append of the body;
 * - the synchronous-database design: a bare `node:http` server inserting each webhook into a
 *   PostgreSQL the bench starts on a unix socket, answering after the commit (skipped, saying
 *   why, where PostgreSQL is not installed).
 * Then every post each `start` acknowledged is looked up in its raw_events.
 */
export async function ingestBench(): Promise<Record<string, number | string>> {
  const dataDir = mkdtempSync(join(tmpdir(), 'wa-bench-ingest-'));
  const servers: Server[] = [];
  let postgres: BenchPostgres | null = null;
  let pgDir: string | null = null;
  try {
    const floor = await spawnServer(['bin/run-ts.cjs', 'bench/floor-server.ts', join(dataDir, 'floor-wal')]);
    servers.push(floor);
    const env = { ...process.env, WA_APP_SECRET: APP_SECRET, WA_PII: 'hash', WA_PII_KEY: 'bench-pii-key', WA_VERIFY_TOKEN: '', WA_REGISTRY_TOKEN: '' };
    const ingests: Array<{ name: string; server: Server; dataDir: string; acks: Acks }> = [];
    for (const { name, renderer } of INGEST_VARIANTS) {
      const stackDir = join(dataDir, name);
      const server = await spawnServer(['bin/wa-analytics.cjs', 'start', '--port', '0', '--data-dir', stackDir, '--no-daily'], { ...env, WA_VTL_RENDERER: renderer });
      servers.push(server);
      ingests.push({ name, server, dataDir: stackDir, acks: newAcks() });
    }
    let syncDb: Server | null = null;
    let skipped: string | null = null;
    try {
      // A folder of its own: the server runs as the postgres user, which cannot enter dataDir.
      pgDir = mkdtempSync(join(tmpdir(), 'wa-bench-pg-'));
      const started = await startPostgres(pgDir);
      if ('skipped' in started) skipped = started.skipped;
      else {
        postgres = started;
        syncDb = await spawnServer(['bin/run-ts.cjs', 'bench/sync-db-server.ts', started.socketDir, String(started.port), String(CONNECTIONS)]);
        servers.push(syncDb);
      }
    } catch (error) {
      const detail = (error as { stderr?: string }).stderr?.trim().split('\n').pop() ?? (error as Error).message.split('\n')[0];
      skipped = `PostgreSQL could not be started here: ${detail}`;
    }
    if (skipped !== null) process.stderr.write(`bench ingest: ingest_vs_sync_db skipped: ${skipped}\n`);

    const plainRequests = signedRequests(() => undefined);
    const sides: Array<{ name: string; server: Server; requests: autocannon.Request[]; side: Side }> = [
      { name: 'floor', server: floor, requests: plainRequests, side: newSide() },
      ...ingests.map((i) => ({ name: i.name, server: i.server, requests: signedRequests(i.acks.onAck), side: newSide() })),
      ...(syncDb === null ? [] : [{ name: 'sync_db', server: syncDb, requests: plainRequests, side: newSide() }]),
    ];
    for (const s of sides) await load(s.server.url, s.requests, WARMUP_S);
    // A fresh random order each round: a server whose round leaves work behind (a log flush, a
    // transform batch, PostgreSQL's checkpoint) then slows a different server each time.
    for (let i = 0; i < ROUNDS; i++) for (const s of shuffled(sides)) await round(s.side, s.server, s.requests);
    servers.length = 0;
    for (const s of sides) {
      const code = await s.server.stop();
      if (s.name.startsWith('ingest') && code !== 0) throw new Error(`wa-analytics start (${s.name}) exited ${code} on SIGTERM`);
    }

    let lost = 0;
    let stored = 0;
    let acked = 0;
    for (const { dataDir: stackDir, acks } of ingests) {
      const ids = await storedRequestIds(stackDir);
      stored += ids.size;
      acked += acks.ids.size + acks.withoutId;
      lost += acks.withoutId;
      for (const id of acks.ids) if (!ids.has(id)) lost++;
    }
    const by = Object.fromEntries(sides.map((s) => [s.name, s.side]));
    const rps = (name: string) => median(by[name]!.rps);
    // A ratio is the median over rounds of the two servers' rates in that round: both were
    // measured within seconds of each other, so a slow spell of the machine (they last longer
    // than a round) moves both sides of a round's ratio instead of one side's median.
    const roundRatios = (a: string, b: string) => by[a]!.rps.map((x, i) => x / by[b]!.rps[i]!);
    const ratio = (a: string, b: string) => Number(median(roundRatios(a, b)).toFixed(3));
    process.stderr.write(
      `bench ingest: rounds ${sides.map((s) => `${s.name} ${s.side.rps.map(Math.round).join('/')}`).join('; ')} rps; ` +
        `${by.ingest!.requests} ingest requests (${by.ingest!.non2xx} non-2xx, ${by.ingest!.errors} errors); ` +
        `${acked} acknowledged, ${stored} stored by the ingest servers` +
        `; ingest/floor per round ${roundRatios('ingest', 'floor').map((x) => x.toFixed(2)).join('/')}` +
        `${postgres === null ? '' : `; ${postgres.version}`}\n`,
    );
    const figures: Record<string, number | string> = {};
    // Server CPU per request, all threads and the event-loop thread alone: on a two-core machine
    // shared with the load generator, this is where the ratios come from.
    for (const s of sides) {
      const all = perRequest(s.side.cpu, s.side);
      const main = perRequest(s.side.mainCpu, s.side);
      if (all !== null) figures[`${s.name}_cpu_us_per_req`] = all;
      if (main !== null && s.name.startsWith('ingest')) figures[`${s.name}_main_cpu_us_per_req`] = main;
      figures[`${s.name}_rps`] = Math.round(rps(s.name));
    }
    figures.ingest_p99_ms = Math.max(...by.ingest!.p99);
    figures.ingest_vs_floor = ratio('ingest', 'floor');
    for (const { name } of INGEST_VARIANTS.slice(1)) {
      figures[`${name}_p99_ms`] = Math.max(...by[name]!.p99);
      figures[`ingest_vs_${name}`] = ratio('ingest', name);
    }
    if (by.sync_db !== undefined) {
      figures.sync_db_p99_ms = Math.max(...by.sync_db.p99);
      figures.sync_db_non2xx = by.sync_db.non2xx + by.sync_db.errors;
      figures.ingest_vs_sync_db = ratio('ingest', 'sync_db');
    } else {
      figures.ingest_vs_sync_db_skipped = skipped ?? 'not measured';
    }
    figures.ingest_acked = acked;
    figures.ingest_lost = lost;
    return figures;
  } finally {
    // Only on failure: stop whatever is still running.
    await Promise.all(servers.map((s) => s.stop()));
    await postgres?.stop();
    rmSync(dataDir, { recursive: true, force: true });
    if (pgDir !== null) rmSync(pgDir, { recursive: true, force: true });
  }
}
