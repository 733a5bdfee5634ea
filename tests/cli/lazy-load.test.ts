import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { childEnv, removeTempDirs, repoRoot, tempDir } from '../local/stack-helpers';

const preload = join(repoRoot, 'tests', 'support', 'loaded-modules.cjs');
const bin = join(repoRoot, 'bin', 'wa-analytics.cjs');
/** Packages only a command's work needs: none may load to define the program or print help. */
const HEAVY = /[\\/]node_modules[\\/](@aws-sdk|@smithy|@duckdb|fastify|velocityjs|aws-local-stepfunctions|cli-progress|cli-table3|chart\.js)[\\/]/;

afterAll(removeTempDirs);

/** Runs node with `args` and returns the modules it loaded (and its exit status). */
function loadedBy(args: readonly string[], env: Record<string, string> = {}): { status: number | null; modules: string[]; stderr: string } {
  const out = join(tempDir('wa-lazy-'), 'modules.txt');
  const r = spawnSync(process.execPath, ['-r', preload, ...args], { cwd: repoRoot, env: childEnv({ ...env, LOADED_MODULES_OUT: out }), encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, modules: readFileSync(out, 'utf8').split('\n').filter(Boolean), stderr: r.stderr };
}

describe('the command line loads a command only when it runs', () => {
  it('prints --help from the bundle without loading the AWS SDK, DuckDB, fastify or the other heavy packages', () => {
    const r = loadedBy([bin, '--help']);
    expect(r.status).toBe(0);
    // From the bundle: neither tsx nor any TypeScript source was loaded.
    expect(r.modules.filter((m) => /[\\/]node_modules[\\/]tsx[\\/]|\.ts$/.test(m))).toEqual([]);
    expect(r.modules.filter((m) => HEAVY.test(m))).toEqual([]);
  }, 60_000);

  it("defines every command and renders each one's help without loading them", () => {
    const script = "const { buildProgram } = require('./cli/main.ts'); for (const c of buildProgram().commands) c.helpInformation();";
    const r = loadedBy(['-e', `require('tsx/cjs/api').register(); ${script}`]);
    expect(r.stderr).toBe('');
    expect(r.modules.filter((m) => HEAVY.test(m))).toEqual([]);
    // Only the definitions: no command's implementation was read.
    expect(r.modules.filter((m) => /[\\/]services[\\/]cli[\\/]commands[\\/][a-z]+[\\/](?!command\.ts$)/.test(m))).toEqual([]);
  }, 60_000);

  it('loads DuckDB once `query` runs (the check above can see a heavy package)', () => {
    const r = loadedBy([bin, 'query', 'SELECT 1', '--data-dir', join(tempDir('wa-lazy-'), 'missing')]);
    expect(r.status).toBe(2);
    expect(r.modules.some((m) => /[\\/]node_modules[\\/]@duckdb[\\/]/.test(m))).toBe(true);
  }, 60_000);
});
