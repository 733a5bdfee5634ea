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

/*
 * shared/report/assets.ts reads the dashboard's inlined files (Chart.js's UMD build from
 * node_modules, the page's script and styles) from disk; a bundle has neither folder, so the
 * PublishReport Lambda would fail on its first page. This plugin replaces the module in a bundle
 * with one that returns the same texts, read at build time by the module itself.
 */
const assetsFile = path.join(__dirname, '..', 'shared', 'report', 'assets.ts');

const inlineReportAssets = {
  name: 'wa-analytics-inline-report-assets',
  setup(build) {
    build.onLoad({ filter: /[\\/]shared[\\/]report[\\/]assets\.ts$/ }, async (args) => {
      if (path.resolve(args.path) !== assetsFile) return undefined;
      const { loadReportAssets, reportAssetPaths } = require('./ts.cjs')('../shared/report/assets.ts');
      const contents = `// Inlined by resources/esbuild-plugins.cjs: the bundle has no node_modules or page/ folder.\nexport function loadReportAssets() {\n  return ${JSON.stringify(loadReportAssets())};\n}\n`;
      return { contents, loader: 'js', watchFiles: [assetsFile, ...Object.values(reportAssetPaths())] };
    });
  },
};

module.exports = [inlineSqlQueries, inlineReportAssets];
module.exports.inlineQueries = inlineQueries;
