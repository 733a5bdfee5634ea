/**
 * esbuild plugins of the deployed bundles (serverless-esbuild's `plugins` option).
 *
 * shared/sql/render.ts reads its query files (every .sql file under shared/sql/queries) from disk
 * next to itself on first use. A bundle has no such folder (its __dirname is the handler's), so the
 * daily workflow's Lambdas would fail at their first SQL statement. This plugin compiles the query texts into the
 * bundle by filling render.ts's per-process cache at load, so the bundled code never reads a file.
 * The SQL text is the file's, byte for byte.
 */
const fs = require('node:fs');
const path = require('node:path');

const renderFile = path.join(__dirname, '..', 'shared', 'sql', 'render.ts');
const queriesDir = path.join(__dirname, '..', 'shared', 'sql', 'queries');
// The cache loadQuery() consults before reading a file; the plugin fails the build if it moves.
const CACHE_DECLARATION = 'const templateCache = new Map<string, string>();';

/** Every .sql file under queries/, as paths relative to it with `/` separators, sorted. */
function queryFiles() {
  return fs
    .readdirSync(queriesDir, { recursive: true })
    .map((f) => String(f).split(path.sep).join('/'))
    .filter((f) => f.endsWith('.sql'))
    .sort();
}

/** render.ts with `templateCache.set(name, text)` for every query file appended (name: the path without `.sql`). */
function inlineQueries(source) {
  if (!source.includes(CACHE_DECLARATION)) {
    throw new Error(`${renderFile}: no "${CACHE_DECLARATION}" to fill; update resources/esbuild-plugins.cjs`);
  }
  const files = queryFiles();
  if (files.length === 0) throw new Error(`${queriesDir}: no .sql files`);
  const sets = files.map((f) => `templateCache.set(${JSON.stringify(f.slice(0, -4))}, ${JSON.stringify(fs.readFileSync(path.join(queriesDir, f), 'utf8'))});`);
  return `${source}\n// Inlined by resources/esbuild-plugins.cjs: the bundle has no queries/ folder.\n${sets.join('\n')}\n`;
}

const inlineSqlQueries = {
  name: 'wa-analytics-inline-sql-queries',
  setup(build) {
    build.onLoad({ filter: /[\\/]shared[\\/]sql[\\/]render\.ts$/ }, async (args) => {
      if (path.resolve(args.path) !== renderFile) return undefined;
      const source = await fs.promises.readFile(args.path, 'utf8');
      return { contents: inlineQueries(source), loader: 'ts', watchFiles: [renderFile, ...queryFiles().map((f) => path.join(queriesDir, f))] };
    });
  },
};

module.exports = [inlineSqlQueries];
module.exports.inlineQueries = inlineQueries;
