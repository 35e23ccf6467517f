import type { DataSourceOptions, Logger } from 'typeorm';
import { AbandoningClient } from './abandoning-client.js';
import { ENTITIES } from './entities.js';
import { MIGRATIONS } from './migrations/index.js';

export interface DatabaseTuning {
  /** Connections in the pool. */
  poolSize?: number;
  /** Receives every SQL statement (tests count queries with it). */
  logger?: Logger;
  /** Longest wait for a connection: opening one, or a free one of a busy pool. Default 5 s. */
  connectTimeoutMs?: number;
  /**
   * The server cancels a statement running longer than this; 0 (the default) never does, which
   * suits migrations, seeding and the CLI. The client gives up on the connection when even the
   * cancellation does not arrive within STATEMENT_GRACE_MS more (the server stopped answering).
   */
  statementTimeoutMs?: number;
}

/** How much longer than the statement timeout the client waits before it drops the connection. */
export const STATEMENT_GRACE_MS = 500;

/** Idle pooled connections probe their server after this long, so a vanished host is noticed. */
const KEEPALIVE_DELAY_MS = 10_000;
/**
 * An idle connection is closed after this long (pg's default: 10 s). Opening one costs a backend
 * process and a SCRAM exchange, and on a busy machine can take longer than the connect timeout:
 * a steady, moderate load should not keep closing and reopening them.
 */
const IDLE_TIMEOUT_MS = 60_000;

/**
 * The one description of the database connection, shared by the service, the TypeORM CLI
 * (`ormconfig.ts`), the seed generator and the test harness.
 */
export function buildDataSourceOptions(
  url: string,
  tuning: DatabaseTuning = {},
): DataSourceOptions {
  const statementTimeout = tuning.statementTimeoutMs ?? 0;
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
    // pg.Pool options.
    extra: {
      max: tuning.poolSize ?? 10,
      connectionTimeoutMillis: tuning.connectTimeoutMs ?? 5_000,
      idleTimeoutMillis: IDLE_TIMEOUT_MS,
      keepAlive: true,
      keepAliveInitialDelayMillis: KEEPALIVE_DELAY_MS,
      ...(statementTimeout > 0 && {
        statement_timeout: statementTimeout,
        query_timeout: statementTimeout + STATEMENT_GRACE_MS,
        Client: AbandoningClient,
      }),
    },
  };
}
