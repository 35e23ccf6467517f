import { plainToInstance, Transform } from 'class-transformer';
import proxyaddr from 'proxy-addr';
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
  ValidateBy,
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
const BODY_LIMIT_MESSAGE = 'BODY_LIMIT_BYTES must be an integer from 1024 to 104857600';
const REQUEST_TIMEOUT_MESSAGE = 'REQUEST_TIMEOUT_MS must be an integer from 100 to 600000';
const CORS_ORIGINS_MESSAGE =
  'CORS_ORIGINS must be empty (CORS off), * (any origin), or a comma-separated list of ' +
  'origins such as https://admin.example.com (scheme, host and optional port; no path)';

export const HTTP_ADAPTERS = ['express', 'fastify'] as const;
export type HttpAdapterName = (typeof HTTP_ADAPTERS)[number];
const RATE_LIMIT_MESSAGE = (name: string) =>
  `${name} must be a whole number of requests from 0 (no limit) to 1000000`;
const TRUST_PROXY_MESSAGE =
  'TRUST_PROXY must be false, the number of proxies in front of the service, or a ' +
  'comma-separated list of proxy addresses or subnets (loopback, linklocal, uniquelocal, CIDR)';

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

  @IsIn(HTTP_ADAPTERS, { message: `HTTP_ADAPTER must be one of ${HTTP_ADAPTERS.join(', ')}` })
  HTTP_ADAPTER: HttpAdapterName = 'fastify';

  @Transform(toInt)
  @IsInt({ message: BODY_LIMIT_MESSAGE })
  @Min(1024, { message: BODY_LIMIT_MESSAGE })
  @Max(100 * 1024 * 1024, { message: BODY_LIMIT_MESSAGE })
  BODY_LIMIT_BYTES = 1024 * 1024;

  @Transform(toInt)
  @IsInt({ message: REQUEST_TIMEOUT_MESSAGE })
  @Min(100, { message: REQUEST_TIMEOUT_MESSAGE })
  @Max(600_000, { message: REQUEST_TIMEOUT_MESSAGE })
  REQUEST_TIMEOUT_MS = 30_000;

  @ValidateBy(
    {
      name: 'corsOrigins',
      validator: { validate: (value) => parseCorsOrigins(value) !== undefined },
    },
    { message: CORS_ORIGINS_MESSAGE },
  )
  CORS_ORIGINS = '';

  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^postgres(ql)?:\/\/\S+$/, {
    message: 'DATABASE_URL must be a postgres:// or postgresql:// connection URL',
  })
  DATABASE_URL?: string;

  @Transform(toInt)
  @IsInt({ message: 'DATABASE_CONNECT_TIMEOUT_MS must be an integer from 100 to 60000' })
  @Min(100, { message: 'DATABASE_CONNECT_TIMEOUT_MS must be an integer from 100 to 60000' })
  @Max(60_000, { message: 'DATABASE_CONNECT_TIMEOUT_MS must be an integer from 100 to 60000' })
  DATABASE_CONNECT_TIMEOUT_MS = 2000;

  @Transform(toInt)
  @IsInt({ message: 'DATABASE_STATEMENT_TIMEOUT_MS must be an integer from 0 (off) to 3600000' })
  @Min(0, { message: 'DATABASE_STATEMENT_TIMEOUT_MS must be an integer from 0 (off) to 3600000' })
  @Max(3_600_000, {
    message: 'DATABASE_STATEMENT_TIMEOUT_MS must be an integer from 0 (off) to 3600000',
  })
  DATABASE_STATEMENT_TIMEOUT_MS = 5000;

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

  @Transform(toInt)
  @IsInt({ message: RATE_LIMIT_MESSAGE('RATE_LIMIT_PER_MINUTE') })
  @Min(0, { message: RATE_LIMIT_MESSAGE('RATE_LIMIT_PER_MINUTE') })
  @Max(1_000_000, { message: RATE_LIMIT_MESSAGE('RATE_LIMIT_PER_MINUTE') })
  RATE_LIMIT_PER_MINUTE = 600;

  @Transform(toInt)
  @IsInt({ message: RATE_LIMIT_MESSAGE('RATE_LIMIT_ANONYMOUS_PER_MINUTE') })
  @Min(0, { message: RATE_LIMIT_MESSAGE('RATE_LIMIT_ANONYMOUS_PER_MINUTE') })
  @Max(1_000_000, { message: RATE_LIMIT_MESSAGE('RATE_LIMIT_ANONYMOUS_PER_MINUTE') })
  RATE_LIMIT_ANONYMOUS_PER_MINUTE = 60;

  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^rediss?:\/\/\S+$/, { message: 'REDIS_URL must be a redis:// or rediss:// URL' })
  REDIS_URL?: string;

  @Matches(/^[\w:.-]{1,100}$/, {
    message: 'RATE_LIMIT_REDIS_PREFIX must be 1 to 100 letters, digits, or the characters _ : . -',
  })
  RATE_LIMIT_REDIS_PREFIX = 'grants-api:ratelimit:';

  @ValidateBy(
    {
      name: 'trustProxy',
      validator: { validate: (value) => parseTrustProxy(value) !== undefined },
    },
    { message: TRUST_PROXY_MESSAGE },
  )
  TRUST_PROXY = 'false';

  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^https?:\/\/[^\s/?#]+\/?$/i, {
    message:
      'PUBLIC_URL must be the origin clients reach the service at, such as https://sso.example.com',
  })
  PUBLIC_URL?: string;
}

