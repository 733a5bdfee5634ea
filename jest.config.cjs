/**
 * Jest runs CommonJS through @swc/jest. Middy (and a few other packages) ship ESM only, so
 * they are let through the transform instead of running Jest in its experimental ESM mode
 * (`cookie` is fastify's `inject`, through light-my-request).
 */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/tests'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.(t|j|mj)s$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } }],
  },
  transformIgnorePatterns: ['/node_modules/(?!(@middy|aws-local-stepfunctions|cookie)/)'],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'cjs', 'json'],
  setupFiles: ['<rootDir>/tests/setup/polyfills.ts'],
  // A per-run folder for the packaged stages the stack tests share (tests/stack/package.ts).
  globalSetup: '<rootDir>/tests/setup/global-setup.cjs',
  globalTeardown: '<rootDir>/tests/setup/global-teardown.cjs',
  testTimeout: 30000,
};
