import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { DataSource, type Logger } from 'typeorm';
import { createApp } from '../../src/app.factory.js';
import type { RuntimeConfig } from '../../src/config/config.js';
import { createTestDatabase, type TestDatabase } from './database.js';
import { Fixtures } from './fixtures.js';

export const TEST_SECRET_KEY = 'test-secret-key-that-is-long-enough-0123456789';

export function testConfig(
  databaseUrl: string,
  overrides: Partial<RuntimeConfig> = {},
): RuntimeConfig {
  return {
    port: 0,
    host: '127.0.0.1',
    databaseUrl,
    dataDir: './.data',
    secretKey: TEST_SECRET_KEY,
    logLevel: (process.env.TEST_LOG_LEVEL as RuntimeConfig['logLevel'] | undefined) ?? 'silent',
    migrateOnStart: false,
    pagination: { defaultPageSize: 20, maxPageSize: 100 },
    avatars: 'initials',
    // The tests run the cleanup themselves; no timer in the background.
    cleanup: { intervalSeconds: 0, batchSize: 1000, revokedRetentionDays: 30 },
    bootstrap: {},
    ...overrides,
  };
}

/** Counts the SQL statements the app sends (TypeORM logger). */
export class QueryCounter implements Logger {
  count = 0;
  statements: string[] = [];
  reset() {
    this.count = 0;
    this.statements = [];
  }
  logQuery(query: string) {
    this.count++;
    this.statements.push(query);
  }
  logQueryError() {}
  logQuerySlow() {}
  logSchemaBuild() {}
  logMigration() {}
  log() {}
}

export interface TestApp {
  app: INestApplication;
  http: ReturnType<typeof request>;
  database: TestDatabase;
  fixtures: Fixtures;
  queries: QueryCounter;
  close(): Promise<void>;
}

/** The whole application on a fresh database of its own. */
export async function startTestApp(overrides: Partial<RuntimeConfig> = {}): Promise<TestApp> {
  const database = await createTestDatabase();
  const queries = new QueryCounter();
  const app = await createApp(testConfig(database.url, overrides), {
    logger: queries,
    poolSize: 4,
  });
  const fixtures = new Fixtures(app.get(DataSource), app);
  return {
    app,
    http: request(app.getHttpServer()),
    database,
    fixtures,
    queries,
    close: async () => {
      await app.close();
      await database.drop();
    },
  };
}
