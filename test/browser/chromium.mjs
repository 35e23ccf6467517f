import { access, constants } from 'node:fs/promises';

/** Debian's chromium package, unless CHROMIUM_PATH names another binary. */
export const DEFAULT_CHROMIUM = '/usr/bin/chromium';

export function chromiumPath() {
  return process.env.CHROMIUM_PATH || DEFAULT_CHROMIUM;
}

/** Why the browser tests cannot run here, or null when the Chromium binary is executable. */
export async function missingChromiumMessage() {
  const path = chromiumPath();
  try {
    await access(path, constants.X_OK);
    return null;
  } catch {
    const which = process.env.CHROMIUM_PATH
      ? `CHROMIUM_PATH=${path} is not an executable file`
      : `${path} not found`;
    return (
      `The browser tests need Chromium: ${which}. ` +
      'Install it with `apt-get install chromium` (Debian; as root), ' +
      'or set CHROMIUM_PATH to a Chromium binary.'
    );
  }
}