/**
 * Which peers may set X-Forwarded-For, with Express's `trust proxy` meaning (proxy-addr):
 * false, a hop count, or addresses/subnets. `true` (trust every hop) is refused: any client could
 * then choose its own address, and the per-IP rate limit would mean nothing.
 */
function parseTrustProxy(value: unknown): TrustProxy | undefined {
  if (typeof value !== 'string') return undefined;
  const text = value.trim().toLowerCase();
  if (['', 'false', '0', 'no', 'off'].includes(text)) return false;
  if (/^\d+$/.test(text)) return Number(text) <= 100 ? Number(text) : undefined;
  const entries = text.split(',').map((entry) => entry.trim());
  try {
    proxyaddr.compile(entries);
  } catch {
    return undefined;
  }
  return entries;
}

/**
 * Origins allowed to call the API from a browser: exact origins as the browser sends them in
 * `Origin`, or `*` on its own. Empty: CORS off.
 */
function parseCorsOrigins(value: unknown): string[] | undefined {
  if (typeof value !== 'string') return undefined;
  const entries = value
    .split(',')
    .map((entry) => entry.trim().toLowerCase())
    .filter((entry) => entry !== '');
  if (entries.includes('*')) return entries.length === 1 ? ['*'] : undefined;
  const origin = /^https?:\/\/[a-z0-9.-]+(:\d{1,5})?$|^https?:\/\/\[[0-9a-f:.]+\](:\d{1,5})?$/;
  return entries.every((entry) => origin.test(entry)) ? entries : undefined;
}

export interface AppConfig {
  port: number;
  host: string;
  /** The HTTP server under Nest; both behave the same (see src/common/http). */
  httpAdapter: HttpAdapterName;
  http: {
    /** Largest accepted request body (JSON or form); larger ones are answered 413. */
    bodyLimitBytes: number;
    /** A request not answered by then is answered 503 (408 while its body is still arriving). */
    requestTimeoutMs: number;
    /** Browser origins allowed by CORS: `['*']`, exact origins, or none (CORS off). */
    corsOrigins: string[];
  };
  /** Unset: the service runs an embedded PostgreSQL under `dataDir`. */
  databaseUrl?: string;
  /** Unset (hand-built configs): the data source's defaults, no statement timeout. */
  database?: { connectTimeoutMs: number; statementTimeoutMs: number };
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
  /** Shared state of several instances (the rate limits); unset: each process keeps its own. */
  redisUrl?: string;
  rateLimit: {
    /** Requests per window for each API token; 0: no limit. */
    perToken: number;
    /** Requests per window for each client address without a valid API token; 0: no limit. */
    perAnonymousAddress: number;
    /** 60 000 from the environment (the limits are per minute); tests shorten it. */
    windowMs: number;
    /** Prepended to every Redis key, so that services or test runs sharing a Redis never meet. */
    redisKeyPrefix: string;
  };
  /** Who may set X-Forwarded-For: false, a hop count, or proxy addresses/subnets (proxy-addr). */
  trustProxy: TrustProxy;
  /**
   * Where clients reach the service (`https://sso.example.com`): the OAuth2 issuers and endpoint
   * URLs are built on it. Unset: on each request's own origin.
   */
  publicUrl?: string;
}

export type TrustProxy = false | number | string[];

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

const ENV_KEYS = [
  'PORT',
  'HOST',
  'HTTP_ADAPTER',
  'BODY_LIMIT_BYTES',
  'REQUEST_TIMEOUT_MS',
  'CORS_ORIGINS',
  'DATABASE_URL',
  'DATABASE_CONNECT_TIMEOUT_MS',
  'DATABASE_STATEMENT_TIMEOUT_MS',
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
  'RATE_LIMIT_PER_MINUTE',
  'RATE_LIMIT_ANONYMOUS_PER_MINUTE',
  'REDIS_URL',
  'RATE_LIMIT_REDIS_PREFIX',
  'TRUST_PROXY',
  'PUBLIC_URL',
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
    httpAdapter: parsed.HTTP_ADAPTER,
    http: {
      bodyLimitBytes: parsed.BODY_LIMIT_BYTES,
      requestTimeoutMs: parsed.REQUEST_TIMEOUT_MS,
      corsOrigins: parseCorsOrigins(parsed.CORS_ORIGINS)!,
    },
    databaseUrl: parsed.DATABASE_URL,
    database: {
      connectTimeoutMs: parsed.DATABASE_CONNECT_TIMEOUT_MS,
      statementTimeoutMs: parsed.DATABASE_STATEMENT_TIMEOUT_MS,
    },
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
    redisUrl: parsed.REDIS_URL,
    rateLimit: {
      perToken: parsed.RATE_LIMIT_PER_MINUTE,
      perAnonymousAddress: parsed.RATE_LIMIT_ANONYMOUS_PER_MINUTE,
      windowMs: 60_000,
      redisKeyPrefix: parsed.RATE_LIMIT_REDIS_PREFIX,
    },
    trustProxy: parseTrustProxy(parsed.TRUST_PROXY)!,
    publicUrl: parsed.PUBLIC_URL?.replace(/\/$/, ''),
  };
}

/** The configuration once the database and the secret key are settled (see src/database). */
export interface RuntimeConfig extends AppConfig {
  databaseUrl: string;
  secretKey: string;
}
