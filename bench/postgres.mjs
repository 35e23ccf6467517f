/**
 * The PostgreSQL server of a run: DATABASE_URL's, or an embedded cluster in a temporary directory
 * (as the test harness does), with pg_stat_statements loaded so queries per request can be counted.
 */
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres } from '../dist/src/database/embedded-postgres.js';

/** `url` with its database name replaced. */
export function withDatabase(url, database) {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/** Runs `work` with a connected client of `url`, closing it afterwards. */
export async function withClient(url, work) {
  const client = new pg.Client({ connectionString: url, application_name: 'grants-bench' });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * { adminUrl, kind, stop() }. The embedded cluster starts twice: pg_stat_statements can only be
 * loaded at server start (shared_preload_libraries), and startEmbeddedPostgres takes no flags, so
 * the setting goes into postgresql.auto.conf and the cluster restarts with it.
 */
export async function openServer(log) {
  if (process.env.DATABASE_URL) {
    return { adminUrl: process.env.DATABASE_URL, kind: 'DATABASE_URL', stop: async () => {} };
  }
  const directory = await mkdtemp(path.join(tmpdir(), 'grants-api-bench-'));
  // As root the cluster runs as the `postgres` user, which must be able to enter the directory.
  await chmod(directory, 0o755);
  const options = { directory: path.join(directory, 'postgres'), database: 'postgres' };
  const removeDirectory = () => rm(directory, { recursive: true, force: true });
  let cluster;
  try {
    log(`starting an embedded PostgreSQL in ${directory}`);
    cluster = await startEmbeddedPostgres({ ...options, persistent: true });
    await withClient(cluster.url, async (client) => {
      await client.query(`ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'`);
      // Planning time too: unnamed statements are planned at every execution.
      await client.query('ALTER SYSTEM SET pg_stat_statements.track_planning = on');
    });
    await cluster.stop();
    cluster = await startEmbeddedPostgres({ ...options, persistent: true });
  } catch (error) {
    await cluster?.stop().catch(() => {});
    await removeDirectory();
    throw error;
  }
  const stop = async () => {
    await cluster.stop();
    await removeDirectory();
  };
  return { adminUrl: cluster.url, kind: 'embedded', stop };
}

/** A fresh, empty database `name` on the server (dropped first if a crashed run left it). */
export async function createDatabase(adminUrl, name) {
  await withClient(adminUrl, async (client) => {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await client.query(`CREATE DATABASE "${name}"`);
  });
  return withDatabase(adminUrl, name);
}

export async function dropDatabase(adminUrl, name) {
  await withClient(adminUrl, (client) =>
    client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
  );
}

/** "PostgreSQL 18.4" and the settings that shape the numbers. */
export async function describeServer(url) {
  return withClient(url, async (client) => {
    const { rows } = await client.query(
      `SELECT current_setting('server_version') AS version,
              current_setting('shared_buffers') AS shared_buffers,
              current_setting('max_parallel_workers_per_gather') AS parallel_workers,
              current_setting('jit') AS jit`,
    );
    return rows[0];
  });
}
