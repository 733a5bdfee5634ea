import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { LocalCatalog } from '../../shared/adapters/local/catalog';
import { LocalQueryEngine } from '../../shared/adapters/local/query-engine';
import type { QueryRow } from '../../shared/ports/query-engine';
import { metaWebhook } from '../support/webhooks';

/** Shared by the local-stack tests: temp dirs, SQL over a data dir, tap bodies, a spawned `start`. */

export const repoRoot = resolve(__dirname, '../..');

const dirs: string[] = [];

/** A fresh temp dir, removed by `removeTempDirs`. */
export function tempDir(prefix = 'wa-local-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** Rows of a query over a data dir's catalog (what `wa-analytics query` sees). */
export async function queryRows(dataDir: string, sql: string): Promise<readonly QueryRow[]> {
  const engine = await LocalQueryEngine.open(await LocalCatalog.open(dataDir));
  try {
    return (await engine.query(sql)).rows;
  } finally {
    await engine.close();
  }
}

/** A Meta body with one button tap whose inbound wamid is unique to `n`. */
export function metaTapBody(n: number, timestampSeconds = 1_750_818_600): { body: string; wamid: string } {
  const wamid = `wamid.TEST${String(n).padStart(10, '0')}`;
  const body = JSON.stringify(
    metaWebhook({
      taps: [{ id: wamid, from: '5511955550147', timestamp: timestampSeconds, contextId: 'wamid.OUTBOUND0001', kind: 'button_reply', buttonId: 'yes', title: 'Sí 🎉' }],
    }),
  );
  return { body, wamid };
}

/** The environment of a child `start`: the parent's, without any project variable, plus `vars`. */
export function childEnv(vars: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(WA_|WASENDER_|SLACK_|TWILIO_)/.test(k)) env[k] = v;
  return { ...env, ...vars };
}

export interface StartedProcess {
  readonly child: ChildProcess;
  readonly url: string;
  /** Resolves with the exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
  readonly stderr: () => string;
}

/** Spawns `wa-analytics start --port 0` and resolves once it printed its URL (bounded wait). */
export function spawnStart(dataDir: string, env: Record<string, string>, extraArgs: string[] = [], timeoutMs = 20_000): Promise<StartedProcess> {
  const child = spawn(process.execPath, ['bin/wa-analytics.cjs', 'start', '--port', '0', '--data-dir', dataDir, ...extraArgs], {
    cwd: repoRoot,
    env: childEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
  return new Promise((res, rej) => {
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      rej(new Error(`start printed no URL within ${timeoutMs} ms; stderr: ${err}`));
    }, timeoutMs);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.startsWith('http://'));
      if (line === undefined) return;
      clearTimeout(timer);
      res({ child, url: line.trim(), exited, stderr: () => err });
    });
    void exited.then((code) => {
      clearTimeout(timer);
      rej(new Error(`start exited (${code}) before printing its URL; stderr: ${err}`));
    });
  });
}

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs one `wa-analytics` command to completion (killed after `timeoutMs`) with `env` added to the test's environment. */
export function runCli(args: string[], env: Record<string, string>, timeoutMs = 30_000): Promise<CliResult> {
  return runBin(args, childEnv(env), timeoutMs);
}

/** Runs one `wa-analytics` command to completion (killed after `timeoutMs`) with exactly this environment. */
export function runBin(args: string[], env: NodeJS.ProcessEnv, timeoutMs = 30_000): Promise<CliResult> {
  const child = spawn(process.execPath, ['bin/wa-analytics.cjs', ...args], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((res) =>
    child.once('close', (code) => {
      clearTimeout(timer);
      res({ code, stdout, stderr });
    }),
  );
}
