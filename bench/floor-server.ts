import { WriteAheadLog } from '../local/wal';
import { runPeer, servePeer } from './peer-server';

/**
 * The floor of local ingest, run as its own process by the ingest bench: a bare `node:http`
 * server that does only what a durable acknowledgement needs, the same O_DSYNC group-commit
 * append of the body bytes into the same write-ahead log code, then answers 200. No framework,
 * no mapping template, no envelope, no transform.
 */
runPeer('floor-server', async () => {
  const dir = process.argv[2];
  if (dir === undefined) throw new Error('usage: floor-server.ts <log dir>');
  const { wal } = await WriteAheadLog.open({ dir });
  servePeer(
    'floor-server',
    async (body) => {
      await wal.append(body, Date.now());
      return undefined;
    },
    () => wal.close(),
  );
});
