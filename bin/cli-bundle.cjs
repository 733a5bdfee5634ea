/**
 * The command line precompiled: cli/main.ts and everything it reaches in this repository,
 * bundled by esbuild into one CommonJS file under node_modules/.cache/wa-analytics, with the
 * packages (but commander) left to `require` at run time. tsx compiles and source-maps each TypeScript file as it
 * loads, which costs several times what the commands' own start does (see `npm run bench -- --only
 * cli`); the bundle is built on first use and again whenever a source file changed, so a fresh
 * clone needs no build step and an edited file is never run stale.
 *
 * A command's modules still load only when it runs: esbuild turns each lazily `require`d module
 * into a function called on first `require`.
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');

/** Writes `data` to `file` whole: aside first, then renamed over it. */
function writeWhole(file, data) {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, data);
  fs.renameSync(tmp, file);
}

// Bump when the build options change shape; this file itself is also an input.
const FORMAT = 1;

/** [mtimeMs, size] of a file, or null when it is gone. */
function stamp(file) {
  try {
    const st = fs.statSync(file);
    return [st.mtimeMs, st.size];
  } catch {
    return null;
  }
}

/**
 * A module's `__dirname` becomes its source directory: modules read files beside them (the
 * mapping templates, the .sql files, the report's page assets, the transform worker's entry),
 * and in a bundle `__dirname` would be the cache folder.
 */
function sourceDirPlugin(stamps, relative) {
  return {
    name: 'wa-analytics-source-dirname',
    setup(build) {
      build.onLoad({ filter: /\.ts$/ }, async (args) => {
        if (args.path.split(path.sep).includes('node_modules')) return undefined;
        // Stamped before reading: a file edited during the build makes the bundle stale, not wrong.
        stamps.set(relative(args.path), stamp(args.path));
        const text = await fs.promises.readFile(args.path, 'utf8');
        return { contents: text.replace(/\b__dirname\b/g, JSON.stringify(path.dirname(args.path))), loader: 'ts' };
      });
    },
  };
}

/**
 * Packages stay outside the bundle, loaded by `require` when a command needs them, except the
 * few every start needs anyway (commander parses the command line): in the bundle they are read
 * and compiled with it, once, instead of resolved and loaded file by file.
 */
function packagesPlugin(bundled) {
  return {
    name: 'wa-analytics-external-packages',
    setup(build) {
      build.onResolve({ filter: /^[^./]/ }, (args) => (bundled.includes(args.path) ? undefined : { path: args.path, external: true }));
    },
  };
}

/**
 * The bundle of the TypeScript entry `entry` under `root` (the repository; its bundle goes to
 * root/node_modules/.cache/wa-analytics/NAME.cjs, with NAME.json listing the inputs it was built from).
 */
function cliBundle(root, entry, name = 'cli') {
  const cacheDir = path.join(root, 'node_modules', '.cache', 'wa-analytics');
  const bundleFile = path.join(cacheDir, `${name}.cjs`);
  const manifestFile = path.join(cacheDir, `${name}.json`);
  const relative = (file) => path.relative(root, file).split(path.sep).join('/');

  /** True when the bundle was built from the files as they are now (same mtimes and sizes). */
  function isFresh() {
    let manifest;
    try {
      manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8'));
    } catch {
      return false;
    }
    if (manifest.format !== FORMAT || manifest.root !== root || !Array.isArray(manifest.inputs)) return false;
    for (const [file, mtimeMs, size] of manifest.inputs) {
      const now = stamp(path.join(root, file));
      if (now === null ? mtimeMs !== null : now[0] !== mtimeMs || now[1] !== size) return false;
    }
    return fs.existsSync(bundleFile);
  }

  /** Builds the bundle and its manifest (written aside, then renamed, so a reader sees whole files). */
  async function build() {
    const esbuild = require('esbuild');
    const stamps = new Map();
    const result = await esbuild.build({
      entryPoints: [entry],
      outfile: bundleFile,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: `node${process.versions.node.split('.')[0]}`,
      // Classes and functions keep their names, as under tsx: retry rules and messages read error names.
      keepNames: true,
      // Less to read and parse at every start; the source map keeps stack traces readable.
      minify: true,
      sourcemap: true,
      metafile: true,
      write: false,
      logLevel: 'silent',
      absWorkingDir: root,
      plugins: [packagesPlugin(['commander']), sourceDirPlugin(stamps, relative)],
    });
    const inputs = [];
    const sources = Object.keys(result.metafile.inputs).map((f) => path.resolve(root, f));
    for (const file of [...sources, __filename, path.join(root, 'tsconfig.json')]) {
      const rel = relative(file);
      const s = stamps.get(rel) ?? stamp(file);
      // A missing tsconfig.json is an input too: creating one makes the bundle stale.
      inputs.push([rel, ...(s ?? [null, null])]);
    }
    fs.mkdirSync(cacheDir, { recursive: true });
    // The map first and the manifest last: a manifest never names a bundle not yet in place.
    const outputs = [...result.outputFiles].sort((a, b) => Number(b.path.endsWith('.map')) - Number(a.path.endsWith('.map')));
    for (const out of outputs) writeWhole(out.path, out.contents);
    writeWhole(manifestFile, JSON.stringify({ format: FORMAT, root, inputs }));
  }

  /**
   * Loads the bundle (a CommonJS module) with V8's code cache kept beside it, so a start does
   * not compile 300 kB of JavaScript again: Node 20 has no module.enableCompileCache (22.1 has),
   * hence these few lines. V8 refuses a cache made from other source or by another V8, and a new
   * one is written then. Returns the module's exports and a function that writes the cache,
   * to be called once the command ran (the cache then holds every function it compiled).
   */
  function load() {
    const vm = require('node:vm');
    const Module = require('node:module');
    const cacheFile = `${bundleFile}.v8cache`;
    let cachedData;
    try {
      cachedData = fs.readFileSync(cacheFile);
    } catch {
      cachedData = undefined;
    }
    const script = new vm.Script(Module.wrap(fs.readFileSync(bundleFile, 'utf8')), { filename: bundleFile, cachedData });
    const mod = { exports: {} };
    script.runInThisContext()(mod.exports, Module.createRequire(bundleFile), mod, bundleFile, cacheDir);
    const saveCache = () => {
      if (cachedData !== undefined && !script.cachedDataRejected) return;
      try {
        writeWhole(cacheFile, script.createCachedData());
      } catch {
        // A read-only cache folder only costs the next start its compile.
      }
    };
    return { exports: mod.exports, saveCache };
  }

  /**
   * The path of an up-to-date bundle, building it first when needed; null when it cannot be had
   * (no esbuild, a read-only checkout, a build error), and the caller runs the sources with tsx.
   */
  async function freshBundle() {
    if (isFresh()) return bundleFile;
    try {
      await build();
      return bundleFile;
    } catch (error) {
      if (process.env.WA_DEBUG) process.stderr.write(`wa-analytics: running through tsx: the CLI bundle could not be built: ${error?.stack ?? error}\n`);
      return null;
    }
  }

  return { bundleFile, isFresh, build, freshBundle, load };
}

const root = path.resolve(__dirname, '..');
/** The command line's bundle: cli/main.ts. */
const cli = cliBundle(root, path.join(root, 'cli', 'main.ts'));

module.exports = { cli, cliBundle };

// `node bin/cli-bundle.cjs` builds it ahead of time.
if (require.main === module) {
  cli.build().catch((error) => {
    process.stderr.write(`cli-bundle: ${error?.stack ?? error}\n`);
    process.exitCode = 1;
  });
}
