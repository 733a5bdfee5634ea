import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const repoRoot = resolve(__dirname, '..');
const bin = join(repoRoot, 'bin', 'wa-analytics.cjs');
/** One small body: a single button tap. */
const body = join(repoRoot, 'tests', 'fixtures', 'meta', 'button-reply.json');
/** Interleaved rounds: each round runs every command once, so load on the machine hits all alike. */
const ROUNDS = 9;

/** Wall seconds of one run of `node args…` to its exit; throws when it fails. */
function timed(args: readonly string[], env: NodeJS.ProcessEnv): number {
  const started = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { cwd: repoRoot, env, stdio: ['ignore', 'ignore', 'pipe'], timeout: 30_000 });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited ${r.status ?? r.signal}: ${r.stderr.toString()}`);
  return seconds;
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};
const round3 = (x: number): number => Math.round(x * 1000) / 1000;

/**
 * Start-up of the command line, side by side with bare Node: `--help` (the program definition
 * only), `flatten` of one small body (one command's modules, no I/O but the file), and `node -e 0`.
 * `cli_help_tsx_s` is `--help` with the bundle turned off (the sources compiled by tsx as they
 * load), to show what the bundle saves.
 */
export async function cliBench(): Promise<Record<string, number>> {
  const dataDir = mkdtempSync(join(tmpdir(), 'wa-bench-cli-'));
  try {
    const base: NodeJS.ProcessEnv = { ...process.env, WA_DATA_DIR: dataDir, WA_PII_KEY: 'bench-pii-key', WA_TIMEZONE: 'UTC' };
    delete base.WA_DEBUG;
    const tsxEnv = { ...base, WA_CLI_NO_BUNDLE: '1' };
    const runs = {
      node_s: () => timed(['-e', '0'], base),
      cli_help_s: () => timed([bin, '--help'], base),
      cli_flatten_s: () => timed([bin, 'flatten', body, '--source', 'meta'], base),
      cli_help_tsx_s: () => timed([bin, '--help'], tsxEnv),
    };
    // Warm-up: builds the bundle if the sources changed, fills tsx's cache and the page cache.
    for (const run of Object.values(runs)) run();
    const samples: Record<string, number[]> = Object.fromEntries(Object.keys(runs).map((k) => [k, []]));
    for (let i = 0; i < ROUNDS; i++) for (const [name, run] of Object.entries(runs)) samples[name]!.push(run());
    const result = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, round3(median(v))]));
    return { ...result, cli_help_over_node_s: round3(result.cli_help_s! - result.node_s!), cli_runs_per_median: ROUNDS };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
