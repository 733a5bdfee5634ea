/**
 * esbuild options of the deployed Lambda bundles, shared by serverless-esbuild (serverless.yml)
 * and the benchmark that measures the bundle, so both measure the same artifact.
 */
const transformBuildOptions = {
  bundle: true,
  minify: true,
  // Minified, but every class and function keeps its name: the Lambda runtime reports a thrown
  // error's `name` as its errorType, which the state machine's Retry and the failure alert read.
  keepNames: true,
  platform: 'node',
  target: 'node22',
  format: 'cjs',
  // The Lambda Node.js runtime ships AWS SDK v3.
  external: ['@aws-sdk/*'],
  sourcemap: false,
};

module.exports = { transformBuildOptions };
