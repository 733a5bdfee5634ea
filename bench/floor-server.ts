import { createServer } from 'node:http';
import { WriteAheadLog } from '../local/wal';

/**
 * The floor of local ingest, run as its own process by the ingest bench: a bare `node:http`
 * server that does only what a durable acknowledgement needs, the same O_DSYNC group-commit
 * append of the body bytes into the same write-ahead log code, then answers 200. No framework,
 * no mapping template, no envelope, no transform.
 */
async function main(): Promise<void> {
  const dir = process.argv[2];
  if (dir === undefined) throw new Error('usage: floor-server.ts <log dir>');
  const { wal } = await WriteAheadLog.open({ dir });
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      wal.append(Buffer.concat(chunks), Date.now()).then(
        () => {
          res.writeHead(200, { 'content-type': 'application/json', 'content-length': 11 });
          res.end('{"ok":true}');
        },
        () => {
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
  process.on('SIGTERM', () => server.close(() => void wal.close().then(() => process.exit(0))));
}

main().catch((error: unknown) => {
  process.stderr.write(`floor-server: ${(error as Error)?.stack ?? String(error)}\n`);
  process.exit(1);
});
