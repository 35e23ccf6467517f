import type { Type } from '@nestjs/common';
import type { RuntimeConfig } from './config/config.js';
import type { DatabaseTuning } from './database/data-source-options.js';

/** Where the API's routes are mounted, under the host's global prefix if it has one. */
export const DEFAULT_ROUTE_PREFIX = 'api/v3';

/** The options as given to `GrantsApiModule.forRoot` (or returned by forRootAsync's factory). */
export const GRANTS_API_OPTIONS = Symbol('GRANTS_API_OPTIONS');

/** What the API needs to know; everything but `secretKey` has a default. */
export interface GrantsApiOptions {
  /**
   * At least 32 characters. Derives the keys that protect API token keys (HMAC for lookup,
   * AES-256-GCM for read-back): every instance sharing the database must use the same one.
   */
  secretKey: string;
  /** Our own connection, when `dataSource` is not given: a postgres:// URL. */
  databaseUrl?: string;
  /** Pool size, timeouts and SQL logger of our own connection. */
  database?: DatabaseTuning;
  /** Apply our pending migrations when our own connection opens (default true). */
  migrateOnStart?: boolean;
  /** Rows per page when `page_size` is absent or invalid (20), and the largest page (100). */
  pagination?: Partial<RuntimeConfig['pagination']>;
  /** How user avatars are made: `initials`, `none`, `attributes.<path>`, comma-separated. */
  avatars?: string;
  /** The expired-grant cleanup: every 300 s (0: off), 1000 rows a batch, revoked kept 30 days. */
  cleanup?: Partial<RuntimeConfig['cleanup']>;
  /** Ensure user `akadmin` and its API token at start-up (see README, BOOTSTRAP_*). */
  bootstrap?: RuntimeConfig['bootstrap'];
}

/** Fixed where the module is imported, since they decide its imports (forRoot and forRootAsync). */
export interface GrantsApiExtras {
  /** Path of every route of the API, e.g. `api/v3` → `/api/v3/core/users/`; '' for none. */
  routePrefix: string;
  /**
   * `'default'`: the host's default TypeORM connection, whose entities and migrations include
   * GRANTS_API_ENTITIES and GRANTS_API_MIGRATIONS. Unset: our own connection on `databaseUrl`,
   * which then is the application's default connection (the host must not register another).
   */
  dataSource?: 'default';
  /** The feature modules to mount (default: all of them); `[]` leaves only authentication. */
  features?: Type<unknown>[];
}

/** The configuration the API's providers read (as `APP_CONFIG`): the options, defaults applied. */
export type GrantsApiConfig = GrantsApiOptions &
  Pick<RuntimeConfig, 'secretKey' | 'pagination' | 'avatars' | 'cleanup' | 'bootstrap'>;

const DEFAULTS = {
  pagination: { defaultPageSize: 20, maxPageSize: 100 },
  avatars: 'initials',
  cleanup: { intervalSeconds: 300, batchSize: 1000, revokedRetentionDays: 30 },
} as const;

const isCount = (value: unknown, min: number) =>
  typeof value === 'number' && Number.isInteger(value) && value >= min;

/**
 * The options with their defaults; other fields are kept as given (the standalone service passes
 * its whole RuntimeConfig, whose app-level parts its own modules read from APP_CONFIG too).
 * Throws on values that would break the API later, naming them.
 */
export function resolveGrantsApiConfig(options: GrantsApiOptions): GrantsApiConfig {
  const config: GrantsApiConfig = {
    ...options,
    pagination: { ...DEFAULTS.pagination, ...options.pagination },
    avatars: options.avatars ?? DEFAULTS.avatars,
    cleanup: { ...DEFAULTS.cleanup, ...options.cleanup },
    bootstrap: options.bootstrap ?? {},
  };
  const { pagination, cleanup } = config;
  const problems = [
    ...(typeof config.secretKey === 'string' && config.secretKey.length >= 32
      ? []
      : ['secretKey must be a string of at least 32 characters']),
    ...(isCount(pagination.defaultPageSize, 1) && isCount(pagination.maxPageSize, 1)
      ? []
      : ['pagination page sizes must be positive integers']),
    ...(pagination.defaultPageSize > pagination.maxPageSize
      ? ['pagination.defaultPageSize must not be larger than pagination.maxPageSize']
      : []),
    ...(isCount(cleanup.intervalSeconds, 0) &&
    isCount(cleanup.batchSize, 1) &&
    isCount(cleanup.revokedRetentionDays, 0)
      ? []
      : ['cleanup settings must be whole numbers (batchSize at least 1)']),
  ];
  if (problems.length > 0) throw new Error(`GrantsApiModule: ${problems.join('; ')}`);
  return config;
}
