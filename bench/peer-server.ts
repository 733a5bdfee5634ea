import { createServer, type IncomingMessage } from 'node:http';

/** What a peer server does with one request's whole body: resolve to answer 200 (with headers), reject to answer 503. */
export type StoreBody = (body: Buffer, request: IncomingMessage) => Promise<Record<string, string> | undefined>;

/**
 * The bare `node:http` server the ingest bench's peers share (the floor and the synchronous
 * database listener): reads each body whole, stores it, answers `{"ok":true}` once stored,
 * prints its URL as the first stdout line (the bench waits for it), and on SIGTERM stops
 * accepting and runs `close` before exiting.
 */
export function servePeer(name: string, store: StoreBody, close: () => Promise<void>): void {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      store(Buffer.concat(chunks), req).then(
        (headers) => {
          res.writeHead(200, { 'content-type': 'application/json', 'content-length': 11, ...headers });
          res.end('{"ok":true}');
        },
        (error: unknown) => {
          process.stderr.write(`${name}: ${(error as Error)?.message ?? String(error)}\n`);
          res.writeHead(503);
          res.end();
        },
      );
    });
  });
  server.keepAliveTimeout = 72_000;
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    process.stdout.write(`http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}\n`);
  });
  process.on('SIGTERM', () => server.close(() => void close().then(() => process.exit(0))));
}

/** Runs a peer's main, printing a failure to stderr and exiting 1. */
export function runPeer(name: string, main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    process.stderr.write(`${name}: ${(error as Error)?.stack ?? String(error)}\n`);
    process.exit(1);
  });
}
