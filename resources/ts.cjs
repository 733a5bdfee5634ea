/**
 * Loads the project's TypeScript modules from the CommonJS generators that serverless.yml calls
 * (`${file(./resources/x.cjs):fn}`). tsx is registered in its own namespace so that only these
 * requires are compiled, never the framework's or its plugins'.
 */
const tsx = require('tsx/cjs/api').register({ namespace: 'wa-analytics-resources' });

/** Requires a TypeScript module by a path relative to resources/. */
module.exports = function requireTs(id) {
  return tsx.require(id, __filename);
};
