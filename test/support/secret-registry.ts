/**
 * Every secret value the tests create or find in a test database: API token keys, OAuth2 client
 * secrets, grant values and their digests, nonces, password hashes, the SECRET_KEY. Log lines and
 * answers to callers not entitled to them are scanned for these values (contract §3).
 */
import type { DataSource } from 'typeorm';
import type { SecretBox } from '../../src/common/crypto/secret-box.js';

export interface Secret {
  /** What the value is, for the failure message: `API token key`, `client secret`, ... */
  what: string;
  value: string;
}

/** Shorter values (e.g. a test's `clientSecret: 'x'`) would match unrelated text. */
export const MIN_SECRET_LENGTH = 8;

const registry = new Map<string, string>();

export function registerSecret(what: string, value: string | null | undefined): void {
  if (typeof value === 'string' && value.length >= MIN_SECRET_LENGTH && !registry.has(value)) {
    registry.set(value, what);
  }
}

/** A stored digest in the forms it could leak in: hex, base64 and PostgreSQL's bytea text. */
export function registerDigest(what: string, digest: Buffer): void {
  registerSecret(what, digest.toString('hex'));
  registerSecret(what, digest.toString('base64'));
}

export function registeredSecrets(): Secret[] {
  return [...registry].map(([value, what]) => ({ what, value }));
}

/** The secrets (of `among`, default all registered) that `text` contains, raw or JSON-escaped. */
export function secretsIn(text: string, among: Secret[] = registeredSecrets()): Secret[] {
  return among.filter(
    ({ value }) => text.includes(value) || text.includes(JSON.stringify(value).slice(1, -1)),
  );
}

/** A secret in a failure message: enough to recognise it, not enough to use it. */
export const masked = (value: string) => `${value.slice(0, 4)}…(${value.length} chars)`;

/** Replaces every registered secret in `text` by its masked form. */
export function maskSecrets(text: string): string {
  let result = text;
  for (const { value } of secretsIn(text)) result = result.split(value).join(masked(value));
  return result;
}

async function rows<T>(db: DataSource, sql: string): Promise<T[]> {
  try {
    return await db.query(sql);
  } catch {
    // A spec may have reverted migrations or dropped a table: nothing to collect there.
    return [];
  }
}

/** Registers the secrets stored in a test database (rows the API created included). */
export async function harvestSecrets(db: DataSource, box: SecretBox): Promise<void> {
  if (!db.isInitialized) return;
  for (const row of await rows<{ client_secret: string }>(
    db,
    'SELECT client_secret FROM oauth2_providers',
  )) {
    registerSecret('OAuth2 client secret', row.client_secret);
  }
  for (const row of await rows<{ key_ciphertext: Buffer; key_digest: Buffer }>(
    db,
    'SELECT key_ciphertext, key_digest FROM tokens',
  )) {
    registerDigest('API token key digest', row.key_digest);
    try {
      registerSecret('API token key', box.decrypt(row.key_ciphertext));
    } catch {
      // Sealed under another SECRET_KEY (a start-up test): the digest is still registered.
    }
  }
  for (const [table, digest] of [
    ['authorization_codes', 'code_digest'],
    ['access_tokens', 'token_digest'],
    ['refresh_tokens', 'token_digest'],
  ] as const) {
    const challenge = table === 'authorization_codes' ? 'code_challenge' : 'NULL';
    for (const row of await rows<{
      digest: Buffer;
      nonce: string | null;
      session_id: string | null;
      challenge: string | null;
    }>(
      db,
      `SELECT ${digest} AS digest, nonce, session_id, ${challenge} AS challenge FROM ${table}`,
    )) {
      registerDigest(`${table} digest`, row.digest);
      registerSecret(`${table} nonce`, row.nonce);
      registerSecret(`${table} session id`, row.session_id);
      registerSecret(`${table} code challenge`, row.challenge);
    }
  }
  for (const row of await rows<{ password_hash: string | null }>(
    db,
    'SELECT password_hash FROM users',
  )) {
    registerSecret('password hash', row.password_hash);
  }
}
