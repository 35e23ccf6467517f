import type { DataSource } from 'typeorm';
import { parseSeedArgs, SeedArgsError } from '../../src/seed/cli.js';
import { seedDatabase, type SeedOptions, type SeedSummary } from '../../src/seed/generate.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

const NOW = new Date('2025-06-01T12:00:00.000Z');
const OPTIONS: SeedOptions = {
  users: 60,
  groups: 12,
  providers: 7,
  codes: 500,
  accessTokens: 400,
  refreshTokens: 300,
  expiredRatio: 0.25,
  seed: 42,
  now: NOW,
};
const GRANT_TABLES = [
  { table: 'authorization_codes', digest: 'code_digest', count: OPTIONS.codes },
  { table: 'access_tokens', digest: 'token_digest', count: OPTIONS.accessTokens },
  { table: 'refresh_tokens', digest: 'token_digest', count: OPTIONS.refreshTokens },
] as const;

async function count(db: DataSource, sql: string, params: unknown[] = []): Promise<number> {
  const [row] = await db.query<{ count: string }[]>(sql, params);
  return Number(row!.count);
}

/**
 * Everything the seed wrote, as comparable values: each table's rows ordered by a unique key, and
 * the grants (digests included) hashed per table. The id_token `sub` is left out of the hash: for
 * hashed_user_id providers it depends on the install id, which is per database.
 */
async function snapshot(db: DataSource): Promise<Record<string, unknown>> {
  const grantHashes: Record<string, unknown> = {};
  for (const { table } of GRANT_TABLES) {
    const idToken = table === 'authorization_codes' ? 'NULL' : `id_token - 'sub'`;
    const [row] = await db.query<{ hash: string }[]>(
      `SELECT md5(string_agg(concat_ws('|', id, provider_id, user_id, expires, expiring, revoked,
                scope, auth_time, nonce, session_id, created_at,
                encode(${table === 'authorization_codes' ? 'code_digest' : 'token_digest'}, 'hex'),
                ${idToken}), E'\\n' ORDER BY id)) AS hash
         FROM ${table}`,
    );
    grantHashes[table] = row!.hash;
  }
  return {
    users: await db.query(
      `SELECT id, uuid, username, name, email, is_active, last_login, date_joined, path, type,
              attributes FROM users ORDER BY id`,
    ),
    groups: await db.query(
      'SELECT id, name, is_superuser, parent_id, attributes FROM groups ORDER BY name',
    ),
    memberships: await db.query('SELECT * FROM user_groups ORDER BY user_id, group_id'),
    providers: await db.query('SELECT * FROM oauth2_providers ORDER BY id'),
    applications: await db.query('SELECT * FROM applications ORDER BY slug'),
    grantsPerUserAndProvider: await db.query(
      `SELECT u.username, p.name, count(*)::int AS count
         FROM access_tokens t JOIN users u ON u.id = t.user_id
         JOIN oauth2_providers p ON p.id = t.provider_id
        GROUP BY 1, 2 ORDER BY 1, 2`,
    ),
    grantHashes,
  };
}

