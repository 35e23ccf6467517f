import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from '../../src/database/data-source-options.js';
import { ADMIN_URL_ENV, TEMPLATE_ENV, withDatabase } from './test-env.mjs';

export interface TestDatabase {
  url: string;
  /** An initialised data source on the database, for fixtures and assertions. */
  dataSource: DataSource;
  drop(): Promise<void>;
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the tests through jest (global setup)`);
  return value;
}

async function withAdmin<T>(run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: required(ADMIN_URL_ENV) });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

/** A fresh database cloned from the migrated template; `drop()` removes it. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const template = required(TEMPLATE_ENV);
  const name = `${template}_${randomBytes(4).toString('hex')}`;
  await withAdmin(async (client) => {
    // Cloning needs the template to itself be free of sessions; another file may be cloning it.
    for (let attempt = 0; ; attempt++) {
      try {
        await client.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`);
        return;
      } catch (error) {
        if (attempt >= 20 || !/being accessed by other users/.test(String(error))) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  });
  const url = withDatabase(required(ADMIN_URL_ENV), name);
  const dataSource = new DataSource(buildDataSourceOptions(url, { poolSize: 2 }));
  await dataSource.initialize();
  return {
    url,
    dataSource,
    drop: async () => {
      if (dataSource.isInitialized) await dataSource.destroy();
      await withAdmin((client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    },
  };
}
