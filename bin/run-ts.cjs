#!/usr/bin/env node
// Runs a TypeScript entry file (first argument) with tsx; used by npm scripts such as `bench`.
const path = require('node:path');
require('tsx/cjs/api').register();
const [, , entry, ...rest] = process.argv;
process.argv = [process.argv[0], entry, ...rest];
require(path.resolve(entry));
