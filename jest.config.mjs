/** Native ESM jest (NODE_OPTIONS=--experimental-vm-modules, see package.json). */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: {
    '^(\\.{1,2}/.*)\\.js$': '$1',
    // The examples import the package by name, as a host would: here, this repository's source.
    '^grants-api$': '<rootDir>/src/index.ts',
    // Jest cannot require() an ES module before Node 24.9, and @fastify/static (Swagger UI's
    // assets on Fastify) requires content-disposition 3, which is one: under Jest it gets the
    // CommonJS v2 that Express uses, with the same `create()`. Node itself loads v3.
    '^content-disposition$': '<rootDir>/node_modules/content-disposition',
  },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }],
  },
  testMatch: ['<rootDir>/test/**/*.spec.ts'],
  globalSetup: '<rootDir>/test/support/global-setup.mjs',
  globalTeardown: '<rootDir>/test/support/global-teardown.mjs',
  // Captures the service's logs of each spec file and fails it when a line holds a secret.
  setupFilesAfterEnv: ['<rootDir>/test/support/log-capture.setup.ts'],
  testTimeout: 60_000,
  // Two cores: one worker per core, each spec file on its own cloned database.
  maxWorkers: 2,
};
