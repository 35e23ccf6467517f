/**
 * The service's log lines, captured in memory for the whole spec file at level `trace`, so that
 * they can be searched for secrets (contract §3: no key, secret, code or token in any log line).
 * Installed for every spec by jest's setupFilesAfterEnv (log-capture.setup.ts). TEST_LOG_LEVEL
 * still prints the lines at and above that level, as before.
 */
import type { DataSource } from 'typeorm';
import type { SecretBox } from '../../src/common/crypto/secret-box.js';
import type { LogLevel } from '../../src/config/config.js';
import { logDestination } from '../../src/logging/logging.module.js';
import { harvestSecrets, maskSecrets, masked, secretsIn, type Secret } from './secret-registry.js';

const LEVELS: Record<LogLevel, number> = {
  trace: 10,
  debug: 20,
  info: 30,
  warn: 40,
  error: 50,
  fatal: 60,
  silent: Infinity,
};

const echoLevel = (): number =>
  LEVELS[(process.env.TEST_LOG_LEVEL as LogLevel | undefined) ?? 'silent'] ?? Infinity;

/** Every line the apps of this spec file logged, in order. */
export const capturedLines: string[] = [];

let installed = false;

/** Routes the service's logs (every app started from now on) into `capturedLines`. */
export function installLogCapture(): void {
  if (installed) return;
  installed = true;
  const echo = echoLevel();
  logDestination.stream = {
    write(line: string) {
      capturedLines.push(line);
      if (echo !== Infinity && ((JSON.parse(line) as { level?: number }).level ?? 0) >= echo) {
        process.stdout.write(line);
      }
    },
  };
}

/** The level test apps log at: everything while captured, else TEST_LOG_LEVEL (or silent). */
export function testLogLevel(): LogLevel {
  if (installed) return 'trace';
  return (process.env.TEST_LOG_LEVEL as LogLevel | undefined) ?? 'silent';
}

/** Apps still running, whose databases may hold secrets not yet registered. */
const openDatabases = new Set<{ db: DataSource; box: SecretBox }>();

export function trackDatabase(db: DataSource, box: SecretBox): () => Promise<void> {
  const entry = { db, box };
  openDatabases.add(entry);
  return async () => {
    openDatabases.delete(entry);
    await harvestSecrets(db, box);
  };
}

export async function harvestOpenDatabases(): Promise<void> {
  for (const { db, box } of openDatabases) await harvestSecrets(db, box);
}

/** Captured lines that contain a registered secret, with the secrets they contain. */
export function leakingLines(lines: readonly string[] = capturedLines) {
  const text = lines.join('');
  const suspects = secretsIn(text);
  if (suspects.length === 0) return [];
  return lines
    .map((line) => ({ line, secrets: secretsIn(line, suspects) }))
    .filter((entry) => entry.secrets.length > 0);
}

const reported = new Set<string>();

/**
 * Throws, naming the lines (secrets masked), when a captured line contains a secret. Each line
 * fails the file once, though the check runs when an app closes and again after the file.
 */
export function assertNoSecretsLogged(): void {
  const leaks = leakingLines().filter(({ line }) => !reported.has(line));
  if (leaks.length === 0) return;
  for (const { line } of leaks) reported.add(line);
  const describe = (secrets: Secret[]) =>
    secrets.map((s) => `${s.what} ${masked(s.value)}`).join(', ');
  throw new Error(
    `${leaks.length} log line(s) contain secrets (contract §3):\n` +
      leaks
        .slice(0, 10)
        .map(
          ({ line, secrets }) =>
            `  [${describe(secrets)}] ${maskSecrets(line).trimEnd().slice(0, 500)}`,
        )
        .join('\n'),
  );
}
