/**
 * Jest globalSetup: one temporary folder per test run where tests/stack/package.ts keeps what
 * `sls package` built, so the test files that need a packaged stage share one build instead of
 * packaging again. Creating the folder is all it does (nothing is packaged here); the workers
 * inherit the variable. globalTeardown (global-teardown.cjs) removes the folder.
 */
const { mkdtempSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

const VARIABLE = 'WA_TEST_PACKAGE_DIR';

module.exports = Object.assign(
  async function globalSetup() {
    process.env[VARIABLE] = mkdtempSync(join(tmpdir(), 'wa-packages-'));
  },
  { VARIABLE },
);
