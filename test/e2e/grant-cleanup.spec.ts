/** The expired-grant cleanup job (issue 5): batches, retention, one run at a time, schedule. */
import pg from 'pg';
import { createApp } from '../../src/app.factory.js';
import { GrantCleanupService } from '../../src/grants/grant-cleanup.service.js';
import { startTestApp, testConfig, type TestApp } from '../support/app.js';

const LOCK = 'grants-api:grant-cleanup';
const PAST = "now() - interval '1 hour'";
const FUTURE = "now() + interval '1 hour'";

describe('expired-grant cleanup', () => {
  let t: TestApp;
  let user: number;
  let provider: number;

  beforeAll(async () => {
    t = await startTestApp({
      cleanup: { intervalSeconds: 0, batchSize: 1000, revokedRetentionDays: 30 },
    });
    user = await t.fixtures.user();
    provider = await t.fixtures.provider();
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    await t.fixtures.db.query('TRUNCATE authorization_codes, access_tokens, refresh_tokens');
  });

  /** `count` rows in `table` expiring at the SQL expression `expires`. */
  async function insert(table: string, count: number, expires: string, extra = '') {
    const digest = table === 'authorization_codes' ? 'code_digest' : 'token_digest';
    await t.fixtures.db.query(
      `INSERT INTO ${table} (provider_id, user_id, expires, ${digest}${extra ? ', revoked, revoked_at' : ''})
       SELECT $1, $2, ${expires}, sha256(gen_random_uuid()::text::bytea)${extra ? `, ${extra}` : ''}
       FROM generate_series(1, ${count})`,
      [provider, user],
    );
  }
  const count = async (table: string) =>
    (await t.fixtures.db.query(`SELECT count(*)::int AS n FROM ${table}`))[0].n as number;
  const cleanup = () => t.app.get(GrantCleanupService);

  it('deletes expired grants of every kind in bounded batches and keeps the rest', async () => {
    await insert('authorization_codes', 2500, PAST);
    await insert('authorization_codes', 300, FUTURE);
    await insert('access_tokens', 40, PAST);
    await insert('access_tokens', 10, FUTURE);
    await insert('refresh_tokens', 20, PAST);
    await insert('refresh_tokens', 5, FUTURE);
    await t.fixtures.db.query(`UPDATE authorization_codes SET expiring = false WHERE id IN (
      SELECT id FROM authorization_codes WHERE expires < now() LIMIT 7)`);

    const report = await cleanup().run();
    expect(report).toEqual({
      authorization_codes: 2493,
      access_tokens: 40,
      refresh_tokens: 20,
      revoked_refresh_tokens: 0,
      oidc_records: 0,
      // 1000 + 1000 + 493 for the codes, one statement for each other pass.
      batches: 7,
    });
    expect(await count('authorization_codes')).toBe(307);
    expect(await count('access_tokens')).toBe(10);
    expect(await count('refresh_tokens')).toBe(5);
    expect(await cleanup().run()).toEqual({
      authorization_codes: 0,
      access_tokens: 0,
      refresh_tokens: 0,
      revoked_refresh_tokens: 0,
      oidc_records: 0,
      batches: 5,
    });
  });

  it("deletes the OIDC engine's expired records and keeps the live ones", async () => {
    for (const [id, expires] of [
      ['old-session', PAST],
      ['old-code', PAST],
      ['live-session', FUTURE],
    ]) {
      await t.fixtures.db.query(
        `INSERT INTO oidc_records (model, id, provider_id, payload, expires_at)
         VALUES ($1, $2, $3, '{}', ${expires})`,
        [id.endsWith('code') ? 'AuthorizationCode' : 'Session', id, provider],
      );
    }
    expect(await cleanup().run()).toMatchObject({ oidc_records: 2 });
    expect(await t.fixtures.db.query('SELECT id FROM oidc_records')).toEqual([
      { id: 'live-session' },
    ]);
  });

  it('keeps revoked refresh tokens for the retention window, expired or not', async () => {
    await insert('refresh_tokens', 3, PAST, `true, now() - interval '31 days'`);
    await insert('refresh_tokens', 4, PAST, `true, now() - interval '1 day'`);
    await insert('refresh_tokens', 2, FUTURE, `true, now() - interval '40 days'`);
    await insert('refresh_tokens', 6, FUTURE, `true, now()`);
    const report = await cleanup().run();
    expect(report).toMatchObject({ refresh_tokens: 0, revoked_refresh_tokens: 5 });
    const [{ n }] = await t.fixtures.db.query(
      "SELECT count(*)::int AS n FROM refresh_tokens WHERE revoked_at > now() - interval '30 days'",
    );
    expect(n).toBe(10);
    expect(await count('refresh_tokens')).toBe(10);
  });

  it('skips a run while another instance holds the lock', async () => {
    await insert('access_tokens', 5, PAST);
    const other = new pg.Client({ connectionString: t.database.url });
    await other.connect();
    try {
      await other.query('SELECT pg_advisory_lock(hashtext($1))', [LOCK]);
      expect(await cleanup().run()).toBeNull();
      expect(await count('access_tokens')).toBe(5);
      await other.query('SELECT pg_advisory_unlock(hashtext($1))', [LOCK]);
      expect((await cleanup().run())?.access_tokens).toBe(5);
    } finally {
      await other.end();
    }
  });

  it('lets only one of two instances do the work when both run at once', async () => {
    await insert('authorization_codes', 50, PAST);
    // Slow the first run's deletes down so that the second surely starts while it holds the lock.
    await t.fixtures.db.query(`
      CREATE FUNCTION slow_delete() RETURNS trigger LANGUAGE plpgsql AS
        $$ BEGIN PERFORM pg_sleep(0.5); RETURN NULL; END $$;
      CREATE TRIGGER slow_delete AFTER DELETE ON authorization_codes
        FOR EACH STATEMENT EXECUTE FUNCTION slow_delete();`);
    const second = await createApp(testConfig(t.database.url));
    try {
      const reports = await Promise.all([cleanup().run(), second.get(GrantCleanupService).run()]);
      const worked = reports.filter((report) => report !== null);
      expect(worked).toHaveLength(1);
      expect(worked[0]!.authorization_codes).toBe(50);
      expect(reports.filter((report) => report === null)).toHaveLength(1);
    } finally {
      await second.close();
      await t.fixtures.db.query(
        'DROP TRIGGER slow_delete ON authorization_codes; DROP FUNCTION slow_delete()',
      );
    }
  });

  it('does not start a second run in the same process while one is under way', async () => {
    await insert('access_tokens', 3, PAST);
    const [first, second] = await Promise.all([cleanup().run(), cleanup().run()]);
    expect([first, second].filter((report) => report === null)).toHaveLength(1);
    expect(await count('access_tokens')).toBe(0);
  });

  it('runs on its own every GRANT_CLEANUP_INTERVAL_SECONDS', async () => {
    const scheduled = await createApp(
      testConfig(t.database.url, {
        cleanup: { intervalSeconds: 1, batchSize: 100, revokedRetentionDays: 30 },
      }),
    );
    try {
      await insert('authorization_codes', 3, PAST);
      const deadline = Date.now() + 15_000;
      while ((await count('authorization_codes')) > 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      expect(await count('authorization_codes')).toBe(0);
    } finally {
      await scheduled.close();
    }
  });
});
