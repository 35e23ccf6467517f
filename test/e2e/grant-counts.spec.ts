/**
 * The trigger-kept grant counters (issue 6), per provider and per user, are exact: after any mix of inserts, COPY, updates,
 * deletes, cascades and truncates — also from concurrent transactions — they equal COUNT(*).
 */
import pg from 'pg';
import { GRANT_KINDS } from '../../src/grants/grant-kinds.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

describe('grant counters', () => {
  let db: TestDatabase;
  let users: number[];
  let providers: number[];

  beforeAll(async () => {
    db = await createTestDatabase();
    users = [];
    providers = [];
    for (let i = 0; i < 3; i++) {
      users.push(
        (await db.dataSource.query(`INSERT INTO users (username) VALUES ('u${i}') RETURNING id`))[0]
          .id,
      );
      providers.push(
        (
          await db.dataSource.query(
            `INSERT INTO oauth2_providers (name, client_id) VALUES ('p${i}', 'c${i}') RETURNING id`,
          )
        )[0].id,
      );
    }
  });
  afterAll(() => db.drop());

  /**
   * Counters and real counts, only where either is non-zero: per (table, provider) from
   * grant_counts, and per (table, user, provider) from grant_user_counts.
   */
  async function compare() {
    const [row] = await db.dataSource.query(`
      WITH real AS (
        SELECT 'authorization_codes' AS t, user_id, provider_id, count(*) AS n
          FROM authorization_codes GROUP BY 2, 3
        UNION ALL SELECT 'access_tokens', user_id, provider_id, count(*) FROM access_tokens GROUP BY 2, 3
        UNION ALL SELECT 'refresh_tokens', user_id, provider_id, count(*) FROM refresh_tokens GROUP BY 2, 3
      ), real_by_provider AS (
        SELECT t, provider_id, sum(n) AS n FROM real GROUP BY 1, 2
      ), kept AS (
        SELECT grant_table AS t, provider_id, sum(n) AS n FROM grant_counts GROUP BY 1, 2 HAVING sum(n) <> 0
      ), kept_by_user AS (
        SELECT grant_table AS t, user_id, provider_id, sum(n) AS n FROM grant_user_counts
        GROUP BY 1, 2, 3 HAVING sum(n) <> 0
      )
      SELECT (SELECT json_agg(r ORDER BY t, provider_id) FROM real_by_provider r) AS real,
             (SELECT json_agg(k ORDER BY t, provider_id) FROM kept k) AS kept,
             (SELECT json_agg(r ORDER BY t, user_id, provider_id) FROM real r) AS real_by_user,
             (SELECT json_agg(k ORDER BY t, user_id, provider_id) FROM kept_by_user k) AS kept_by_user`);
    // The per-user counters must agree as exactly as the per-provider ones.
    expect(row.kept_by_user).toEqual(row.real_by_user);
    return row;
  }

  const insertGrants = (
    client: pg.Client | DataSourceLike,
    table: string,
    count: number,
    provider: number,
    user: number,
  ) => {
    const digest = table === 'authorization_codes' ? 'code_digest' : 'token_digest';
    return client.query(
      `INSERT INTO ${table} (provider_id, user_id, expires, ${digest})
       SELECT $1, $2, now() + interval '1 hour', sha256(gen_random_uuid()::text::bytea)
       FROM generate_series(1, ${count})`,
      [provider, user],
    );
  };
  type DataSourceLike = { query: (sql: string, parameters?: unknown[]) => Promise<unknown> };

  it('follows inserts, updates of the provider, deletes and cascades', async () => {
    for (const kind of GRANT_KINDS) {
      await insertGrants(db.dataSource, kind.table, 50, providers[0]!, users[0]!);
      await insertGrants(db.dataSource, kind.table, 30, providers[1]!, users[1]!);
      await insertGrants(db.dataSource, kind.table, 20, providers[2]!, users[2]!);
      await db.dataSource.query(
        `UPDATE ${kind.table} SET provider_id = $1 WHERE id IN (SELECT id FROM ${kind.table} WHERE provider_id = $2 LIMIT 7)`,
        [providers[1], providers[0]],
      );
      await db.dataSource.query(
        `UPDATE ${kind.table} SET user_id = $1 WHERE id IN (SELECT id FROM ${kind.table} WHERE user_id = $2 LIMIT 5)`,
        [users[1], users[0]],
      );
      await db.dataSource.query(`UPDATE ${kind.table} SET scope = 'openid'`);
      await db.dataSource.query(
        `DELETE FROM ${kind.table} WHERE id IN (SELECT id FROM ${kind.table} LIMIT 11)`,
      );
    }
    await db.dataSource.query('DELETE FROM users WHERE id = $1', [users[2]]);
    const { real, kept } = await compare();
    expect(real.length).toBeGreaterThan(0);
    expect(kept).toEqual(real);
  });

  it('stays exact under concurrent inserts and deletes from many connections', async () => {
    const clients = await Promise.all(
      Array.from({ length: 6 }, async () => {
        const client = new pg.Client({ connectionString: db.url });
        await client.connect();
        return client;
      }),
    );
    try {
      await Promise.all(
        clients.map(async (client, i) => {
          for (let round = 0; round < 15; round++) {
            const kind = GRANT_KINDS[(i + round) % GRANT_KINDS.length]!;
            await client.query('BEGIN');
            await insertGrants(client, kind.table, 5, providers[round % 2]!, users[i % 2]!);
            if (round % 3 === 0) {
              await client.query(
                `DELETE FROM ${kind.table} WHERE id IN (SELECT id FROM ${kind.table} WHERE provider_id = $1 LIMIT 2)`,
                [providers[0]],
              );
            }
            // Some transactions roll back: their changes must not count.
            await client.query(round % 4 === 1 ? 'ROLLBACK' : 'COMMIT');
          }
        }),
      );
    } finally {
      await Promise.all(clients.map((client) => client.end()));
    }
    const { real, kept } = await compare();
    expect(kept).toEqual(real);
  });

  it('resets on TRUNCATE', async () => {
    await db.dataSource.query('TRUNCATE authorization_codes');
    const { real, kept } = await compare();
    expect(kept).toEqual(real);
    expect((kept ?? []).some((row: { t: string }) => row.t === 'authorization_codes')).toBe(false);
  });
});
