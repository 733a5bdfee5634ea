import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { removeTempDirs, tempDir } from '../local/stack-helpers';

// The builder is the bin's own CommonJS file.
const { cliBundle } = require('../../bin/cli-bundle.cjs') as {
  cliBundle: (root: string, entry: string) => { bundleFile: string; isFresh: () => boolean; freshBundle: () => Promise<string | null> };
};

afterAll(removeTempDirs);

/** A small TypeScript project: main.ts reads a file beside it, imports dep.ts, and requires lazy.ts on demand. */
function project(): { root: string; entry: string } {
  const root = tempDir('wa-bundle-');
  mkdirSync(join(root, 'src', 'data'), { recursive: true });
  writeFileSync(join(root, 'src', 'data', 'note.txt'), 'beside main');
  writeFileSync(join(root, 'src', 'dep.ts'), "export const dep: string = 'one';\n");
  writeFileSync(join(root, 'src', 'lazy.ts'), "(globalThis as { lazyRan?: boolean }).lazyRan = true;\nexport const lazy = 'lazy';\n");
  writeFileSync(
    join(root, 'src', 'main.ts'),
    [
      "import { readFileSync } from 'node:fs';",
      "import { join } from 'node:path';",
      "import { dep } from './dep';",
      'export function main(): string {',
      "  const before = (globalThis as { lazyRan?: boolean }).lazyRan === true;",
      "  const { lazy } = require('./lazy') as typeof import('./lazy');",
      "  return [dep, readFileSync(join(__dirname, 'data', 'note.txt'), 'utf8'), String(before), lazy].join(' | ');",
      '}',
      '',
    ].join('\n'),
  );
  return { root, entry: join(root, 'src', 'main.ts') };
}

/** What the bundle's main() returns, in a fresh Node process. */
const runBundle = (file: string): string => execFileSync(process.execPath, ['-e', `process.stdout.write(require(${JSON.stringify(file)}).main())`], { encoding: 'utf8' });

describe('the CLI bundle', () => {
  it("builds on first use; each module keeps its source directory as __dirname and a required module runs only when required", async () => {
    const { root, entry } = project();
    const bundle = cliBundle(root, entry);
    expect(bundle.isFresh()).toBe(false);
    const file = await bundle.freshBundle();
    expect(file).toBe(bundle.bundleFile);
    expect(bundle.isFresh()).toBe(true);
    expect(runBundle(file!)).toBe('one | beside main | false | lazy');
  });

  it('is rebuilt when a source file changes, and is stale when one is deleted', async () => {
    const { root, entry } = project();
    const bundle = cliBundle(root, entry);
    await bundle.freshBundle();
    // Same size, different content: the changed mtime alone marks it stale.
    writeFileSync(join(root, 'src', 'dep.ts'), "export const dep: string = 'two';\n");
    const later = new Date(Date.now() + 5000);
    utimesSync(join(root, 'src', 'dep.ts'), later, later);
    expect(bundle.isFresh()).toBe(false);
    expect(runBundle((await bundle.freshBundle())!)).toBe('two | beside main | false | lazy');
    expect(bundle.isFresh()).toBe(true);
    rmSync(join(root, 'src', 'lazy.ts'));
    expect(bundle.isFresh()).toBe(false);
  });

  it("loads through V8's code cache, written after the first run and accepted by the next", async () => {
    const { root, entry } = project();
    const file = (await cliBundle(root, entry).freshBundle())!;
    const builder = JSON.stringify(join(__dirname, '../../bin/cli-bundle.cjs'));
    const load = `const b = require(${builder}).cliBundle(${JSON.stringify(root)}, ${JSON.stringify(entry)}); const { exports, saveCache } = b.load(); process.stdout.write(exports.main()); saveCache();`;
    expect(execFileSync(process.execPath, ['-e', load], { encoding: 'utf8' })).toBe('one | beside main | false | lazy');
    expect(existsSync(`${file}.v8cache`)).toBe(true);
    const written = statSync(`${file}.v8cache`).mtimeMs;
    expect(execFileSync(process.execPath, ['-e', load], { encoding: 'utf8' })).toBe('one | beside main | false | lazy');
    // Accepted: not written again.
    expect(statSync(`${file}.v8cache`).mtimeMs).toBe(written);
  });

  it('returns null, for the caller to run the sources through tsx, when the build fails', async () => {
    const { root, entry } = project();
    writeFileSync(join(root, 'src', 'dep.ts'), 'export const dep: string = ;\n');
    expect(await cliBundle(root, entry).freshBundle()).toBeNull();
  });
});
