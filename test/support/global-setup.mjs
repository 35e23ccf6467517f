// Runs outside jest's module system, so it uses the compiled sources (`npm test` builds first).
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from '../../dist/src/database/data-source-options.js';
import { startEmbeddedPostgres } from '../../dist/src/database/embedded-postgres.js';
import { ADMIN_URL_ENV, TEMPLATE_ENV, withDatabase } from './test-env.mjs';

/**
 * Once per test run: a server (DATABASE_URL, or an embedded PostgreSQL in a temporary directory)
 * and a template database with every migration applied. Each spec file clones the template.
 */
export default async function globalSetup() {
  let embedded = null;
  let adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) {
    const directory = await mkdtemp(path.join(tmpdir(), 'grants-api-test-'));
    // As root the cluster runs as the `postgres` user, which must be able to enter the directory.
    await chmod(directory, 0o755);
    embedded = await startEmbeddedPostgres({
      directory: path.join(directory, 'postgres'),
      database: 'postgres',
      persistent: false,
    });
    adminUrl = embedded.url;
  }
  const template = `grants_tpl_${process.pid}_${randomBytes(3).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${template}"`);
  await admin.end();

  const dataSource = new DataSource(buildDataSourceOptions(withDatabase(adminUrl, template)));
  await dataSource.initialize();
  await dataSource.runMigrations();
  await dataSource.destroy();

  process.env[ADMIN_URL_ENV] = adminUrl;
  process.env[TEMPLATE_ENV] = template;
  globalThis.grantsTestDatabase = { embedded, adminUrl, template };
}