describe('seed CLI arguments', () => {
  const parse = (args: string[]) => parseSeedArgs(args);
  const options = (args: string[]) => {
    const parsed = parse(args);
    if (parsed.help) throw new Error('unexpected --help');
    return parsed.options;
  };

  it('applies the documented defaults', () => {
    expect(options([])).toEqual({
      users: 100,
      groups: 10,
      providers: 5,
      codes: 1000,
      accessTokens: 1000,
      refreshTokens: 1000,
      expiredRatio: 0.2,
      seed: 1,
    });
  });

  it('reads every option, in both --name value and --name=value forms', () => {
    expect(
      options([
        '--users',
        '5',
        '--groups=3',
        '--providers',
        '2',
        '--codes',
        '1000000',
        '--access-tokens',
        '0',
        '--refresh-tokens=7',
        '--expired-ratio',
        '1',
        '--seed',
        '99',
      ]),
    ).toEqual({
      users: 5,
      groups: 3,
      providers: 2,
      codes: 1_000_000,
      accessTokens: 0,
      refreshTokens: 7,
      expiredRatio: 1,
      seed: 99,
    });
    expect(options(['--expired-ratio', '0']).expiredRatio).toBe(0);
    expect(options(['--expired-ratio', '.5']).expiredRatio).toBe(0.5);
  });

  it('recognises --help and -h', () => {
    expect(parse(['--help'])).toEqual({ help: true });
    expect(parse(['-h', '--users', 'x'])).toEqual({ help: true });
  });

  it.each([
    [['--users', 'abc'], /--users must be a non-negative integer/],
    [['--users=-1'], /--users must be a non-negative integer/],
    [['--codes', '1.5'], /--codes must be a non-negative integer/],
    [['--seed', '1e3'], /--seed must be a non-negative integer/],
    [['--refresh-tokens', ''], /--refresh-tokens must be a non-negative integer/],
    [['--access-tokens', '99999999999999999999'], /--access-tokens must be a non-negative/],
    [['--expired-ratio', '1.5'], /--expired-ratio must be a number between 0 and 1/],
    [['--expired-ratio=-0.1'], /--expired-ratio must be a number between 0 and 1/],
    [['--expired-ratio', 'half'], /--expired-ratio must be a number between 0 and 1/],
    [['--bogus', '1'], /Unknown option '--bogus'/],
    [['extra'], /positional/i],
    [['--users'], /argument missing/i],
    [['--groups', '0'], /groups must be at least 1 when users are seeded/],
    [['--users', '0', '--providers', '1'], /grants need at least one user and one provider/],
    [['--providers', '0'], /grants need at least one user and one provider/],
  ])('rejects %j', (args, message) => {
    expect(() => parse(args)).toThrow(SeedArgsError);
    expect(() => parse(args)).toThrow(message);
  });

  it('accepts an empty database seed (no users, no grants)', () => {
    const zero = ['--users', '0', '--groups', '0', '--providers', '0'];
    const grants = ['--codes', '0', '--access-tokens', '0', '--refresh-tokens', '0'];
    expect(options([...zero, ...grants]).users).toBe(0);
  });
});

