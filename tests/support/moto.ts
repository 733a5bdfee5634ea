import { spawn, spawnSync, type ChildProcess } from 'node:child_process';

/**
 * A moto_server (moto's stand-in for AWS APIs, installed with the image's Python) on 127.0.0.1 and
 * a port the system picks, started by the test that needs it and stopped by it. Clients reach it
 * with `loopbackClientConfig(moto.endpoint)` (tests/support/loopback-aws.ts).
 */
export interface MotoServer {
  readonly endpoint: string;
  stop(): Promise<void>;
}

/** Why moto cannot run here (no moto_server on PATH), or null when it can. */
export function motoMissing(): string | null {
  const found = spawnSync('moto_server', ['--help'], { stdio: 'ignore', timeout: 30_000 });
  return found.error === undefined && found.status === 0 ? null : 'moto_server is not on PATH (pip install "moto[server]")';
}

/** Starts moto_server and resolves once it listens (it prints `Running on http://127.0.0.1:<port>`); rejects after `timeoutMs`. */
export function startMoto(timeoutMs = 60_000): Promise<MotoServer> {
  const child: ChildProcess = spawn('moto_server', ['-H', '127.0.0.1', '-p', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`moto_server did not start within ${timeoutMs} ms: ${seen}`));
    }, timeoutMs);
    const listen = (chunk: Buffer) => {
      seen += chunk.toString();
      const m = /Running on (http:\/\/127\.0\.0\.1:\d+)/.exec(seen);
      if (m === null) return;
      clearTimeout(timer);
      child.stdout?.off('data', listen);
      child.stderr?.off('data', listen);
      // Keep draining so a chatty server never blocks on a full pipe.
      child.stdout?.resume();
      child.stderr?.resume();
      resolve({ endpoint: m[1]!, stop });
    };
    child.stdout?.on('data', listen);
    child.stderr?.on('data', listen);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`moto_server exited (${code}) before listening: ${seen}`));
    });
  });
}
