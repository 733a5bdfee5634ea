import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * A `moto_server` (the image's AWS stand-in) on 127.0.0.1 for one test file: started on a free
 * port, waited for, stopped by `close()`. `available()` says whether the image has it, so a test
 * can skip with a message where it is missing.
 */
export interface MotoServer {
  readonly endpoint: string;
  close(): Promise<void>;
}

/** Whether `moto_server` is on PATH. */
export function motoAvailable(): boolean {
  try {
    execFileSync('sh', ['-c', 'command -v moto_server'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** Starts moto_server and resolves once it answers (at most `maxWaitMs`). */
export async function startMotoServer(maxWaitMs = 20_000): Promise<MotoServer> {
  const port = await freePort();
  const child: ChildProcess = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const close = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    await exited;
  };
  for (const deadline = Date.now() + maxWaitMs; Date.now() < deadline; await sleep(100)) {
    if (child.exitCode !== null) throw new Error(`moto_server exited with ${child.exitCode}: ${stderr}`);
    try {
      const res = await fetch(`${endpoint}/moto-api/data.json`);
      if (res.ok) return { endpoint, close };
    } catch {
      // not listening yet
    }
  }
  await close();
  throw new Error(`moto_server did not answer on ${endpoint} within ${maxWaitMs} ms: ${stderr}`);
}
