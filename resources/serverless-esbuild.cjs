/**
 * serverless-esbuild settings, derived from the shared bundle options (esbuild-options.cjs) so the
 * deployed bundle and the benchmark's bundle are the same artifact.
 */
const { transformBuildOptions } = require('./esbuild-options.cjs');

module.exports = () => {
  const { external, ...build } = transformBuildOptions;
  // serverless-esbuild's `exclude` is esbuild's `external` without installing anything into the
  // zip (its own `external` would npm-install those packages); the Lambda runtime provides them.
  // The daily tasks' SQL files are compiled into their bundles (resources/esbuild-plugins.cjs).
  return { ...build, exclude: external, plugins: 'resources/esbuild-plugins.cjs' };
};
