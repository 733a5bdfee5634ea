#!/usr/bin/env node
// The CLI: the precompiled bundle when it is (or can be made) up to date with the sources (see
// cli-bundle.cjs), else the TypeScript sources through tsx, so a fresh clone needs no build step.
// WA_CLI_NO_BUNDLE=1 always runs the sources through tsx (to compare, or to rule the bundle out).
const { cli } = require('./cli-bundle.cjs');

(process.env.WA_CLI_NO_BUNDLE ? Promise.resolve(null) : cli.freshBundle()).then((bundle) => {
  if (bundle !== null) {
    // A stack trace (WA_DEBUG=1) names the TypeScript sources, as it does under tsx.
    if (process.env.WA_DEBUG) process.setSourceMapsEnabled(true);
    return require(bundle).main(process.argv);
  }
  require('tsx/cjs/api').register();
  return require('../services/cli/main.ts').main(process.argv);
});
