import path from 'node:path';
import { DataSource } from 'typeorm';
import { ConfigError, type AppConfig } from '../config/config.js';
import { ensureSecretKey } from '../config/secret-key.js';
import { buildDataSourceOptions, type DatabaseTuning } from './data-source-options.js';
import { startEmbeddedPostgres, type EmbeddedDatabase } from './embedded-postgres.js';

export interface OpenedDatabase {
  url: string;
  /** The embedded cluster started for this process, or null when DATABASE_URL points elsewhere. */
  embedded: EmbeddedDatabase | null;
}

/** The server of DATABASE_URL, or an embedded PostgreSQL under DATA_DIR started now. */
export async function openDatabase(
  config: AppConfig,
  onLog?: (message: string) => void,
): Promise<OpenedDatabase> {
  if (config.databaseUrl) return { url: config.databaseUrl, embedded: null };
  const embedded = await startEmbeddedPostgres({
    directory: path.join(config.dataDir, 'postgres'),
    database: 'grants',
    onLog,
  });
  return { url: embedded.url, embedded };
}

/**
 * SECRET_KEY, or for the embedded set-up one generated into DATA_DIR on first start. With an
 * external database the key must be given: a generated one would not be shared by other instances.
 */
export async function resolveSecretKey(config: AppConfig): Promise<string> {
  if (config.secretKey) return config.secretKey;
  if (config.databaseUrl)
    throw new ConfigError(['SECRET_KEY is required when DATABASE_URL is set']);
  return ensureSecretKey(config.dataDir);
}

/** The service's pool: the configured timeouts (see README.md, DATABASE_*_TIMEOUT_MS). */
export function serviceDatabaseTuning(config: AppConfig): DatabaseTuning {
  return { ...config.database };
}

/**
 * Applies pending migrations on a short-lived connection of their own, without the service's
 * statement timeout: rewriting a large table may take longer than any request should.
 */
export async function migrate(url: string): Promise<void> {
  const dataSource = new DataSource(buildDataSourceOptions(url, { poolSize: 1 }));
  await dataSource.initialize();
  try {
    await dataSource.runMigrations();
  } finally {
    await dataSource.destroy();
  }
}
