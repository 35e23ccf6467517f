/**
 * The browser tests (`npm run test:browser`): Playwright driving Debian's Chromium against the
 * running service. Kept out of `npm test`, which must pass on a machine without a browser: their
 * files end in `.browser.ts`, which the main config's `*.spec.ts` does not match.
 */
import base from './jest.config.mjs';

export default {
  ...base,
  testMatch: ['<rootDir>/test/browser/**/*.browser.ts'],
  // Checks for Chromium first, then the usual template database (test/support/global-setup.mjs).
  globalSetup: '<rootDir>/test/browser/global-setup.mjs',
  // A browser per spec file on two shared cores: one file at a time keeps the clicks unhurried.
  maxWorkers: 1,
};
