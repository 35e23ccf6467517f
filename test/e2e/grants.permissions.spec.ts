/**
 * Contract §3: authentication, visibility, delete rules and secret redaction, for every grant
 * resource (authorization codes, access tokens, refresh tokens) through the shared grants core.
 */
import { Permissions } from '../../src/common/auth/permissions.js';
import { GRANT_KINDS } from '../../src/grants/grant-kinds.js';
import { startTestApp, type TestApp } from '../support/app.js';

const NOT_PROVIDED = { detail: 'Authentication credentials were not provided.' };
const TOKEN_INVALID = { detail: 'Token invalid/expired' };
const DENIED = { detail: 'You do not have permission to perform this action.' };

describe.each(GRANT_KINDS)('$modelName: authentication and permissions (§3)', (kind) => {
  const LIST = `/api/v3/${kind.routes.path}/`;
  const item = (id: number | string) => `${LIST}${id}/`;
  const NO_MATCH = { detail: `No ${kind.modelName} matches the given query.` };
  /** The view permission of another grant kind: it must not widen this one's visibility. */
  const otherView = GRANT_KINDS.find((other) => other !== kind)!.viewPermission;

  let t: TestApp;
  let provider: number;
  let otherProvider: number;
  let owner: { id: number; auth: string };
  let ownCode: number;
  let foreignCode: number;

  beforeAll(async () => {
    t = await startTestApp();
    provider = await t.fixtures.provider({ clientSecret: 'the-real-secret' });
    otherProvider = await t.fixtures.provider({ clientSecret: 'other-real-secret' });
    owner = await t.fixtures.caller();
    const stranger = await t.fixtures.user();
    ownCode = await t.fixtures.grant(kind, { user: owner.id, provider });
    foreignCode = await t.fixtures.grant(kind, { user: stranger, provider: otherProvider });
  });
  afterAll(() => t.close());

  const ids = (body: { results: { pk: number }[] }) =>
    body.results.map((r) => r.pk).sort((a, b) => a - b);
  const allCodeIds = async (): Promise<number[]> =>
    (await t.fixtures.db.query(`SELECT id FROM ${kind.table} ORDER BY id`)).map(
      (row: { id: string }) => Number(row.id),
    );

  describe('authentication', () => {
    it('refuses an anonymous list with 403 "not provided"', async () => {
      const res = await t.http.get(LIST);
      expect(res.status).toBe(403);
      expect(res.body).toEqual(NOT_PROVIDED);
    });

    it('refuses anonymous used_by with 403 "not provided"', async () => {
      const res = await t.http.get(`${item(ownCode)}used_by/`);
      expect(res.status).toBe(403);
      expect(res.body).toEqual(NOT_PROVIDED);
    });

    it('answers anonymous retrieve and destroy with the 404 of the resource', async () => {
      for (const res of [await t.http.get(item(ownCode)), await t.http.delete(item(ownCode))]) {
        expect(res.status).toBe(404);
        expect(res.body).toEqual(NO_MATCH);
      }
      const [{ count }] = await t.fixtures.db.query(
        `SELECT count(*)::int AS count FROM ${kind.table} WHERE id = $1`,
        [ownCode],
      );
      expect(count).toBe(1);
    });

    it('treats other schemes as anonymous', async () => {
      const res = await t.http.get(LIST).set('Authorization', 'Basic YWxhZGRpbjpvcGVuc2VzYW1l');
      expect(res.status).toBe(403);
      expect(res.body).toEqual(NOT_PROVIDED);
    });

    it.each([
      ['an unknown key', async () => 'Bearer not-a-real-key'],
      ['an empty key', async () => 'Bearer '],
      [
        'an expired token',
        async () =>
          `Bearer ${await t.fixtures.apiToken(await t.fixtures.user(), { expiring: true, expires: '2000-01-01T00:00:00Z' })}`,
      ],
      [
        'a token of an inactive user',
        async () =>
          `Bearer ${await t.fixtures.apiToken(await t.fixtures.user({ isActive: false }))}`,
      ],
      [
        'a token whose intent is not api',
        async () =>
          `Bearer ${await t.fixtures.apiToken(await t.fixtures.user(), { intent: 'recovery' })}`,
      ],
    ])('refuses %s with 403 "Token invalid/expired" on every route', async (_, header) => {
      const auth = await header();
      for (const res of [
        await t.http.get(LIST).set('Authorization', auth),
        await t.http.get(item(ownCode)).set('Authorization', auth),
        await t.http.delete(item(ownCode)).set('Authorization', auth),
      ]) {
        expect(res.status).toBe(403);
        expect(res.body).toEqual(TOKEN_INVALID);
      }
    });

    it('accepts a token that expires in the future, and the scheme in any case', async () => {
      const user = await t.fixtures.user();
      const key = await t.fixtures.apiToken(user, {
        expiring: true,
        expires: '2999-01-01T00:00:00Z',
      });
      const res = await t.http.get(LIST).set('Authorization', `bearer ${key}`);
      expect(res.status).toBe(200);
    });

    it('stops accepting a token as soon as it is deleted (no caching)', async () => {
      const caller = await t.fixtures.caller();
      expect((await t.http.get(LIST).set('Authorization', caller.auth)).status).toBe(200);
      await t.fixtures.db.query('DELETE FROM tokens WHERE user_id = $1', [caller.id]);
      const res = await t.http.get(LIST).set('Authorization', caller.auth);
      expect(res.status).toBe(403);
      expect(res.body).toEqual(TOKEN_INVALID);
    });
  });

  describe('visibility', () => {
    it('shows a plain user only their own codes', async () => {
      const res = await t.http.get(LIST).set('Authorization', owner.auth);
      expect(res.status).toBe(200);
      expect(ids(res.body)).toEqual([ownCode]);
    });

    it('shows a holder of global view every code', async () => {
      const viewer = await t.fixtures.caller([kind.viewPermission]);
      const res = await t.http.get(LIST).set('Authorization', viewer.auth);
      expect(ids(res.body)).toEqual(await allCodeIds());
      expect(ids(res.body)).toEqual(expect.arrayContaining([ownCode, foreignCode]));
    });

    it('shows a holder of an object view permission that code plus their own', async () => {
      const viewer = await t.fixtures.caller([[kind.viewPermission, String(foreignCode)]]);
      const mine = await t.fixtures.grant(kind, { user: viewer.id, provider });
      const res = await t.http.get(LIST).set('Authorization', viewer.auth);
      expect(ids(res.body)).toEqual([foreignCode, mine]);
      expect((await t.http.get(item(foreignCode)).set('Authorization', viewer.auth)).status).toBe(
        200,
      );
      expect((await t.http.get(item(ownCode)).set('Authorization', viewer.auth)).status).toBe(404);
    });

    it('does not let a permission on another model widen visibility', async () => {
      const viewer = await t.fixtures.caller([otherView, Permissions.viewOAuth2Provider]);
      const res = await t.http.get(LIST).set('Authorization', viewer.auth);
      expect(res.body.results).toEqual([]);
    });

    it('makes a member of a group whose grand-parent is a superuser group a superuser', async () => {
      const root = await t.fixtures.group({ isSuperuser: true });
      const parent = await t.fixtures.group({ parent: root });
      const child = await t.fixtures.group({ parent });
      const id = await t.fixtures.user({ groups: [child] });
      const auth = `Bearer ${await t.fixtures.apiToken(id)}`;
      const res = await t.http.get(LIST).set('Authorization', auth);
      expect(ids(res.body)).toEqual(await allCodeIds());
    });

    it('grants permissions held through a role of an ancestor group', async () => {
      const role = await t.fixtures.role([kind.viewPermission]);
      const parent = await t.fixtures.group({ roles: [role] });
      const child = await t.fixtures.group({ parent });
      const id = await t.fixtures.user({ groups: [child] });
      const res = await t.http
        .get(LIST)
        .set('Authorization', `Bearer ${await t.fixtures.apiToken(id)}`);
      expect(ids(res.body)).toEqual(await allCodeIds());
    });

    it('grants permissions held through a role assigned to the user directly', async () => {
      const role = await t.fixtures.role([kind.viewPermission]);
      const id = await t.fixtures.user({ roles: [role] });
      const res = await t.http
        .get(LIST)
        .set('Authorization', `Bearer ${await t.fixtures.apiToken(id)}`);
      expect(ids(res.body)).toEqual(await allCodeIds());
    });

    it('survives a cycle in the group hierarchy', async () => {
      const a = await t.fixtures.group();
      const b = await t.fixtures.group({ parent: a });
      await t.fixtures.db.query('UPDATE groups SET parent_id = $1 WHERE id = $2', [b, a]);
      const id = await t.fixtures.user({ groups: [a] });
      const res = await t.http
        .get(LIST)
        .set('Authorization', `Bearer ${await t.fixtures.apiToken(id)}`);
      expect(res.status).toBe(200);
      expect(res.body.results).toEqual([]);
    });

    it('filters inside the visible rows: another user id yields an empty page, not an error', async () => {
      const other = (
        await t.fixtures.db.query(`SELECT user_id FROM ${kind.table} WHERE id = $1`, [foreignCode])
      )[0].user_id;
      const res = await t.http.get(LIST).query({ user: other }).set('Authorization', owner.auth);
      expect(res.status).toBe(200);
      expect(res.body.results).toEqual([]);
      expect(res.body.pagination.count).toBe(0);
    });

    it('answers 404 for an invisible row on retrieve and used_by', async () => {
      for (const path of [item(foreignCode), `${item(foreignCode)}used_by/`]) {
        const res = await t.http.get(path).set('Authorization', owner.auth);
        expect(res.status).toBe(404);
        expect(res.body).toEqual(NO_MATCH);
      }
    });

    it('answers used_by with [] for a visible row', async () => {
      const res = await t.http.get(`${item(ownCode)}used_by/`).set('Authorization', owner.auth);
      expect(res.status).toBe(200);
      expect(res.body).toEqual([]);
    });
  });

  describe('delete', () => {
    const exists = async (id: number) =>
      (await t.fixtures.db.query(`SELECT 1 FROM ${kind.table} WHERE id = $1`, [id])).length === 1;

    it('lets the owner revoke their own code, once', async () => {
      const code = await t.fixtures.grant(kind, { user: owner.id, provider });
      const first = await t.http.delete(item(code)).set('Authorization', owner.auth);
      expect(first.status).toBe(204);
      expect(first.text).toBe('');
      expect(await exists(code)).toBe(false);
      const second = await t.http.delete(item(code)).set('Authorization', owner.auth);
      expect(second.status).toBe(404);
      expect(second.body).toEqual(NO_MATCH);
    });

    it('answers 404 to a plain user deleting an invisible code, and keeps it', async () => {
      const res = await t.http.delete(item(foreignCode)).set('Authorization', owner.auth);
      expect(res.status).toBe(404);
      expect(res.body).toEqual(NO_MATCH);
      expect(await exists(foreignCode)).toBe(true);
    });

    it('answers 403 to a viewer without delete permission, and keeps the code', async () => {
      const viewer = await t.fixtures.caller([kind.viewPermission]);
      const res = await t.http.delete(item(foreignCode)).set('Authorization', viewer.auth);
      expect(res.status).toBe(403);
      expect(res.body).toEqual(DENIED);
      expect(await exists(foreignCode)).toBe(true);
    });

    it('lets a holder of global view + delete delete any code', async () => {
      const code = await t.fixtures.grant(kind, { user: await t.fixtures.user(), provider });
      const admin = await t.fixtures.caller([kind.viewPermission, kind.deletePermission]);
      expect((await t.http.delete(item(code)).set('Authorization', admin.auth)).status).toBe(204);
      expect(await exists(code)).toBe(false);
    });

    it('lets a holder of object view + delete delete that code only', async () => {
      const code = await t.fixtures.grant(kind, { user: await t.fixtures.user(), provider });
      const other = await t.fixtures.grant(kind, { user: await t.fixtures.user(), provider });
      const deleter = await t.fixtures.caller([
        [kind.viewPermission, String(code)],
        [kind.deletePermission, String(code)],
        [kind.viewPermission, String(other)],
      ]);
      expect((await t.http.delete(item(code)).set('Authorization', deleter.auth)).status).toBe(204);
      const refused = await t.http.delete(item(other)).set('Authorization', deleter.auth);
      expect(refused.status).toBe(403);
      expect(await exists(other)).toBe(true);
    });

    it('lets a superuser (through a grand-parent group) delete any code', async () => {
      const root = await t.fixtures.group({ isSuperuser: true });
      const child = await t.fixtures.group({ parent: await t.fixtures.group({ parent: root }) });
      const id = await t.fixtures.user({ groups: [child] });
      const code = await t.fixtures.grant(kind, { user: await t.fixtures.user(), provider });
      const res = await t.http
        .delete(item(code))
        .set('Authorization', `Bearer ${await t.fixtures.apiToken(id)}`);
      expect(res.status).toBe(204);
      expect(await exists(code)).toBe(false);
    });

    it('applies filters on destroy: a code outside them is 404 and stays', async () => {
      const code = await t.fixtures.grant(kind, { user: owner.id, provider });
      const res = await t.http
        .delete(item(code))
        .query({ provider: otherProvider })
        .set('Authorization', owner.auth);
      expect(res.status).toBe(404);
      expect(await exists(code)).toBe(true);
    });
  });

  describe('client_secret redaction', () => {
    const secretOf = async (auth: string, code: number) =>
      (await t.http.get(item(code)).set('Authorization', auth)).body.provider.client_secret;

    it('hides the secret from a plain owner', async () => {
      expect(await secretOf(owner.auth, ownCode)).toBe('');
    });

    it('shows it to a superuser', async () => {
      const admin = await t.fixtures.superCaller();
      expect(await secretOf(admin.auth, ownCode)).toBe('the-real-secret');
    });

    it('shows it to a global view_oauth2provider holder', async () => {
      const caller = await t.fixtures.caller([Permissions.viewOAuth2Provider], {});
      const code = await t.fixtures.grant(kind, { user: caller.id, provider });
      expect(await secretOf(caller.auth, code)).toBe('the-real-secret');
    });

    it('shows it per provider to an object-level view_oauth2provider holder', async () => {
      const caller = await t.fixtures.caller([
        [Permissions.viewOAuth2Provider, String(provider)],
        kind.viewPermission,
      ]);
      expect(await secretOf(caller.auth, ownCode)).toBe('the-real-secret');
      expect(await secretOf(caller.auth, foreignCode)).toBe('');
    });

    it("hides it from a holder of the grant's view permission only, keeping the key", async () => {
      const caller = await t.fixtures.caller([kind.viewPermission]);
      const res = await t.http.get(LIST).set('Authorization', caller.auth);
      for (const row of res.body.results) {
        expect(row.provider).toHaveProperty('client_secret', '');
      }
      expect(JSON.stringify(res.body)).not.toContain('real-secret');
    });
  });

  describe('methods', () => {
    it.each([
      ['POST', LIST],
      ['PUT', item(1)],
      ['PATCH', item(1)],
      ['POST', item(1)],
    ])('answers %s %s with 405 for an authenticated caller', async (method, path) => {
      const res = await t.http[method.toLowerCase() as 'post'](path)
        .set('Authorization', owner.auth)
        .send({});
      expect(res.status).toBe(405);
      expect(res.body).toEqual({ detail: `Method "${method}" not allowed.` });
    });

    it('answers an anonymous PUT with the 403 of §3 first', async () => {
      const res = await t.http.put(item(ownCode)).send({});
      expect(res.status).toBe(403);
      expect(res.body).toEqual(NOT_PROVIDED);
    });

    it('answers HEAD like GET without a body', async () => {
      const res = await t.http.head(LIST).set('Authorization', owner.auth);
      expect(res.status).toBe(200);
      expect(res.text ?? '').toBe('');
      expect(res.headers['content-type']).toMatch(/application\/json/);
    });
  });
});
