/** Jest globalTeardown: removes the per-run package folder of global-setup.cjs. */
const { rmSync } = require('node:fs');
const { VARIABLE } = require('./global-setup.cjs');

module.exports = async function globalTeardown() {
  const dir = process.env[VARIABLE];
  if (dir) rmSync(dir, { recursive: true, force: true });
};
