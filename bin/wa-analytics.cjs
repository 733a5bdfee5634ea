#!/usr/bin/env node
// The CLI: the precompiled bundle when it is (or can be made) up to date with the sources (see
// cli-bundle.cjs), else the TypeScript sources through tsx, so a fresh clone needs no build step.
// WA_CLI_NO_BUNDLE=1 always runs the sources through tsx (to compare, or to rule the bundle out).
const { cli } = require('./cli-bundle.cjs');

/** The sources through tsx, which compiles each file as it loads. */
function runSources() {
  require('tsx/cjs/api').register();
  return require('../cli/main.ts').main(process.argv);
}

(process.env.WA_CLI_NO_BUNDLE ? Promise.resolve(null) : cli.freshBundle()).then(async (bundle) => {
  if (bundle === null) return runSources();
  if (process.env.WA_DEBUG) {
    // Loaded as a plain module so that a stack trace names the TypeScript sources (source map).
    process.setSourceMapsEnabled(true);
    return require(bundle).main(process.argv);
  }
  let loaded;
  try {
    loaded = cli.load();
  } catch {
    // A bundle that no longer loads (edited or damaged in the cache): built again once, else the sources.
    try {
      await cli.build();
      loaded = cli.load();
    } catch {
      return runSources();
    }
  }
  await loaded.exports.main(process.argv);
  loaded.saveCache();
});
