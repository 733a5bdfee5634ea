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
  // The Lambda Node.js runtime ships the AWS SDK v3 clients: they stay out of the bundles. Anything
  // else of the SDK (the S3 request presigner of the report-link function) is bundled, so a
  // runtime that ships only the clients still runs it (tests/stack/bundles.test.ts checks both).
  external: ['@aws-sdk/client-*'],
  sourcemap: false,
};

module.exports = { transformBuildOptions };
