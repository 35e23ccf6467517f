import { mkdtemp, writeFile, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig, type AppConfig } from '../../src/config/config.js';
import { resolveSecretKey } from '../../src/database/database.js';

/** loadConfig's ConfigError for `env`; fails the test when it does not throw one. */
function configError(env: NodeJS.ProcessEnv): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error(`loadConfig(${JSON.stringify(env)}) did not throw`);
}

describe('loadConfig', () => {
  it('has the documented defaults for an empty environment', () => {
    expect(loadConfig({})).toEqual({
      port: 9000,
      host: '127.0.0.1',
      httpAdapter: 'fastify',
      http: { bodyLimitBytes: 1_048_576, requestTimeoutMs: 30_000, corsOrigins: [] },
      databaseUrl: undefined,
      database: { connectTimeoutMs: 2000, statementTimeoutMs: 5000 },
      dataDir: './.data',
      secretKey: undefined,
      logLevel: 'info',
      migrateOnStart: true,
      pagination: { defaultPageSize: 20, maxPageSize: 100 },
      avatars: 'initials',
      cleanup: { intervalSeconds: 300, batchSize: 1000, revokedRetentionDays: 30 },
      bootstrap: { token: undefined, password: undefined, email: undefined },
      redisUrl: undefined,
      rateLimit: {
        perToken: 600,
        perAnonymousAddress: 60,
        windowMs: 60_000,
        redisKeyPrefix: 'grants-api:ratelimit:',
      },
      trustProxy: false,
    } satisfies AppConfig);
  });

  it('ignores variables it does not know', () => {
    expect(loadConfig({ SOMETHING_ELSE: 'x', PATH: '/bin' }).port).toBe(9000);
  });

  it('parses every variable', () => {
    const config = loadConfig({
      PORT: '8080',
      HOST: '0.0.0.0',
      HTTP_ADAPTER: 'express',
      BODY_LIMIT_BYTES: '65536',
      REQUEST_TIMEOUT_MS: '5000',
      CORS_ORIGINS: 'https://admin.example.com, http://localhost:3000',
      DATABASE_URL: 'postgresql://grants:pw@db.example:5432/grants',
      DATABASE_CONNECT_TIMEOUT_MS: '2500',
      DATABASE_STATEMENT_TIMEOUT_MS: '0',
      DATA_DIR: '/var/lib/grants',
      SECRET_KEY: 'k'.repeat(32),
      LOG_LEVEL: 'debug',
      MIGRATE_ON_START: 'false',
      PAGINATION_DEFAULT_PAGE_SIZE: '50',
      PAGINATION_MAX_PAGE_SIZE: '500',
      AVATARS: 'attributes.avatar,initials',
      GRANT_CLEANUP_INTERVAL_SECONDS: '0',
      GRANT_CLEANUP_BATCH_SIZE: '250',
      REVOKED_TOKEN_RETENTION_DAYS: '7',
      BOOTSTRAP_TOKEN: 'bootstrap-token-value',
      BOOTSTRAP_PASSWORD: 'correct horse',
      BOOTSTRAP_EMAIL: 'admin@example.com',
      RATE_LIMIT_PER_MINUTE: '1200',
      RATE_LIMIT_ANONYMOUS_PER_MINUTE: '0',
      REDIS_URL: 'redis://:pw@cache.example:6379/2',
      RATE_LIMIT_REDIS_PREFIX: 'grants:prod:',
      TRUST_PROXY: '2',
    });
    expect(config).toEqual({
      port: 8080,
      host: '0.0.0.0',
      httpAdapter: 'express',
      http: {
        bodyLimitBytes: 65_536,
        requestTimeoutMs: 5000,
        corsOrigins: ['https://admin.example.com', 'http://localhost:3000'],
      },
      databaseUrl: 'postgresql://grants:pw@db.example:5432/grants',
      database: { connectTimeoutMs: 2500, statementTimeoutMs: 0 },
      dataDir: '/var/lib/grants',
      secretKey: 'k'.repeat(32),
      logLevel: 'debug',
      migrateOnStart: false,
      pagination: { defaultPageSize: 50, maxPageSize: 500 },
      avatars: 'attributes.avatar,initials',
      cleanup: { intervalSeconds: 0, batchSize: 250, revokedRetentionDays: 7 },
      bootstrap: {
        token: 'bootstrap-token-value',
        password: 'correct horse',
        email: 'admin@example.com',
      },
      redisUrl: 'redis://:pw@cache.example:6379/2',
      rateLimit: {
        perToken: 1200,
        perAnonymousAddress: 0,
        windowMs: 60_000,
        redisKeyPrefix: 'grants:prod:',
      },
      trustProxy: 2,
    } satisfies AppConfig);
  });

  it('accepts both postgres:// and postgresql:// URLs', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://u@h/db' }).databaseUrl).toBe('postgres://u@h/db');
    expect(loadConfig({ DATABASE_URL: 'postgresql://u@h/db' }).databaseUrl).toBe(
      'postgresql://u@h/db',
    );
  });

  it('treats empty optional variables as unset', () => {
    const config = loadConfig({
      DATABASE_URL: '',
      SECRET_KEY: '',
      BOOTSTRAP_TOKEN: '',
      BOOTSTRAP_PASSWORD: '',
      BOOTSTRAP_EMAIL: '',
    });
    expect(config.databaseUrl).toBeUndefined();
    expect(config.secretKey).toBeUndefined();
    expect(config.bootstrap).toEqual({ token: undefined, password: undefined, email: undefined });
  });

  it.each([
    ['true', true],
    ['1', true],
    ['yes', true],
    ['ON', true],
    ['false', false],
    ['0', false],
    ['no', false],
    ['Off', false],
  ])('parses MIGRATE_ON_START=%s as %s', (value, expected) => {
    expect(loadConfig({ MIGRATE_ON_START: value }).migrateOnStart).toBe(expected);
  });

  it.each(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])(
    'accepts LOG_LEVEL=%s',
    (level) => {
      expect(loadConfig({ LOG_LEVEL: level }).logLevel).toBe(level);
    },
  );

  it.each(['initials', 'none', 'attributes.avatar', 'attributes.profile.picture,initials,none'])(
    'accepts AVATARS=%s',
    (avatars) => {
      expect(loadConfig({ AVATARS: avatars }).avatars).toBe(avatars);
    },
  );

  it('accepts the bounds of PORT', () => {
    expect(loadConfig({ PORT: '0' }).port).toBe(0);
    expect(loadConfig({ PORT: '65535' }).port).toBe(65535);
  });

  it('accepts a default page size equal to the maximum', () => {
    expect(
      loadConfig({ PAGINATION_DEFAULT_PAGE_SIZE: '100', PAGINATION_MAX_PAGE_SIZE: '100' })
        .pagination,
    ).toEqual({ defaultPageSize: 100, maxPageSize: 100 });
  });

  describe('rejects bad values with a ConfigError naming the variable', () => {
    it.each<[string, NodeJS.ProcessEnv, string]>([
      ['PORT=abc', { PORT: 'abc' }, 'PORT'],
      ['PORT=70000', { PORT: '70000' }, 'PORT'],
      ['PORT=-1', { PORT: '-1' }, 'PORT'],
      ['PORT=80.5', { PORT: '80.5' }, 'PORT'],
      ['HOST empty', { HOST: '' }, 'HOST'],
      ['LOG_LEVEL=loud', { LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
      ['DATABASE_URL=mysql://x', { DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
      ['DATABASE_URL without scheme', { DATABASE_URL: 'localhost:5432/db' }, 'DATABASE_URL'],
      ['SECRET_KEY too short', { SECRET_KEY: 'k'.repeat(31) }, 'SECRET_KEY'],
      [
        'DATABASE_CONNECT_TIMEOUT_MS=0',
        { DATABASE_CONNECT_TIMEOUT_MS: '0' },
        'DATABASE_CONNECT_TIMEOUT_MS',
      ],
      [
        'DATABASE_CONNECT_TIMEOUT_MS=1s',
        { DATABASE_CONNECT_TIMEOUT_MS: '1s' },
        'DATABASE_CONNECT_TIMEOUT_MS',
      ],
      [
        'DATABASE_STATEMENT_TIMEOUT_MS=-1',
        { DATABASE_STATEMENT_TIMEOUT_MS: '-1' },
        'DATABASE_STATEMENT_TIMEOUT_MS',
      ],
      [
        'DATABASE_STATEMENT_TIMEOUT_MS=1.5',
        { DATABASE_STATEMENT_TIMEOUT_MS: '1.5' },
        'DATABASE_STATEMENT_TIMEOUT_MS',
      ],
      [
        'PAGINATION_DEFAULT_PAGE_SIZE > MAX',
        { PAGINATION_DEFAULT_PAGE_SIZE: '101', PAGINATION_MAX_PAGE_SIZE: '100' },
        'PAGINATION_DEFAULT_PAGE_SIZE',
      ],
      [
        'PAGINATION_DEFAULT_PAGE_SIZE > default MAX',
        { PAGINATION_DEFAULT_PAGE_SIZE: '200' },
        'PAGINATION_DEFAULT_PAGE_SIZE',
      ],
      [
        'PAGINATION_DEFAULT_PAGE_SIZE=0',
        { PAGINATION_DEFAULT_PAGE_SIZE: '0' },
        'PAGINATION_DEFAULT_PAGE_SIZE',
      ],
      [
        'PAGINATION_MAX_PAGE_SIZE=ten',
        { PAGINATION_MAX_PAGE_SIZE: 'ten' },
        'PAGINATION_MAX_PAGE_SIZE',
      ],
      ['MIGRATE_ON_START=maybe', { MIGRATE_ON_START: 'maybe' }, 'MIGRATE_ON_START'],
      ['BOOTSTRAP_EMAIL=nope', { BOOTSTRAP_EMAIL: 'nope' }, 'BOOTSTRAP_EMAIL'],
      ['BOOTSTRAP_TOKEN too short', { BOOTSTRAP_TOKEN: 'short' }, 'BOOTSTRAP_TOKEN'],
      ['BOOTSTRAP_PASSWORD too short', { BOOTSTRAP_PASSWORD: 'short' }, 'BOOTSTRAP_PASSWORD'],
      ['AVATARS=weird', { AVATARS: 'weird' }, 'AVATARS'],
      [
        'GRANT_CLEANUP_INTERVAL_SECONDS=-1',
        { GRANT_CLEANUP_INTERVAL_SECONDS: '-1' },
        'GRANT_CLEANUP_INTERVAL_SECONDS',
      ],
      ['GRANT_CLEANUP_BATCH_SIZE=0', { GRANT_CLEANUP_BATCH_SIZE: '0' }, 'GRANT_CLEANUP_BATCH_SIZE'],
      [
        'REVOKED_TOKEN_RETENTION_DAYS=soon',
        { REVOKED_TOKEN_RETENTION_DAYS: 'soon' },
        'REVOKED_TOKEN_RETENTION_DAYS',
      ],
    ])('%s', (_label, env, variable) => {
      const error = configError(env);
      expect(error.name).toBe('ConfigError');
      expect(error.problems.length).toBeGreaterThan(0);
      expect(error.problems.some((problem) => problem.includes(variable))).toBe(true);
      expect(error.message).toContain(variable);
    });

    it('lists every problem at once', () => {
      const error = configError({ PORT: 'abc', LOG_LEVEL: 'loud', AVATARS: 'weird' });
      const variables = new Set(error.problems.map((problem) => problem.split(' ')[0]));
      expect([...variables].sort()).toEqual(['AVATARS', 'LOG_LEVEL', 'PORT']);
      expect(error.problems.filter((problem) => problem.startsWith('PORT'))).toEqual([
        'PORT must be an integer from 0 to 65535',
      ]);
    });

    it('does not echo the value of a rejected secret', () => {
      const secret = 'too-short-secret';
      const error = configError({ SECRET_KEY: secret });
      expect(error.message).toContain('SECRET_KEY');
      expect(error.message).not.toContain(secret);
    });
  });
});

describe('loadConfig: rate limits and proxies', () => {
  it('accepts 0 for either limit (no limit)', () => {
    const { rateLimit } = loadConfig({
      RATE_LIMIT_PER_MINUTE: '0',
      RATE_LIMIT_ANONYMOUS_PER_MINUTE: '0',
    });
    expect(rateLimit).toMatchObject({ perToken: 0, perAnonymousAddress: 0 });
  });

  it('accepts redis:// and rediss:// URLs and treats an empty REDIS_URL as unset', () => {
    expect(loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379' }).redisUrl).toBe(
      'redis://127.0.0.1:6379',
    );
    expect(loadConfig({ REDIS_URL: 'rediss://u:p@h:6380/1' }).redisUrl).toBe(
      'rediss://u:p@h:6380/1',
    );
    expect(loadConfig({ REDIS_URL: '' }).redisUrl).toBeUndefined();
  });

  it.each<[string, AppConfig['trustProxy']]>([
    ['false', false],
    ['off', false],
    ['0', false],
    ['', false],
    ['1', 1],
    [' 3 ', 3],
    ['loopback', ['loopback']],
    ['10.0.0.0/8, 192.168.1.1,fd00::/8', ['10.0.0.0/8', '192.168.1.1', 'fd00::/8']],
    ['Loopback,UniqueLocal', ['loopback', 'uniquelocal']],
  ])('parses TRUST_PROXY=%j', (value, expected) => {
    expect(loadConfig({ TRUST_PROXY: value }).trustProxy).toEqual(expected);
  });

  it.each<[string, NodeJS.ProcessEnv, string]>([
    ['RATE_LIMIT_PER_MINUTE=-1', { RATE_LIMIT_PER_MINUTE: '-1' }, 'RATE_LIMIT_PER_MINUTE'],
    ['RATE_LIMIT_PER_MINUTE=10/s', { RATE_LIMIT_PER_MINUTE: '10/s' }, 'RATE_LIMIT_PER_MINUTE'],
    ['RATE_LIMIT_PER_MINUTE=1.5', { RATE_LIMIT_PER_MINUTE: '1.5' }, 'RATE_LIMIT_PER_MINUTE'],
    [
      'RATE_LIMIT_ANONYMOUS_PER_MINUTE=lots',
      { RATE_LIMIT_ANONYMOUS_PER_MINUTE: 'lots' },
      'RATE_LIMIT_ANONYMOUS_PER_MINUTE',
    ],
    [
      'RATE_LIMIT_ANONYMOUS_PER_MINUTE=2000000',
      { RATE_LIMIT_ANONYMOUS_PER_MINUTE: '2000000' },
      'RATE_LIMIT_ANONYMOUS_PER_MINUTE',
    ],
    ['REDIS_URL=http://x', { REDIS_URL: 'http://cache:6379' }, 'REDIS_URL'],
    ['REDIS_URL without scheme', { REDIS_URL: '127.0.0.1:6379' }, 'REDIS_URL'],
    [
      'RATE_LIMIT_REDIS_PREFIX with a space',
      { RATE_LIMIT_REDIS_PREFIX: 'a b' },
      'RATE_LIMIT_REDIS_PREFIX',
    ],
    ['RATE_LIMIT_REDIS_PREFIX empty', { RATE_LIMIT_REDIS_PREFIX: '' }, 'RATE_LIMIT_REDIS_PREFIX'],
    // Trusting every hop would let any client pick the address it is limited by.
    ['TRUST_PROXY=true', { TRUST_PROXY: 'true' }, 'TRUST_PROXY'],
    ['TRUST_PROXY=-1', { TRUST_PROXY: '-1' }, 'TRUST_PROXY'],
    ['TRUST_PROXY=not-an-ip', { TRUST_PROXY: 'proxy.example' }, 'TRUST_PROXY'],
    ['TRUST_PROXY=bad CIDR', { TRUST_PROXY: '10.0.0.0/40' }, 'TRUST_PROXY'],
  ])('rejects %s with a ConfigError naming the variable', (_label, env, variable) => {
    const error = configError(env);
    expect(error.problems.some((problem) => problem.startsWith(variable))).toBe(true);
  });

  it('does not echo a rejected REDIS_URL, which may hold a password', () => {
    const error = configError({ REDIS_URL: 'http://:hunter2secret@cache:6379' });
    expect(error.message).toContain('REDIS_URL');
    expect(error.message).not.toContain('hunter2secret');
  });
});

describe('loadConfig: HTTP adapter and limits', () => {
  it.each(['express', 'fastify'])('accepts HTTP_ADAPTER=%s', (name) => {
    expect(loadConfig({ HTTP_ADAPTER: name }).httpAdapter).toBe(name);
  });

  it.each<[string, string[]]>([
    ['', []],
    [' , ', []],
    ['*', ['*']],
    [' * ', ['*']],
    ['https://admin.example.com', ['https://admin.example.com']],
    ['HTTPS://Admin.Example.COM:8443', ['https://admin.example.com:8443']],
    ['http://[::1]:3000,http://127.0.0.1:3000', ['http://[::1]:3000', 'http://127.0.0.1:3000']],
  ])('parses CORS_ORIGINS=%j', (value, expected) => {
    expect(loadConfig({ CORS_ORIGINS: value }).http.corsOrigins).toEqual(expected);
  });

  it('accepts the bounds of BODY_LIMIT_BYTES and REQUEST_TIMEOUT_MS', () => {
    expect(loadConfig({ BODY_LIMIT_BYTES: '1024', REQUEST_TIMEOUT_MS: '100' }).http).toMatchObject({
      bodyLimitBytes: 1024,
      requestTimeoutMs: 100,
    });
    expect(
      loadConfig({ BODY_LIMIT_BYTES: '104857600', REQUEST_TIMEOUT_MS: '600000' }).http,
    ).toMatchObject({ bodyLimitBytes: 104_857_600, requestTimeoutMs: 600_000 });
  });

  it.each<[string, NodeJS.ProcessEnv, string]>([
    ['HTTP_ADAPTER=koa', { HTTP_ADAPTER: 'koa' }, 'HTTP_ADAPTER'],
    ['HTTP_ADAPTER empty', { HTTP_ADAPTER: '' }, 'HTTP_ADAPTER'],
    ['BODY_LIMIT_BYTES=1mb', { BODY_LIMIT_BYTES: '1mb' }, 'BODY_LIMIT_BYTES'],
    ['BODY_LIMIT_BYTES=1023', { BODY_LIMIT_BYTES: '1023' }, 'BODY_LIMIT_BYTES'],
    ['BODY_LIMIT_BYTES too large', { BODY_LIMIT_BYTES: '104857601' }, 'BODY_LIMIT_BYTES'],
    ['REQUEST_TIMEOUT_MS=0', { REQUEST_TIMEOUT_MS: '0' }, 'REQUEST_TIMEOUT_MS'],
    ['REQUEST_TIMEOUT_MS=30s', { REQUEST_TIMEOUT_MS: '30s' }, 'REQUEST_TIMEOUT_MS'],
    ['REQUEST_TIMEOUT_MS too large', { REQUEST_TIMEOUT_MS: '600001' }, 'REQUEST_TIMEOUT_MS'],
    // `*` only on its own: a list with `*` in it is a mistake, not "everyone".
    ['CORS_ORIGINS=*,https://a.example', { CORS_ORIGINS: '*,https://a.example' }, 'CORS_ORIGINS'],
    ['CORS_ORIGINS with a path', { CORS_ORIGINS: 'https://a.example/app' }, 'CORS_ORIGINS'],
    ['CORS_ORIGINS with a trailing slash', { CORS_ORIGINS: 'https://a.example/' }, 'CORS_ORIGINS'],
    ['CORS_ORIGINS without scheme', { CORS_ORIGINS: 'a.example' }, 'CORS_ORIGINS'],
    ['CORS_ORIGINS=null', { CORS_ORIGINS: 'null' }, 'CORS_ORIGINS'],
    ['CORS_ORIGINS wildcard host', { CORS_ORIGINS: 'https://*.example.com' }, 'CORS_ORIGINS'],
  ])('rejects %s with a ConfigError naming the variable', (_label, env, variable) => {
    const error = configError(env);
    expect(error.problems.some((problem) => problem.startsWith(variable))).toBe(true);
  });
});

describe('resolveSecretKey', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'grants-api-config-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('returns SECRET_KEY when it is set', async () => {
    const key = 's'.repeat(40);
    const config = loadConfig({ SECRET_KEY: key, DATA_DIR: dir });
    await expect(resolveSecretKey(config)).resolves.toBe(key);
    await expect(stat(path.join(dir, 'secret_key'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('requires SECRET_KEY along with DATABASE_URL', async () => {
    const config = loadConfig({ DATABASE_URL: 'postgres://u@h/db', DATA_DIR: dir });
    const error = await resolveSecretKey(config).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toContain('SECRET_KEY');
    // No key is generated as a fallback.
    await expect(stat(path.join(dir, 'secret_key'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('generates a key into DATA_DIR on first use and keeps it afterwards', async () => {
    const dataDir = path.join(dir, 'nested', 'data');
    const config = loadConfig({ DATA_DIR: dataDir });
    const first = await resolveSecretKey(config);
    expect(first.length).toBeGreaterThanOrEqual(32);

    const file = path.join(dataDir, 'secret_key');
    expect((await readFile(file, 'utf8')).trim()).toBe(first);
    expect((await stat(file)).mode & 0o777).toBe(0o600);

    await expect(resolveSecretKey(config)).resolves.toBe(first);
    await expect(resolveSecretKey(loadConfig({ DATA_DIR: dataDir }))).resolves.toBe(first);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it('refuses a damaged key file instead of using a weak key', async () => {
    await writeFile(path.join(dir, 'secret_key'), 'short\n');
    const error = await resolveSecretKey(loadConfig({ DATA_DIR: dir })).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toContain('SECRET_KEY');
  });

  it('generates a different key for another data directory', async () => {
    const a = await resolveSecretKey(loadConfig({ DATA_DIR: path.join(dir, 'a') }));
    const b = await resolveSecretKey(loadConfig({ DATA_DIR: path.join(dir, 'b') }));
    expect(a).not.toBe(b);
  });
});
