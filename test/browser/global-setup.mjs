import globalSetup from '../support/global-setup.mjs';
import { chromiumPath, missingChromiumMessage } from './chromium.mjs';

/**
 * The browser tests need a Chromium binary: without one they fail here, before any database is
 * made, with one message saying how to get it (they never skip).
 */
export default async function browserGlobalSetup() {
  const missing = await missingChromiumMessage();
  if (missing) {
    // Thrown without its stack: the message is the whole story.
    const error = new Error(missing);
    error.stack = missing;
    throw error;
  }
  process.env.CHROMIUM_PATH = chromiumPath();
  await globalSetup();
}
