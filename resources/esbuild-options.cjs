/**
 * esbuild options of the deployed Lambda bundles, shared by serverless-esbuild (serverless.yml)
 * and the benchmark that measures the bundle, so both measure the same artifact.
 */
const transformBuildOptions = {
  bundle: true,
  minify: true,
  platform: 'node',
  target: 'node22',
  format: 'cjs',
  // The Lambda Node.js runtime ships AWS SDK v3.
  external: ['@aws-sdk/*'],
  sourcemap: false,
};

module.exports = { transformBuildOptions };
