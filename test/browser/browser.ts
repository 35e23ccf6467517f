/** Chromium for the browser tests: a fresh, empty profile per launch, screenshots in test-output/. */
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { testHttpAdapter } from '../support/app.js';
import { chromiumPath } from './chromium.mjs';

/** Where the screenshots go (git-ignored with the rest of test-output/). */
export const SCREENSHOT_DIR = path.resolve('test-output', 'browser');

/**
 * Headless, no sandbox (CI runs as root), and nothing that reaches out to the network on its own:
 * the only requests the browser sends are the ones the test makes.
 */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
];

export interface TestBrowser {
  context: BrowserContext;
  page: Page;
  /** The user-data directory, empty when the browser started. */
  profile: string;
  /** Closes the browser and removes its profile. */
  close(): Promise<void>;
}

/** Chromium on a new, empty user-data directory of its own (removed again by `close`). */
export async function launchBrowser(): Promise<TestBrowser> {
  const profile = await mkdtemp(path.join(tmpdir(), 'grants-api-chromium-'));
  const entries = await readdir(profile);
  if (entries.length > 0) throw new Error(`profile ${profile} is not empty: ${entries.join(', ')}`);
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: chromiumPath(),
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1280, height: 900 },
    });
  } catch (error) {
    await rm(profile, { recursive: true, force: true });
    throw error;
  }
  // A missing element fails the test in 15 s rather than at jest's 60 s test timeout.
  context.setDefaultTimeout(15_000);
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    profile,
    close: async () => {
      try {
        await context.close();
      } finally {
        await rm(profile, { recursive: true, force: true });
      }
    },
  };
}

/**
 * Saves test-output/browser/<adapter>-<name>.png: the whole page, or one element of it (a long page
 * such as Swagger UI's is unreadable in full). Returns the file's path.
 */
export async function screenshot(target: Page | Locator, name: string): Promise<string> {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${testHttpAdapter()}-${name}.png`);
  if ('goto' in target) await target.screenshot({ path: file, fullPage: true });
  else await target.screenshot({ path: file });
  return file;
}
