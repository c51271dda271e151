/** Jest runs the TypeScript sources as native ESM (Agenda 6 is ESM-only). */
const shared = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: {
    '^(\\.{1,2}/.*)\\.js$': '$1',
    // The CommonJS build loads its metadata with require(); the ESM build's JSON import warns under Jest.
    '^libphonenumber-js$': '<rootDir>/node_modules/libphonenumber-js/index.cjs',
  },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true }],
  },
};

/**
 * Two projects: unit tests never touch a database, so only the other project starts the run's one database
 * server (Jest runs a global setup once per module path, and only when a test of its project is selected).
 */
export default {
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    {
      ...shared,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts', '<rootDir>/test/e2e/**/*.test.ts'],
      globalSetup: '<rootDir>/test/setup/global-setup.mjs',
      globalTeardown: '<rootDir>/test/setup/global-teardown.mjs',
    },
  ],
  // Both are run-wide options: Jest ignores them inside a project.
  testTimeout: 30000,
  maxWorkers: 2,
};
