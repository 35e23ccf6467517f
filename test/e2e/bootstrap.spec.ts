import type { INestApplication } from '@nestjs/common';
import { verify } from 'argon2';
import request from 'supertest';
import type { DataSource } from 'typeorm';
import { createApp } from '../../src/app.factory.js';
import {
  BOOTSTRAP_GROUP,
  BOOTSTRAP_TOKEN_IDENTIFIER,
  BOOTSTRAP_USERNAME,
} from '../../src/bootstrap/bootstrap.service.js';
import { SecretBox } from '../../src/common/crypto/secret-box.js';
import type { RuntimeConfig } from '../../src/config/config.js';
import { startTestApp, testConfig, type TestApp } from '../support/app.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

const LIST = '/api/v3/oauth2/authorization_codes/';
const TOKEN = 'bootstrap-token-0123456789-abcdefghij';
const PASSWORD = 'bootstrap-password-correct-horse';
const EMAIL = 'admin@example.com';

interface Counts {
  users: number;
  groups: number;
  tokens: number;
  memberships: number;
}

/** How many bootstrap rows the database holds. */
async function counts(db: DataSource): Promise<Counts> {
  const [row] = await db.query(
    `SELECT
       (SELECT count(*)::int FROM users WHERE username = $1) AS users,
       (SELECT count(*)::int FROM groups WHERE name = $2) AS groups,
       (SELECT count(*)::int FROM tokens WHERE identifier = $3) AS tokens,
       (SELECT count(*)::int FROM user_groups ug
          JOIN users u ON u.id = ug.user_id JOIN groups g ON g.id = ug.group_id
          WHERE u.username = $1 AND g.name = $2) AS memberships`,
    [BOOTSTRAP_USERNAME, BOOTSTRAP_GROUP, BOOTSTRAP_TOKEN_IDENTIFIER],
  );
  return row as Counts;
}

async function passwordHash(db: DataSource): Promise<string | null> {
  const [row] = await db.query('SELECT password_hash FROM users WHERE username = $1', [
    BOOTSTRAP_USERNAME,
  ]);
  return (row as { password_hash: string | null }).password_hash;
}

/** Another application instance on an existing database (as a second replica would start). */
async function startOn(
  url: string,
  bootstrap: RuntimeConfig['bootstrap'],
): Promise<INestApplication> {
  const app = await createApp(testConfig(url, { bootstrap }), { poolSize: 2 });
  await app.init();
  return app;
}

