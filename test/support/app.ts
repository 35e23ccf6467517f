import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { DataSource, type Logger } from 'typeorm';
import { createApp } from '../../src/app.factory.js';
import { SecretBox } from '../../src/common/crypto/secret-box.js';
import type { RuntimeConfig } from '../../src/config/config.js';
import { createTestDatabase, type TestDatabase } from './database.js';
import { Fixtures } from './fixtures.js';
import { assertNoSecretsLogged, testLogLevel, trackDatabase } from './log-capture.js';
import { registerSecret } from './secret-registry.js';

export const TEST_SECRET_KEY = 'test-secret-key-that-is-long-enough-0123456789';

export function testHttpAdapter(): RuntimeConfig['httpAdapter'] {
  // The service's default (Fastify) unless TEST_HTTP_ADAPTER says otherwise.
  const name = process.env.TEST_HTTP_ADAPTER || 'fastify';
  if (name !== 'express' && name !== 'fastify') {
    throw new Error(`TEST_HTTP_ADAPTER must be express or fastify, not ${name}`);
  }
  return name;
}

export function testConfig(
  databaseUrl: string,
  overrides: Partial<RuntimeConfig> = {},
): RuntimeConfig {
  const config: RuntimeConfig = {
    port: 0,
    host: '127.0.0.1',
    // TEST_HTTP_ADAPTER=express runs the whole suite on the Express adapter.
    httpAdapter: testHttpAdapter(),
    http: { bodyLimitBytes: 1024 * 1024, requestTimeoutMs: 30_000, corsOrigins: [] },
    databaseUrl,
    dataDir: './.data',
    secretKey: TEST_SECRET_KEY,
    logLevel: testLogLevel(),
    migrateOnStart: false,
    pagination: { defaultPageSize: 20, maxPageSize: 100 },
    avatars: 'initials',
    // The tests run the cleanup themselves; no timer in the background.
    cleanup: { intervalSeconds: 0, batchSize: 1000, revokedRetentionDays: 30 },
    bootstrap: {},
    // Specs send thousands of requests with one token: no rate limits unless a spec asks for them.
    rateLimit: { perToken: 0, perAnonymousAddress: 0, windowMs: 60_000, redisKeyPrefix: 'test:' },
    trustProxy: false,
    ...overrides,
  };
  registerSecret('SECRET_KEY', config.secretKey);
  registerSecret('BOOTSTRAP_TOKEN', config.bootstrap.token);
  registerSecret('BOOTSTRAP_PASSWORD', config.bootstrap.password);
  return config;
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
  const untrack = trackDatabase(database.dataSource, app.get(SecretBox));
  return {
    app,
    http: request(app.getHttpServer()),
    database,
    fixtures,
    queries,
    close: async () => {
      await untrack();
      try {
        await app.close();
        assertNoSecretsLogged();
      } finally {
        await database.drop();
      }
    },
  };
}
