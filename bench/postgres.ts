import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A PostgreSQL server of the bench's own, listening only on a unix socket in a temp dir. */
export interface BenchPostgres {
  readonly socketDir: string;
  readonly port: number;
  readonly version: string;
  stop(): Promise<void>;
}

const PORT = 5432; // the socket lives in a private folder, so the usual port cannot clash

/** Folder holding initdb and pg_ctl: on PATH, else Debian's /usr/lib/postgresql/<version>/bin. */
function postgresBin(): string | null {
  for (const dir of (process.env.PATH ?? '').split(':')) if (dir !== '' && existsSync(join(dir, 'pg_ctl')) && existsSync(join(dir, 'initdb'))) return dir;
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return null;
  const versions = readdirSync(base).filter((v) => existsSync(join(base, v, 'bin', 'pg_ctl'))).sort((a, b) => Number(b) - Number(a));
  return versions.length > 0 ? join(base, versions[0]!, 'bin') : null;
}

/** The uid/gid of a system user, from /etc/passwd (initdb refuses to run as root). */
function systemUser(name: string): { uid: number; gid: number } | null {
  try {
    const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith(`${name}:`));
    if (line === undefined) return null;
    const [, , uid, gid] = line.split(':');
    return { uid: Number(uid), gid: Number(gid) };
  } catch {
    return null;
  }
}

/**
 * Starts a throwaway PostgreSQL cluster under `dir` (initdb, then pg_ctl start with TCP off), as
 * the `postgres` user when running as root. Resolves with its socket, or with the reason it
 * cannot run here (not installed; no user to run it as). Default settings: synchronous_commit
 * on, fsync on, as a database answering after a commit is used in production.
 */
export async function startPostgres(dir: string): Promise<BenchPostgres | { skipped: string }> {
  const bin = postgresBin();
  if (bin === null) return { skipped: 'PostgreSQL is not installed (apt-get install postgresql to measure the synchronous-database design)' };
  const asRoot = process.getuid?.() === 0;
  const owner = asRoot ? systemUser('postgres') : null;
  if (asRoot && owner === null) return { skipped: 'running as root and there is no postgres user to run PostgreSQL as' };
  const data = join(dir, 'data');
  const socketDir = join(dir, 'socket');
  for (const d of [dir, data, socketDir]) {
    mkdirSync(d, { recursive: true });
    if (owner !== null) chownSync(d, owner.uid, owner.gid);
  }
  const as = (cmd: string, args: string[]) => (asRoot ? run('runuser', ['-u', 'postgres', '--', join(bin, cmd), ...args]) : run(join(bin, cmd), args));
  await as('initdb', ['-D', data, '-U', 'bench', '--auth=trust', '--no-instructions', '-E', 'UTF8']);
  const options = `-k ${socketDir} -c listen_addresses= -p ${PORT} -c max_connections=100`;
  await as('pg_ctl', ['-D', data, '-o', options, '-l', join(dir, 'postgres.log'), '-w', '-t', '60', 'start']);
  const { stdout } = await run(join(bin, 'pg_ctl'), ['--version']);
  return {
    socketDir,
    port: PORT,
    version: stdout.trim(),
    stop: async () => {
      await as('pg_ctl', ['-D', data, '-m', 'fast', '-w', '-t', '60', 'stop']).catch(() => undefined);
    },
  };
}
