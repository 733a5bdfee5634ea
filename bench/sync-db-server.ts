import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { Pool } from 'pg';

const sql = (name: string) => readFileSync(join(__dirname, 'sync-db', name), 'utf8');

/**
 * The design the spec warns about, run as its own process by the ingest bench: a listener that
 * inserts each webhook into PostgreSQL and answers 200 only after the commit. It is given its
 * best chance: a bare `node:http` server, one pooled connection per load connection (so commits
 * can share WAL flushes), the raw body stored as is, nothing parsed or verified.
 */
async function main(): Promise<void> {
  const [socketDir, port, connections] = process.argv.slice(2);
  if (socketDir === undefined || port === undefined) throw new Error('usage: sync-db-server.ts <socket dir> <port> [pool size]');
  const pool = new Pool({ host: socketDir, port: Number(port), user: 'bench', database: 'postgres', max: Number(connections ?? 32) });
  await pool.query(sql('schema.sql'));
  const insert = sql('insert-webhook.sql');
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const requestId = randomUUID();
      const signature = req.headers['x-hub-signature-256'];
      pool.query(insert, ['meta', requestId, Date.now(), typeof signature === 'string' ? signature : null, Buffer.concat(chunks)]).then(
        () => {
          res.writeHead(200, { 'content-type': 'application/json', 'content-length': 11, 'x-amzn-requestid': requestId });
          res.end('{"ok":true}');
        },
        (error: unknown) => {
          process.stderr.write(`sync-db-server: ${(error as Error).message}\n`);
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
  process.on('SIGTERM', () => server.close(() => void pool.end().then(() => process.exit(0))));
}

main().catch((error: unknown) => {
  process.stderr.write(`sync-db-server: ${(error as Error)?.stack ?? String(error)}\n`);
  process.exit(1);
});