describe('bootstrap', () => {
  describe('with BOOTSTRAP_TOKEN, BOOTSTRAP_PASSWORD and BOOTSTRAP_EMAIL', () => {
    let t: TestApp;
    const others: INestApplication[] = [];
    beforeAll(async () => {
      t = await startTestApp({ bootstrap: { token: TOKEN, password: PASSWORD, email: EMAIL } });
    });
    afterAll(async () => {
      for (const app of others) await app.close();
      await t.close();
    });

    it('creates the superuser akadmin in the group authentik Admins', async () => {
      const db = t.database.dataSource;
      const users = await db.query(
        'SELECT id, username, email, is_active, type FROM users WHERE username = $1',
        [BOOTSTRAP_USERNAME],
      );
      expect(users).toHaveLength(1);
      expect(users[0]).toMatchObject({
        username: 'akadmin',
        email: EMAIL,
        is_active: true,
        type: 'internal',
      });
      const groups = await db.query(
        `SELECT g.name, g.is_superuser FROM user_groups ug JOIN groups g ON g.id = ug.group_id
         WHERE ug.user_id = $1`,
        [users[0].id],
      );
      expect(groups).toEqual([{ name: 'authentik Admins', is_superuser: true }]);
    });

    it('stores the password as an argon2id hash that verifies', async () => {
      const hash = await passwordHash(t.database.dataSource);
      expect(hash).toMatch(/^\$argon2id\$/);
      expect(hash).not.toContain(PASSWORD);
      await expect(verify(hash!, PASSWORD)).resolves.toBe(true);
      await expect(verify(hash!, `${PASSWORD}-wrong`)).resolves.toBe(false);
    });

    it('creates the non-expiring api token authentik-bootstrap-token for akadmin', async () => {
      const rows = await t.database.dataSource.query(
        `SELECT t.intent, t.expiring, t.expires, u.username
         FROM tokens t JOIN users u ON u.id = t.user_id WHERE t.identifier = $1`,
        [BOOTSTRAP_TOKEN_IDENTIFIER],
      );
      expect(rows).toEqual([
        { intent: 'api', expiring: false, expires: null, username: 'akadmin' },
      ]);
    });

    it('never stores the token key in clear, but can read it back', async () => {
      const [row] = await t.database.dataSource.query(
        'SELECT key_digest, key_ciphertext FROM tokens WHERE identifier = $1',
        [BOOTSTRAP_TOKEN_IDENTIFIER],
      );
      const { key_digest: digest, key_ciphertext: ciphertext } = row as Record<string, Buffer>;
      expect(Buffer.isBuffer(digest)).toBe(true);
      expect(Buffer.isBuffer(ciphertext)).toBe(true);
      for (const stored of [digest, ciphertext]) {
        expect(stored.includes(Buffer.from(TOKEN, 'utf8'))).toBe(false);
        expect(stored.toString('latin1')).not.toContain(TOKEN);
      }
      const secrets = t.app.get(SecretBox);
      expect(secrets.decrypt(ciphertext)).toBe(TOKEN);
      expect(digest.equals(secrets.digest(TOKEN))).toBe(true);
    });

    it('authenticates the token as a superuser', async () => {
      // A code of another user: only a superuser (or an entitled caller) sees it.
      const user = await t.fixtures.user();
      const provider = await t.fixtures.provider();
      const code = await t.fixtures.code({ user, provider });

      const res = await t.http.get(LIST).set('Authorization', `Bearer ${TOKEN}`);
      expect(res.status).toBe(200);
      const ids = (res.body.results as { pk: number }[]).map((result) => Number(result.pk));
      expect(ids).toContain(code);

      const unprivileged = await t.fixtures.caller();
      const other = await t.http.get(LIST).set('Authorization', unprivileged.auth);
      expect(other.status === 403 || !JSON.stringify(other.body).includes(`"pk":${code}`)).toBe(
        true,
      );
    });

    it('is idempotent: a second start on the same database creates nothing new', async () => {
      const db = t.database.dataSource;
      const before = await counts(db);
      expect(before).toEqual({ users: 1, groups: 1, tokens: 1, memberships: 1 });
      const hash = await passwordHash(db);
      const [token] = await db.query('SELECT id, key_digest FROM tokens WHERE identifier = $1', [
        BOOTSTRAP_TOKEN_IDENTIFIER,
      ]);

      others.push(
        await startOn(t.database.url, { token: TOKEN, password: PASSWORD, email: EMAIL }),
      );

      expect(await counts(db)).toEqual(before);
      expect(await passwordHash(db)).toBe(hash);
      const [after] = await db.query('SELECT id, key_digest FROM tokens WHERE identifier = $1', [
        BOOTSTRAP_TOKEN_IDENTIFIER,
      ]);
      expect(after.id).toBe(token.id);
      expect(after.key_digest.equals(token.key_digest)).toBe(true);
      expect((await t.http.get(LIST).set('Authorization', `Bearer ${TOKEN}`)).status).toBe(200);
    });

    it('follows a changed BOOTSTRAP_TOKEN but keeps the existing password', async () => {
      const db = t.database.dataSource;
      const newToken = 'rotated-bootstrap-token-9876543210';
      const newPassword = 'another-password-that-must-not-win';
      const hash = await passwordHash(db);

      const app = await startOn(t.database.url, {
        token: newToken,
        password: newPassword,
        email: EMAIL,
      });
      others.push(app);

      expect(await counts(db)).toEqual({ users: 1, groups: 1, tokens: 1, memberships: 1 });
      const old = await t.http.get(LIST).set('Authorization', `Bearer ${TOKEN}`);
      expect(old.status).toBe(403);
      expect(old.body).toEqual({ detail: 'Token invalid/expired' });
      expect((await t.http.get(LIST).set('Authorization', `Bearer ${newToken}`)).status).toBe(200);
      // The new instance serves it as well.
      const served = await request(app.getHttpServer())
        .get(LIST)
        .set('Authorization', `Bearer ${newToken}`);
      expect(served.status).toBe(200);

      const [row] = await db.query('SELECT key_ciphertext FROM tokens WHERE identifier = $1', [
        BOOTSTRAP_TOKEN_IDENTIFIER,
      ]);
      expect(t.app.get(SecretBox).decrypt(row.key_ciphertext)).toBe(newToken);

      const kept = await passwordHash(db);
      expect(kept).toBe(hash);
      await expect(verify(kept!, PASSWORD)).resolves.toBe(true);
      await expect(verify(kept!, newPassword)).resolves.toBe(false);
    });
  });

  describe('without BOOTSTRAP_TOKEN and BOOTSTRAP_PASSWORD', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp({ bootstrap: { email: EMAIL } });
    });
    afterAll(() => t.close());

    it('creates nothing', async () => {
      expect(await counts(t.database.dataSource)).toEqual({
        users: 0,
        groups: 0,
        tokens: 0,
        memberships: 0,
      });
      const [{ users, tokens }] = await t.database.dataSource.query(
        'SELECT (SELECT count(*)::int FROM users) AS users, (SELECT count(*)::int FROM tokens) AS tokens',
      );
      expect({ users, tokens }).toEqual({ users: 0, tokens: 0 });
    });
  });

  describe('with only one of them', () => {
    let database: TestDatabase;
    const apps: INestApplication[] = [];
    beforeAll(async () => {
      database = await createTestDatabase();
    });
    afterAll(async () => {
      for (const app of apps) await app.close();
      await database.drop();
    });

    it('BOOTSTRAP_PASSWORD alone creates the admin without a token', async () => {
      apps.push(await startOn(database.url, { password: PASSWORD }));
      expect(await counts(database.dataSource)).toEqual({
        users: 1,
        groups: 1,
        tokens: 0,
        memberships: 1,
      });
      const [{ email }] = await database.dataSource.query(
        'SELECT email FROM users WHERE username = $1',
        [BOOTSTRAP_USERNAME],
      );
      expect(email).toBe('root@localhost');
      await expect(verify((await passwordHash(database.dataSource))!, PASSWORD)).resolves.toBe(
        true,
      );
    });

    it('BOOTSTRAP_TOKEN later adds the token to the existing admin', async () => {
      const app = await startOn(database.url, { token: TOKEN });
      apps.push(app);
      expect(await counts(database.dataSource)).toEqual({
        users: 1,
        groups: 1,
        tokens: 1,
        memberships: 1,
      });
      const res = await request(app.getHttpServer())
        .get(LIST)
        .set('Authorization', `Bearer ${TOKEN}`);
      expect(res.status).toBe(200);
      // The password set before is still there.
      await expect(verify((await passwordHash(database.dataSource))!, PASSWORD)).resolves.toBe(
        true,
      );
    });
  });

  describe('BOOTSTRAP_TOKEN alone', () => {
    let database: TestDatabase;
    const apps: INestApplication[] = [];
    beforeAll(async () => {
      database = await createTestDatabase();
    });
    afterAll(async () => {
      for (const app of apps) await app.close();
      await database.drop();
    });

    it('creates an admin that cannot sign in with a password until one is given', async () => {
      apps.push(await startOn(database.url, { token: TOKEN }));
      expect(await counts(database.dataSource)).toEqual({
        users: 1,
        groups: 1,
        tokens: 1,
        memberships: 1,
      });
      expect(await passwordHash(database.dataSource)).toBeNull();

      apps.push(await startOn(database.url, { token: TOKEN, password: PASSWORD }));
      const hash = await passwordHash(database.dataSource);
      expect(hash).toMatch(/^\$argon2id\$/);
      await expect(verify(hash!, PASSWORD)).resolves.toBe(true);
    });
  });

  describe('concurrent first starts', () => {
    let database: TestDatabase;
    const apps: INestApplication[] = [];
    afterAll(async () => {
      for (const app of apps) await app.close();
      await database?.drop();
    });

    it('yield exactly one user, group, membership and token', async () => {
      database = await createTestDatabase();
      const bootstrap = { token: TOKEN, password: PASSWORD, email: EMAIL };
      const created = await Promise.all(
        [1, 2, 3].map(() => createApp(testConfig(database.url, { bootstrap }), { poolSize: 2 })),
      );
      apps.push(...created);
      const results = await Promise.allSettled(created.map((app) => app.init()));
      expect(results.map((result) => result.status)).toEqual([
        'fulfilled',
        'fulfilled',
        'fulfilled',
      ]);

      expect(await counts(database.dataSource)).toEqual({
        users: 1,
        groups: 1,
        tokens: 1,
        memberships: 1,
      });
      for (const app of created) {
        const res = await request(app.getHttpServer())
          .get(LIST)
          .set('Authorization', `Bearer ${TOKEN}`);
        expect(res.status).toBe(200);
      }
    });
  });
});