describe('seed generator', () => {
  let first: TestDatabase;
  let twin: TestDatabase;
  let other: TestDatabase;
  let summary: SeedSummary;
  let progress: [number, number][];

  beforeAll(async () => {
    [first, twin, other] = await Promise.all([
      createTestDatabase(),
      createTestDatabase(),
      createTestDatabase(),
    ]);
    progress = [];
    summary = await seedDatabase(first.dataSource, OPTIONS, (done, total) =>
      progress.push([done, total]),
    );
    await seedDatabase(twin.dataSource, OPTIONS);
    await seedDatabase(other.dataSource, { ...OPTIONS, seed: 43 });
  });

  afterAll(async () => {
    await Promise.all([first, twin, other].filter(Boolean).map((db) => db.drop()));
  });

  it('inserts exactly the requested numbers of rows and reports them', async () => {
    const db = first.dataSource;
    expect(summary.tag).toBe('s42');
    expect(summary.counts).toEqual({
      groups: OPTIONS.groups,
      users: OPTIONS.users,
      user_groups: await count(db, 'SELECT count(*) FROM user_groups'),
      oauth2_providers: OPTIONS.providers,
      applications: OPTIONS.providers - summary.backchannelProviders,
      authorization_codes: OPTIONS.codes,
      access_tokens: OPTIONS.accessTokens,
      refresh_tokens: OPTIONS.refreshTokens,
    });
    for (const [table, expected] of Object.entries(summary.counts)) {
      expect([table, await count(db, `SELECT count(*) FROM ${table}`)]).toEqual([table, expected]);
    }
  });

  it('reports progress up to the total', () => {
    const total = Object.values(summary.counts).reduce((sum, n) => sum + n, 0);
    expect(progress[0]).toEqual([0, total]);
    expect(progress.at(-1)).toEqual([total, total]);
    const done = progress.map(([d]) => d);
    expect(done).toEqual([...done].sort((a, b) => a - b));
  });

  it('produces identical rows from the same seed and now', async () => {
    expect(await snapshot(twin.dataSource)).toEqual(await snapshot(first.dataSource));
  });

  it('produces different data from a different seed', async () => {
    const [a, b] = await Promise.all([snapshot(first.dataSource), snapshot(other.dataSource)]);
    expect(b.users).not.toEqual(a.users);
    expect(b.groups).not.toEqual(a.groups);
    expect(b.providers).not.toEqual(a.providers);
    expect(b.grantHashes).not.toEqual(a.grantHashes);
    const digests = await other.dataSource.query<{ digest: string }[]>(
      `SELECT encode(code_digest, 'hex') AS digest FROM authorization_codes`,
    );
    const overlap = await first.dataSource.query<{ count: string }[]>(
      `SELECT count(*) FROM authorization_codes WHERE encode(code_digest, 'hex') = ANY($1)`,
      [digests.map((row) => row.digest)],
    );
    expect(Number(overlap[0]!.count)).toBe(0);
  });

  it('expires exactly the requested share of each grant table, the rest in the future', async () => {
    const db = first.dataSource;
    for (const { table, count: rows } of GRANT_TABLES) {
      const expired = Math.round(rows * OPTIONS.expiredRatio);
      expect(summary.expired[table]).toBe(expired);
      expect(await count(db, `SELECT count(*) FROM ${table} WHERE expires < $1`, [NOW])).toBe(
        expired,
      );
      expect(await count(db, `SELECT count(*) FROM ${table} WHERE expires > $1`, [NOW])).toBe(
        rows - expired,
      );
      const flags = `SELECT count(*) FROM ${table} WHERE expiring AND NOT revoked
                        AND auth_time IS NOT NULL AND auth_time <= created_at`;
      expect(await count(db, flags)).toBe(rows);
    }
  });

  it('keeps unexpired grants within their provider validity', async () => {
    const db = first.dataSource;
    const late = (table: string, validity: string) =>
      count(
        db,
        `SELECT count(*) FROM ${table} g JOIN oauth2_providers p ON p.id = g.provider_id
          WHERE g.expires > $1::timestamptz + (split_part(p.${validity}, '=', 2) || ' '
                || split_part(p.${validity}, '=', 1))::interval`,
        [NOW],
      );
    expect(await late('authorization_codes', 'access_code_validity')).toBe(0);
    expect(await late('access_tokens', 'access_token_validity')).toBe(0);
    expect(await late('refresh_tokens', 'refresh_token_validity')).toBe(0);
    const codeLifetimes = await db.query<{ max: number }[]>(
      `SELECT max(extract(epoch FROM expires - created_at))::int AS max FROM authorization_codes`,
    );
    expect(codeLifetimes[0]!.max).toBeLessThanOrEqual(5 * 60);
  });

  it('always includes openid in the scope, and offline_access in refresh tokens', async () => {
    const db = first.dataSource;
    const allowed = ['openid', 'profile', 'email', 'offline_access'];
    for (const { table } of GRANT_TABLES) {
      const scopes = await db.query<{ scope: string }[]>(`SELECT DISTINCT scope FROM ${table}`);
      for (const { scope } of scopes) {
        const names = scope.split(' ');
        expect(names).toContain('openid');
        expect(allowed).toEqual(expect.arrayContaining(names));
        expect(new Set(names).size).toBe(names.length);
      }
    }
    const offline = `SELECT count(*) FROM refresh_tokens WHERE scope NOT LIKE '%offline_access%'`;
    expect(await count(db, offline)).toBe(0);
  });

  it('stores unique 32-byte SHA-256 digests', async () => {
    const db = first.dataSource;
    for (const { table, digest, count: rows } of GRANT_TABLES) {
      const [row] = await db.query<{ distinct: string; sized: string }[]>(
        `SELECT count(DISTINCT ${digest}) AS distinct,
                count(*) FILTER (WHERE octet_length(${digest}) = 32) AS sized FROM ${table}`,
      );
      expect([table, Number(row!.distinct), Number(row!.sized)]).toEqual([table, rows, rows]);
    }
  });

  it('issues ID token claims matching the token and its provider', async () => {
    const rows = await first.dataSource.query<
      {
        claims: Record<string, unknown>;
        expires: Date;
        createdAt: Date;
        authTime: Date;
        clientId: string;
        scope: string;
      }[]
    >(
      `SELECT t.id_token AS claims, t.expires, t.created_at AS "createdAt",
              t.auth_time AS "authTime", p.client_id AS "clientId", t.scope
         FROM access_tokens t JOIN oauth2_providers p ON p.id = t.provider_id
       UNION ALL
       SELECT t.id_token, t.expires, t.created_at, t.auth_time, p.client_id, t.scope
         FROM refresh_tokens t JOIN oauth2_providers p ON p.id = t.provider_id`,
    );
    expect(rows).toHaveLength(OPTIONS.accessTokens + OPTIONS.refreshTokens);
    const seconds = (date: Date) => Math.floor(date.getTime() / 1000);
    for (const row of rows) {
      expect(row.claims).toMatchObject({
        iss: expect.stringMatching(/^https:\/\//),
        sub: expect.any(String),
        aud: row.clientId,
        exp: seconds(row.expires),
        iat: seconds(row.createdAt),
        auth_time: seconds(row.authTime),
      });
      expect('email' in row.claims).toBe(row.scope.includes('email'));
      expect('preferred_username' in row.claims).toBe(row.scope.includes('profile'));
    }
  });

  it('spreads grants unevenly over users and providers', async () => {
    const db = first.dataSource;
    const perUser = await db.query<{ count: number }[]>(
      'SELECT count(*)::int AS count FROM access_tokens GROUP BY user_id ORDER BY 1 DESC',
    );
    const perProvider = await db.query<{ count: number }[]>(
      'SELECT count(*)::int AS count FROM access_tokens GROUP BY provider_id ORDER BY 1 DESC',
    );
    // A uniform spread would give each user ~7 and each provider ~57 of the 400 tokens.
    expect(perUser[0]!.count).toBeGreaterThan(4 * (OPTIONS.accessTokens / OPTIONS.users));
    expect(perProvider[0]!.count).toBeGreaterThan(2 * (OPTIONS.accessTokens / OPTIONS.providers));
  });

  it('puts every user in one to three groups, plus rarely the superuser group', async () => {
    const db = first.dataSource;
    const orphans = `SELECT count(*) FROM users u
                      WHERE NOT EXISTS (SELECT 1 FROM user_groups m WHERE m.user_id = u.id)`;
    expect(await count(db, orphans)).toBe(0);
    const [sizes] = await db.query<{ min: number; max: number }[]>(
      `SELECT min(n)::int AS min, max(n)::int AS max
         FROM (SELECT count(*) AS n FROM user_groups GROUP BY user_id) s`,
    );
    expect(sizes).toEqual({ min: 1, max: expect.any(Number) });
    expect(sizes!.max).toBeLessThanOrEqual(4);
  });

  it('creates exactly one superuser group, named like authentik Admins', async () => {
    const superusers = await first.dataSource.query<{ name: string; members: number }[]>(
      `SELECT g.name, (SELECT count(*)::int FROM user_groups m WHERE m.group_id = g.id) AS members
         FROM groups g WHERE g.is_superuser`,
    );
    expect(superusers).toEqual([{ name: 'authentik Admins (s42)', members: expect.any(Number) }]);
    expect(superusers[0]!.members).toBeGreaterThanOrEqual(1);
  });

  it('builds a group hierarchy at least two levels below its roots', async () => {
    const [row] = await first.dataSource.query<{ depth: number }[]>(
      `WITH RECURSIVE tree AS (
         SELECT id, 0 AS depth FROM groups WHERE parent_id IS NULL
         UNION ALL
         SELECT g.id, t.depth + 1 FROM groups g JOIN tree t ON g.parent_id = t.id
       ) SELECT max(depth)::int AS depth FROM tree`,
    );
    expect(row!.depth).toBeGreaterThanOrEqual(2);
  });

  it('creates valid users, providers and applications', async () => {
    const db = first.dataSource;
    const badUsers = `SELECT count(*) FROM users WHERE length(username) > 150
      OR username NOT LIKE '%.s42' OR name = '' OR email NOT LIKE '%@%' OR path <> 'users'
      OR attributes <> '{}'::jsonb`;
    expect(await count(db, badUsers)).toBe(0);
    const internal = await count(db, `SELECT count(*) FROM users WHERE type = 'internal'`);
    expect(internal).toBeGreaterThan(OPTIONS.users / 2);

    const badProviders = `SELECT count(*) FROM oauth2_providers WHERE client_id !~ '^[A-Za-z0-9]{40}$'
      OR client_secret !~ '^[A-Za-z0-9]{128}$' OR redirect_uris !~ '^https?://'`;
    expect(await count(db, badProviders)).toBe(0);
    // Each provider serves one application: as its provider, or as a backchannel provider.
    const unbound = `SELECT count(*) FROM oauth2_providers p
      WHERE (SELECT count(*) FROM applications a WHERE a.provider_id = p.id)
          + (CASE WHEN p.backchannel_application_id IS NULL THEN 0 ELSE 1 END) <> 1`;
    expect(await count(db, unbound)).toBe(0);
    expect(summary.backchannelProviders).toBeGreaterThanOrEqual(1);
    const badApplications = `SELECT count(*) FROM applications
      WHERE provider_id IS NULL OR length(slug) > 50 OR slug !~ '^[a-z0-9-]+-s42$'`;
    expect(await count(db, badApplications)).toBe(0);
    const types = await db.query<{ client_type: string }[]>(
      'SELECT DISTINCT client_type FROM oauth2_providers ORDER BY 1',
    );
    expect(types.length).toBeGreaterThanOrEqual(1);
  });

  it('adds a distinct data set when run again on the same database', async () => {
    const db = first.dataSource;
    const again = await seedDatabase(db, {
      ...OPTIONS,
      codes: 40,
      accessTokens: 0,
      refreshTokens: 10,
      expiredRatio: 1,
    });
    expect(again.tag).toBe('s42r2');
    expect(await count(db, 'SELECT count(*) FROM users')).toBe(2 * OPTIONS.users);
    expect(await count(db, `SELECT count(*) FROM users WHERE username LIKE '%.s42r2'`)).toBe(
      OPTIONS.users,
    );
    expect(await count(db, 'SELECT count(*) FROM groups WHERE is_superuser')).toBe(2);
    const newCodes = `SELECT count(*) FROM authorization_codes c JOIN users u ON u.id = c.user_id
                       WHERE u.username LIKE '%.s42r2' AND c.expires < $1`;
    expect(await count(db, newCodes, [NOW])).toBe(40);
  });

  it('rejects invalid options before touching the database', async () => {
    await expect(seedDatabase(first.dataSource, { ...OPTIONS, groups: 0 })).rejects.toThrow(
      /groups must be at least 1/,
    );
    await expect(seedDatabase(first.dataSource, { ...OPTIONS, expiredRatio: 2 })).rejects.toThrow(
      /expiredRatio/,
    );
  });
});
