import type { DataSourceOptions } from 'typeorm';
import { ENTITIES } from './entities.js';
import { MIGRATIONS } from './migrations/index.js';

export interface DatabaseTuning {
  /** Connections in the pool. */
  poolSize?: number;
  /** Log every SQL statement (tests that count queries turn this on through a logger). */
  logging?: DataSourceOptions['logging'];
}

/**
 * The one description of the database connection, shared by the service, the TypeORM CLI
 * (`ormconfig.ts`), the seed generator and the test harness.
 */
export function buildDataSourceOptions(
  url: string,
  tuning: DatabaseTuning = {},
): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'typeorm_migrations',
    migrationsTransactionMode: 'each',
    // gen_random_uuid() is built into PostgreSQL 13+: no extension to install.
    uuidExtension: 'pgcrypto',
    installExtensions: false,
    synchronize: false,
    migrationsRun: false,
    logging: tuning.logging ?? false,
    applicationName: 'grants-api',
    extra: {
      max: tuning.poolSize ?? 10,
      connectionTimeoutMillis: 5_000,
    },
  };
}
