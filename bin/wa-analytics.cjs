#!/usr/bin/env node
// The CLI: the precompiled bundle when it is (or can be made) up to date with the sources (see
// cli-bundle.cjs), else the TypeScript sources through tsx, so a fresh clone needs no build step.
// WA_CLI_NO_BUNDLE=1 always runs the sources through tsx (to compare, or to rule the bundle out).
const { cli } = require('./cli-bundle.cjs');

(process.env.WA_CLI_NO_BUNDLE ? Promise.resolve(null) : cli.freshBundle()).then(async (bundle) => {
  if (bundle === null) {
    require('tsx/cjs/api').register();
    return require('../services/cli/main.ts').main(process.argv);
  }
  if (process.env.WA_DEBUG) {
    // Loaded as a plain module so that a stack trace names the TypeScript sources (source map).
    process.setSourceMapsEnabled(true);
    return require(bundle).main(process.argv);
  }
  const { exports, saveCache } = cli.load();
  await exports.main(process.argv);
  saveCache();
});
