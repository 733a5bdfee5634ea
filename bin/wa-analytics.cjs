#!/usr/bin/env node
// Runs the TypeScript CLI directly (tsx compiles on load), so a fresh clone needs no build step.
require('tsx/cjs/api').register();
require('../services/cli/main.ts').main(process.argv);
