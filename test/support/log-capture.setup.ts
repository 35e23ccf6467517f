/**
 * setupFilesAfterEnv of every spec: captures the service's logs of the file and, once its tests
 * are done, fails the file when a line contains a secret the tests created or stored.
 */
import { assertNoSecretsLogged, harvestOpenDatabases, installLogCapture } from './log-capture.js';

installLogCapture();

afterAll(async () => {
  // The spec's own afterAll (closing its app) may not have run yet: collect what is stored now.
  await harvestOpenDatabases();
  assertNoSecretsLogged();
});
