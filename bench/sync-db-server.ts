import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Pool } from 'pg';
import { runPeer, servePeer } from './peer-server';

const sql = (name: string) => readFileSync(join(__dirname, 'sync-db', name), 'utf8');

/**
 * The design the spec warns about, run as its own process by the ingest bench: a listener that
 * inserts each webhook into PostgreSQL and answers 200 only after the commit. It is given its
 * best chance: a bare `node:http` server, one pooled connection per load connection (so commits
 * can share WAL flushes), the raw body stored as is, nothing parsed or verified.
 */
runPeer('sync-db-server', async () => {
  const [socketDir, port, connections] = process.argv.slice(2);
  if (socketDir === undefined || port === undefined) throw new Error('usage: sync-db-server.ts <socket dir> <port> [pool size]');
  const pool = new Pool({ host: socketDir, port: Number(port), user: 'bench', database: 'postgres', max: Number(connections ?? 32) });
  await pool.query(sql('schema.sql'));
  const insert = sql('insert-webhook.sql');
  servePeer(
    'sync-db-server',
    async (body, req) => {
      const requestId = randomUUID();
      const signature = req.headers['x-hub-signature-256'];
      await pool.query(insert, ['meta', requestId, Date.now(), typeof signature === 'string' ? signature : null, body]);
      return { 'x-amzn-requestid': requestId };
    },
    () => pool.end(),
  );
});
