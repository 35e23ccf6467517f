import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError } from './config.js';

const MIN_LENGTH = 32;

async function readKey(file: string): Promise<string | undefined> {
  try {
    const key = (await readFile(file, 'utf8')).trim();
    if (key.length < MIN_LENGTH) {
      throw new ConfigError([
        `${file} holds no usable secret key (fewer than ${MIN_LENGTH} characters); restore it or set SECRET_KEY`,
      ]);
    }
    return key;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * Reads the secret key kept in the data directory, generating it on first use. The key is written
 * to a temporary file and renamed into place, so a crash never leaves a partial key behind.
 */
export async function ensureSecretKey(dataDir: string): Promise<string> {
  const file = path.resolve(dataDir, 'secret_key');
  const existing = await readKey(file);
  if (existing) return existing;
  await mkdir(path.dirname(file), { recursive: true });
  const key = randomBytes(48).toString('base64url');
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, `${key}\n`, { mode: 0o600 });
  await rename(temporary, file);
  return key;
}
