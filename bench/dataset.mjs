/**
 * One dataset: a migrated database seeded by the project's seed generator, vacuumed and analysed,
 * with an API token for a superuser and one for a plain user, and the ids the scenarios use.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { DataSource } from 'typeorm';
import { SecretBox } from '../dist/src/common/crypto/secret-box.js';
import { buildDataSourceOptions } from '../dist/src/database/data-source-options.js';
import { seedDatabase } from '../dist/src/seed/generate.js';
import { createDatabase, withClient } from './postgres.mjs';

/** 10000 → "10k", 1000000 → "1m": names databases and labels tables. */
export function sizeLabel(size) {
  if (size % 1_000_000 === 0) return `${size / 1_000_000}m`;
  if (size % 1_000 === 0) return `${size / 1_000}k`;
  return String(size);
}

/** The scratch database of the dataset of `size` codes. */
export const datasetName = (size) => `grants_bench_${sizeLabel(size)}`;

/** Creates, migrates, seeds and prepares the dataset of `size` codes; returns its description. */
export async function prepareDataset(adminUrl, size, settings, secretKey, log) {
  const name = datasetName(size);
  const url = await createDatabase(adminUrl, name);
  const started = performance.now();
  const summary = await migrateAndSeed(url, seedOptions(size, settings), log);
  const seedSeconds = (performance.now() - started) / 1000;
  return withClient(url, async (client) => {
    log(`VACUUM ANALYZE`);
    await client.query('VACUUM ANALYZE');
    const statements = await enableStatementStats(client, name);
    const tokens = await createTokens(client, new SecretBox({ secretKey }));
    const parameters = await pickParameters(client, tokens.plainUserId);
    const sizes = await tableSizes(client);
    return { name, url, size, seedSeconds, summary, statements, tokens, parameters, sizes };
  });
}

function seedOptions(size, settings) {
  return {
    users: settings.users,
    groups: settings.groups,
    providers: settings.providers,
    codes: size,
    accessTokens: 0,
    refreshTokens: Math.round(size * settings.refreshRatio),
    expiredRatio: 0.2,
    seed: settings.seed,
  };
}

async function migrateAndSeed(url, options, log) {
  const dataSource = new DataSource(buildDataSourceOptions(url, { poolSize: 2 }));
  await dataSource.initialize();
  try {
    await dataSource.runMigrations();
    log(
      `seeding ${options.codes} codes, ${options.refreshTokens} refresh tokens, ` +
        `${options.users} users, ${options.providers} providers`,
    );
    return await seedDatabase(dataSource, options, progressLogger(log));
  } finally {
    await dataSource.destroy();
  }
}

/** Logs seeding progress every tenth. */
function progressLogger(log) {
  let reported = 0;
  return (done, total) => {
    const tenth = total === 0 ? 10 : Math.floor((done / total) * 10);
    if (tenth > reported) {
      reported = tenth;
      log(`  seeded ${done}/${total} rows`);
    }
  };
}

/**
 * pg_stat_statements counts the statements each request runs. Its view lives in the database that
 * created the extension, so the extension goes into the scratch database (dropped afterwards).
 * False when the server did not preload the library (possible with DATABASE_URL).
 */
async function enableStatementStats(client, database) {
  try {
    await client.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    await client.query('SELECT pg_stat_statements_reset()');
  } catch {
    return false;
  }
  // Planning time as well, for the servers' connections (set for the embedded server already;
  // elsewhere it needs a superuser, and without it planning time reads as zero).
  await client
    .query(`ALTER DATABASE "${database}" SET pg_stat_statements.track_planning = on`)
    .catch(() => {});
  return true;
}

/**
 * Active superusers are members of a superuser group or of one of its descendants; the plain user is
 * the active non-superuser with the most codes (no roles are seeded, so they see only their own).
 */
const SUPERUSER_IDS = `WITH RECURSIVE superuser_groups AS (
    SELECT id FROM groups WHERE is_superuser
    UNION
    SELECT child.id FROM groups child JOIN superuser_groups s ON child.parent_id = s.id
  ) SELECT ug.user_id FROM user_groups ug WHERE ug.group_id IN (SELECT id FROM superuser_groups)`;

async function createTokens(client, secretBox) {
  const superuser = await client.query(
    `SELECT u.id FROM users u WHERE u.is_active AND u.id IN (${SUPERUSER_IDS}) ORDER BY u.id LIMIT 1`,
  );
  const plain = await client.query(
    `SELECT c.user_id AS id FROM authorization_codes c JOIN users u ON u.id = c.user_id
     WHERE u.is_active AND c.user_id NOT IN (${SUPERUSER_IDS})
     GROUP BY c.user_id ORDER BY count(*) DESC, c.user_id LIMIT 1`,
  );
  if (!superuser.rows[0] || !plain.rows[0])
    throw new Error('the seeded data has no active superuser or no active plain user with codes');
  const superuserId = superuser.rows[0].id;
  const plainUserId = plain.rows[0].id;
  return {
    superuserId,
    plainUserId,
    superuserKey: await insertToken(client, secretBox, superuserId, 'bench-superuser'),
    plainKey: await insertToken(client, secretBox, plainUserId, 'bench-plain-user'),
  };
}

/** An API token row as the service stores it (HMAC digest for lookup, sealed key); its key. */
async function insertToken(client, secretBox, userId, identifier) {
  const key = randomBytes(32).toString('base64url');
  await client.query(
    `INSERT INTO tokens (identifier, intent, user_id, expiring, description, key_digest, key_ciphertext)
     VALUES ($1, 'api', $2, false, 'benchmark', $3, $4)`,
    [identifier, userId, secretBox.digest(key), secretBox.encrypt(key)],
  );
  return key;
}

/**
 * The rows the scenarios name: the busiest user and provider (the largest filtered lists), a
 * username fragment of the plain user for `search`, and the median code for retrieve.
 */
async function pickParameters(client, plainUserId) {
  const busiest = (column) =>
    client
      .query(
        `SELECT ${column} AS id FROM authorization_codes GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1`,
      )
      .then(({ rows }) => rows[0].id);
  const { rows: users } = await client.query('SELECT username FROM users WHERE id = $1', [
    plainUserId,
  ]);
  const { rows: codes } = await client.query(
    `SELECT id FROM authorization_codes ORDER BY id
     OFFSET (SELECT count(*) / 2 FROM authorization_codes) LIMIT 1`,
  );
  return {
    userId: await busiest('user_id'),
    providerId: await busiest('provider_id'),
    searchFragment: users[0].username.slice(0, 5),
    codeId: codes[0].id,
  };
}

async function tableSizes(client) {
  const { rows } = await client.query(
    `SELECT relname AS table, pg_total_relation_size(oid) AS bytes, reltuples::bigint AS rows
     FROM pg_class WHERE relname IN ('authorization_codes', 'refresh_tokens', 'users')
     ORDER BY relname`,
  );
  return rows.map((row) => ({ ...row, bytes: Number(row.bytes), rows: Number(row.rows) }));
}
