import { plainToInstance, Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MinLength,
  Min,
  validateSync,
} from 'class-validator';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const toInt = ({ value }: { value: unknown }) =>
  typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;
const toBool = ({ value }: { value: unknown }) => {
  if (typeof value !== 'string') return value;
  const v = value.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(v)) return true;
  if (['false', '0', 'no', 'off'].includes(v)) return false;
  return value;
};
const emptyToUndefined = ({ value }: { value: unknown }) => (value === '' ? undefined : value);

const PORT_MESSAGE = 'PORT must be an integer from 0 to 65535';

/** The environment as the service reads it; every variable is documented in README.md. */
class Environment {
  @Transform(toInt)
  @IsInt({ message: PORT_MESSAGE })
  @Min(0, { message: PORT_MESSAGE })
  @Max(65535, { message: PORT_MESSAGE })
  PORT = 9000;

  @IsString()
  @MinLength(1)
  HOST = '127.0.0.1';

  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^postgres(ql)?:\/\/\S+$/, {
    message: 'DATABASE_URL must be a postgres:// or postgresql:// connection URL',
  })
  DATABASE_URL?: string;

  @IsString()
  @MinLength(1)
  DATA_DIR = './.data';

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'SECRET_KEY must be at least 32 characters long' })
  SECRET_KEY?: string;

  @IsIn(LOG_LEVELS, { message: `LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}` })
  LOG_LEVEL: LogLevel = 'info';

  @Transform(toBool)
  @IsBoolean({ message: 'MIGRATE_ON_START must be true or false' })
  MIGRATE_ON_START = true;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  PAGINATION_DEFAULT_PAGE_SIZE = 20;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(10000)
  PAGINATION_MAX_PAGE_SIZE = 100;

  @Transform(toInt)
  @IsInt({
    message: 'GRANT_CLEANUP_INTERVAL_SECONDS must be a whole number of seconds (0 turns it off)',
  })
  @Min(0, {
    message: 'GRANT_CLEANUP_INTERVAL_SECONDS must be a whole number of seconds (0 turns it off)',
  })
  GRANT_CLEANUP_INTERVAL_SECONDS = 300;

  @Transform(toInt)
  @IsInt({ message: 'GRANT_CLEANUP_BATCH_SIZE must be an integer from 1 to 100000' })
  @Min(1, { message: 'GRANT_CLEANUP_BATCH_SIZE must be an integer from 1 to 100000' })
  @Max(100_000, { message: 'GRANT_CLEANUP_BATCH_SIZE must be an integer from 1 to 100000' })
  GRANT_CLEANUP_BATCH_SIZE = 1000;

  @Transform(toInt)
  @IsInt({ message: 'REVOKED_TOKEN_RETENTION_DAYS must be a whole number of days' })
  @Min(0, { message: 'REVOKED_TOKEN_RETENTION_DAYS must be a whole number of days' })
  REVOKED_TOKEN_RETENTION_DAYS = 30;

  @Matches(/^(initials|none|attributes\.[\w.-]+)(,(initials|none|attributes\.[\w.-]+))*$/, {
    message: 'AVATARS must be a comma-separated list of initials, none and attributes.<path>',
  })
  AVATARS = 'initials';

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  @MinLength(8, { message: 'BOOTSTRAP_TOKEN must be at least 8 characters long' })
  BOOTSTRAP_TOKEN?: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  @MinLength(8, { message: 'BOOTSTRAP_PASSWORD must be at least 8 characters long' })
  BOOTSTRAP_PASSWORD?: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^[^\s@]+@[^\s@]+$/, { message: 'BOOTSTRAP_EMAIL must be an e-mail address' })
  BOOTSTRAP_EMAIL?: string;
}

export interface AppConfig {
  port: number;
  host: string;
  /** Unset: the service runs an embedded PostgreSQL under `dataDir`. */
  databaseUrl?: string;
  dataDir: string;
  /** Unset only before the embedded start generated (or read) one under `dataDir`. */
  secretKey?: string;
  logLevel: LogLevel;
  migrateOnStart: boolean;
  pagination: { defaultPageSize: number; maxPageSize: number };
  avatars: string;
  cleanup: {
    /** 0: the expired-grant cleanup does not run in this process. */
    intervalSeconds: number;
    batchSize: number;
    /** How long revoked refresh tokens are kept (replay detection, audit). */
    revokedRetentionDays: number;
  };
  bootstrap: { token?: string; password?: string; email?: string };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

const ENV_KEYS = [
  'PORT',
  'HOST',
  'DATABASE_URL',
  'DATA_DIR',
  'SECRET_KEY',
  'LOG_LEVEL',
  'MIGRATE_ON_START',
  'PAGINATION_DEFAULT_PAGE_SIZE',
  'PAGINATION_MAX_PAGE_SIZE',
  'AVATARS',
  'GRANT_CLEANUP_INTERVAL_SECONDS',
  'GRANT_CLEANUP_BATCH_SIZE',
  'REVOKED_TOKEN_RETENTION_DAYS',
  'BOOTSTRAP_TOKEN',
  'BOOTSTRAP_PASSWORD',
  'BOOTSTRAP_EMAIL',
] as const;

/** Validates the environment and returns the typed configuration, or throws a ConfigError. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const relevant = Object.fromEntries(
    ENV_KEYS.filter((key) => env[key] !== undefined).map((key) => [key, env[key]]),
  );
  const parsed = plainToInstance(Environment, relevant);
  const errors = validateSync(parsed, { forbidUnknownValues: false });
  if (errors.length > 0) {
    const messages = errors.flatMap((error) => Object.values(error.constraints ?? {}));
    throw new ConfigError([...new Set(messages)]);
  }
  if (parsed.PAGINATION_DEFAULT_PAGE_SIZE > parsed.PAGINATION_MAX_PAGE_SIZE) {
    throw new ConfigError([
      'PAGINATION_DEFAULT_PAGE_SIZE must not be larger than PAGINATION_MAX_PAGE_SIZE',
    ]);
  }
  return {
    port: parsed.PORT,
    host: parsed.HOST,
    databaseUrl: parsed.DATABASE_URL,
    dataDir: parsed.DATA_DIR,
    secretKey: parsed.SECRET_KEY,
    logLevel: parsed.LOG_LEVEL,
    migrateOnStart: parsed.MIGRATE_ON_START,
    pagination: {
      defaultPageSize: parsed.PAGINATION_DEFAULT_PAGE_SIZE,
      maxPageSize: parsed.PAGINATION_MAX_PAGE_SIZE,
    },
    avatars: parsed.AVATARS,
    cleanup: {
      intervalSeconds: parsed.GRANT_CLEANUP_INTERVAL_SECONDS,
      batchSize: parsed.GRANT_CLEANUP_BATCH_SIZE,
      revokedRetentionDays: parsed.REVOKED_TOKEN_RETENTION_DAYS,
    },
    bootstrap: {
      token: parsed.BOOTSTRAP_TOKEN,
      password: parsed.BOOTSTRAP_PASSWORD,
      email: parsed.BOOTSTRAP_EMAIL,
    },
  };
}

/** The configuration once the database and the secret key are settled (see src/database). */
export interface RuntimeConfig extends AppConfig {
  databaseUrl: string;
  secretKey: string;
}
