import type { DataSourceOptions, Logger } from 'typeorm';
import { ENTITIES } from './entities.js';
import { MIGRATIONS } from './migrations/index.js';

export interface DatabaseTuning {
  /** Connections in the pool. */
  poolSize?: number;
  /** Receives every SQL statement (tests count queries with it). */
  logger?: Logger;
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
    logging: tuning.logger ? ['query'] : false,
    logger: tuning.logger,
    applicationName: 'grants-api',
    extra: {
      max: tuning.poolSize ?? 10,
      connectionTimeoutMillis: 5_000,
    },
  };
}
