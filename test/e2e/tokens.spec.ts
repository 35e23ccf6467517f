/**
 * core/tokens/ (issue 4): API tokens — CRUD, who sees and changes which token, the key (generated,
 * shown once, read back only by its owner or a holder of view_token_key, never stored in clear),
 * mass-assignment, and revocation taking effect on the very next request.
 */
import type { AddressInfo } from 'node:net';
import {
  Configuration,
  CoreApi,
  PaginatedTokenListFromJSON,
  ResponseError,
  TokenFromJSON,
  TokenViewFromJSON,
} from '@goauthentik/api';
import { SecretBox } from '../../src/common/crypto/secret-box.js';
import { keysRead, keysSent } from '../support/client-keys.js';
import { startTestApp, type TestApp } from '../support/app.js';

const TOKENS = '/api/v3/core/tokens/';
const token = (identifier: string) => `${TOKENS}${identifier}/`;
const viewKey = (identifier: string) => `${TOKENS}${identifier}/view_key/`;

const NOT_PROVIDED = { detail: 'Authentication credentials were not provided.' };
const TOKEN_INVALID = { detail: 'Token invalid/expired' };
const DENIED = { detail: 'You do not have permission to perform this action.' };
const NO_TOKEN = { detail: 'No Token matches the given query.' };

const VIEW = 'authentik_core.view_token';
const CHANGE = 'authentik_core.change_token';
const DELETE = 'authentik_core.delete_token';
const VIEW_KEY = 'authentik_core.view_token_key';

const ITEM_KEYS = [
  'pk',
  'managed',
  'identifier',
  'intent',
  'user',
  'user_obj',
  'description',
  'expires',
  'expiring',
];

type Caller = { id: number; auth: string };
type Item = { pk: string; identifier: string; user: number; [key: string]: unknown };

describe('core/tokens', () => {
  let t: TestApp;
  let admin: Caller;
  let owner: Caller;
  let stranger: Caller;
  let sequence = 0;
  const unique = (prefix: string) => `${prefix}-${++sequence}`;

  beforeAll(async () => {
    t = await startTestApp();
    admin = await t.fixtures.superCaller();
    owner = await t.fixtures.caller([], { username: 'token-owner' });
    stranger = await t.fixtures.caller([], { username: 'token-stranger' });
  });
  afterAll(() => t.close());

  const create = async (auth: string, body: Record<string, unknown>) => {
    const res = await t.http.post(TOKENS).set('Authorization', auth).send(body);
    expect(res.status).toBe(201);
    return res.body as Item & { key: string };
  };
  const whoAmI = (key: string) =>
    t.http.get(TOKENS).query({ page_size: 1 }).set('Authorization', `Bearer ${key}`);
  const identifiers = (body: { results: Item[] }) => body.results.map((r) => r.identifier);

  describe('CRUD and the key', () => {
    it('creates a token for the caller, with a generated key shown once', async () => {
      const before = Date.now();
      const res = await t.http
        .post(TOKENS)
        .set('Authorization', owner.auth)
        .send({ identifier: 'owner-ci', description: 'CI', intent: 'api' });
      expect(res.status).toBe(201);
      expect(Object.keys(res.body)).toEqual([
        'pk',
        'managed',
        'identifier',
        'key',
        'intent',
        'user',
        'user_obj',
        'description',
        'expires',
        'expiring',
      ]);
      expect(res.body).toMatchObject({
        managed: null,
        identifier: 'owner-ci',
        intent: 'api',
        user: owner.id,
        description: 'CI',
        expiring: true,
      });
      expect(res.body.pk).toMatch(/^[0-9a-f-]{36}$/);
      expect(res.body.key).toMatch(/^[A-Za-z0-9_-]{40,}$/);
      expect(res.body.user_obj).toMatchObject({ pk: owner.id, username: 'token-owner' });
      // Default lifetime: 30 minutes.
      const expires = Date.parse(res.body.expires);
      expect(expires).toBeGreaterThanOrEqual(before + 30 * 60_000 - 1_000);
      expect(expires).toBeLessThanOrEqual(Date.now() + 30 * 60_000 + 1_000);

      // The key works at once, and is never shown again.
      expect((await whoAmI(res.body.key)).status).toBe(200);
      const fetched = await t.http.get(token('owner-ci')).set('Authorization', owner.auth);
      expect(fetched.status).toBe(200);
      expect(Object.keys(fetched.body)).toEqual(ITEM_KEYS);
      const { key: _key, ...withoutKey } = res.body;
      expect(fetched.body).toEqual(withoutKey);
      const list = await t.http.get(TOKENS).set('Authorization', owner.auth);
      for (const item of list.body.results) expect(Object.keys(item)).toEqual(ITEM_KEYS);
      expect(JSON.stringify(list.body)).not.toContain(res.body.key);
      expect(JSON.stringify(fetched.body)).not.toContain(res.body.key);
    });

    it('updates, partially updates, renames and deletes a token', async () => {
      const created = await create(owner.auth, { identifier: 'owner-crud' });
      const put = await t.http.put(token('owner-crud')).set('Authorization', owner.auth).send({
        identifier: 'owner-crud',
        description: 'replaced',
        expires: '2099-01-02T03:04:05.123456Z',
      });
      expect(put.status).toBe(200);
      expect(put.body).toMatchObject({
        pk: created.pk,
        description: 'replaced',
        expires: '2099-01-02T03:04:05.123456Z',
      });
      expect(put.body).not.toHaveProperty('key');

      const patch = await t.http
        .patch(token('owner-crud'))
        .set('Authorization', owner.auth)
        .send({ description: 'patched', intent: 'app_password' });
      expect(patch.status).toBe(200);
      expect(patch.body).toMatchObject({ description: 'patched', intent: 'app_password' });

      const renamed = await t.http
        .patch(token('owner-crud'))
        .set('Authorization', owner.auth)
        .send({ identifier: 'owner-crud-2' });
      expect(renamed.body.identifier).toBe('owner-crud-2');
      expect((await t.http.get(token('owner-crud')).set('Authorization', owner.auth)).status).toBe(
        404,
      );
      expect(
        (await t.http.get(token('owner-crud-2')).set('Authorization', owner.auth)).body.pk,
      ).toBe(created.pk);

      const removed = await t.http.delete(token('owner-crud-2')).set('Authorization', owner.auth);
      expect(removed.status).toBe(204);
      expect(removed.text).toBe('');
      const gone = await t.http.get(token('owner-crud-2')).set('Authorization', owner.auth);
      expect(gone.status).toBe(404);
      expect(gone.body).toEqual(NO_TOKEN);
      const again = await t.http.delete(token('owner-crud-2')).set('Authorization', owner.auth);
      expect(again.body).toEqual(NO_TOKEN);
    });

    it('revokes a deleted token at once', async () => {
      const created = await create(owner.auth, { identifier: 'owner-doomed' });
      expect((await whoAmI(created.key)).status).toBe(200);
      await t.http.delete(token('owner-doomed')).set('Authorization', owner.auth).expect(204);
      const res = await whoAmI(created.key);
      expect(res.status).toBe(403);
      expect(res.body).toEqual(TOKEN_INVALID);
    });

    it('a token may delete itself, and is revoked for the next request', async () => {
      const created = await create(owner.auth, { identifier: 'owner-self' });
      const self = `Bearer ${created.key}`;
      await t.http.delete(token('owner-self')).set('Authorization', self).expect(204);
      expect((await t.http.get(TOKENS).set('Authorization', self)).body).toEqual(TOKEN_INVALID);
    });

    it('never stores the key in clear', async () => {
      const created = await create(owner.auth, { identifier: 'owner-stored' });
      const [row] = await t.fixtures.db.query('SELECT * FROM tokens WHERE id = $1', [created.pk]);
      const secrets = t.app.get(SecretBox);
      expect(row.key_digest).toEqual(secrets.digest(created.key));
      expect(secrets.decrypt(row.key_ciphertext)).toBe(created.key);
      const keyBytes = Buffer.from(created.key, 'utf8');
      for (const [column, value] of Object.entries(row)) {
        const stored = Buffer.isBuffer(value) ? value : Buffer.from(JSON.stringify(value) ?? '');
        expect({ column, clear: stored.includes(keyBytes) }).toEqual({ column, clear: false });
        expect({ column, hex: stored.toString('hex').includes(keyBytes.toString('hex')) }).toEqual({
          column,
          hex: false,
        });
      }
      // Nothing in the whole table carries the key as text.
      const [{ n }] = await t.fixtures.db.query(
        'SELECT count(*)::int AS n FROM tokens t WHERE strpos(t::text, $1) > 0',
        [created.key],
      );
      expect(n).toBe(0);
    });

    it('gives every token its own key', async () => {
      const a = await create(owner.auth, { identifier: 'owner-key-a' });
      const b = await create(owner.auth, { identifier: 'owner-key-b' });
      expect(a.key).not.toBe(b.key);
    });
  });

  describe('view_key', () => {
    let ownerToken: Item & { key: string };
    beforeAll(async () => {
      ownerToken = await create(owner.auth, { identifier: 'owner-viewkey' });
    });

    it("returns the key to the token's owner and to superusers", async () => {
      for (const caller of [owner, admin]) {
        const res = await t.http.get(viewKey('owner-viewkey')).set('Authorization', caller.auth);
        expect(res.status).toBe(200);
        expect(res.body).toEqual({ key: ownerToken.key });
      }
    });

    it('returns it to a holder of view_token_key, globally or on the token', async () => {
      const global = await t.fixtures.caller([VIEW, VIEW_KEY]);
      const onObject = await t.fixtures.caller([
        [VIEW, ownerToken.pk],
        [VIEW_KEY, ownerToken.pk],
      ]);
      for (const caller of [global, onObject]) {
        const res = await t.http.get(viewKey('owner-viewkey')).set('Authorization', caller.auth);
        expect(res.status).toBe(200);
        expect(res.body).toEqual({ key: ownerToken.key });
      }
    });

    it('refuses one who sees the token but may not read its key (403)', async () => {
      const viewer = await t.fixtures.caller([VIEW]);
      const res = await t.http.get(viewKey('owner-viewkey')).set('Authorization', viewer.auth);
      expect(res.status).toBe(403);
      expect(res.body).toEqual(DENIED);
      const otherObject = await t.fixtures.caller([VIEW, [VIEW_KEY, admin.id.toString()]]);
      expect(
        (await t.http.get(viewKey('owner-viewkey')).set('Authorization', otherObject.auth)).status,
      ).toBe(403);
    });

    it('answers 404 to one who does not see the token, 403 to anonymous callers', async () => {
      const res = await t.http.get(viewKey('owner-viewkey')).set('Authorization', stranger.auth);
      expect(res.status).toBe(404);
      expect(res.body).toEqual(NO_TOKEN);
      // view_token_key alone does not make a token visible.
      const keyOnly = await t.fixtures.caller([VIEW_KEY]);
      expect(
        (await t.http.get(viewKey('owner-viewkey')).set('Authorization', keyOnly.auth)).status,
      ).toBe(404);
      const anonymous = await t.http.get(viewKey('owner-viewkey'));
      expect(anonymous.status).toBe(403);
      expect(anonymous.body).toEqual(NOT_PROVIDED);
      const missing = await t.http.get(viewKey('no-such-token')).set('Authorization', admin.auth);
      expect(missing.body).toEqual(NO_TOKEN);
    });
  });

  describe('mass assignment', () => {
    it('ignores user, key, key_digest, managed and pk from a non-superuser', async () => {
      const chosenKey = 'chosen-key-0123456789abcdefghijklmnopqrstuvwxyz';
      const pk = '00000000-0000-4000-8000-000000000001';
      const res = await t.http
        .post(TOKENS)
        .set('Authorization', owner.auth)
        .send({
          identifier: 'owner-mass',
          user: stranger.id,
          key: chosenKey,
          key_digest: 'AAAA',
          key_ciphertext: 'AAAA',
          managed: 'goauthentik.io/token/evil',
          pk,
          user_obj: { pk: stranger.id },
        });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ user: owner.id, managed: null });
      expect(res.body.user_obj.pk).toBe(owner.id);
      expect(res.body.pk).not.toBe(pk);
      expect(res.body.key).not.toBe(chosenKey);
      expect((await whoAmI(chosenKey)).status).toBe(403);
      const [row] = await t.fixtures.db.query(
        'SELECT user_id, managed FROM tokens WHERE identifier = $1',
        ['owner-mass'],
      );
      expect(row).toEqual({ user_id: owner.id, managed: null });

      const patch = await t.http
        .patch(token('owner-mass'))
        .set('Authorization', owner.auth)
        .send({ user: stranger.id, managed: 'x', pk, key: chosenKey, expiring: false });
      expect(patch.status).toBe(200);
      expect(patch.body).toMatchObject({
        pk: res.body.pk,
        user: owner.id,
        managed: null,
        expiring: true,
      });
      const put = await t.http
        .put(token('owner-mass'))
        .set('Authorization', owner.auth)
        .send({ identifier: 'owner-mass', user: stranger.id });
      expect(put.body.user).toBe(owner.id);
      const view = await t.http.get(viewKey('owner-mass')).set('Authorization', owner.auth);
      expect(view.body.key).toBe(res.body.key);
    });

    it('keeps non-superusers from creating tokens that never expire', async () => {
      const res = await create(owner.auth, {
        identifier: 'owner-forever',
        expiring: false,
      });
      expect(res.expiring).toBe(true);
      expect(res.expires).not.toBeNull();
      const nullExpiry = await t.http
        .post(TOKENS)
        .set('Authorization', owner.auth)
        .send({ identifier: 'owner-forever-2', expires: null });
      expect(nullExpiry.status).toBe(400);
      expect(nullExpiry.body).toEqual({ expires: ['This field may not be null.'] });
      const patch = await t.http
        .patch(token('owner-forever'))
        .set('Authorization', owner.auth)
        .send({ expires: null });
      expect(patch.status).toBe(400);
      expect(patch.body).toEqual({ expires: ['This field may not be null.'] });
    });

    it('lets the user attribute goauthentik.io/user/token-expires=false allow it', async () => {
      const trusted = await t.fixtures.caller([], {
        attributes: { 'goauthentik.io/user/token-expires': false },
      });
      const res = await create(trusted.auth, { identifier: unique('trusted') });
      expect(res).toMatchObject({ expiring: false, expires: null });
    });
  });

  describe('superusers', () => {
    it('create tokens for anyone, that may never expire, and move them between users', async () => {
      const res = await create(admin.auth, {
        identifier: 'admin-for-owner',
        user: owner.id,
        expiring: false,
        expires: null,
      });
      expect(res).toMatchObject({ user: owner.id, expiring: false, expires: null });
      expect((await whoAmI(res.key)).status).toBe(200);
      expect(
        (await t.http.get(viewKey('admin-for-owner')).set('Authorization', owner.auth)).body,
      ).toEqual({ key: res.key });
      const moved = await t.http
        .patch(token('admin-for-owner'))
        .set('Authorization', admin.auth)
        .send({ user: stranger.id });
      expect(moved.body).toMatchObject({ user: stranger.id, user_obj: { pk: stranger.id } });
      expect(
        (await t.http.get(token('admin-for-owner')).set('Authorization', owner.auth)).status,
      ).toBe(404);
      const own = await create(admin.auth, { identifier: 'admin-own' });
      expect(own.user).toBe(admin.id);
      expect(own.user_obj).toMatchObject({ pk: admin.id, is_superuser: true });
    });

    it('get 400 for a user that does not exist', async () => {
      for (const [user, message] of [
        [999_999, 'Invalid pk "999999" - object does not exist.'],
        [0, 'Invalid pk "0" - object does not exist.'],
        [2 ** 40, `Invalid pk "${2 ** 40}" - object does not exist.`],
        ['abc', 'Incorrect type. Expected pk value, received str.'],
      ] as const) {
        const res = await t.http
          .post(TOKENS)
          .set('Authorization', admin.auth)
          .send({ identifier: unique('ghost'), user });
        expect(res.status).toBe(400);
        expect(res.body).toEqual({ user: [message] });
      }
    });
  });

  describe('validation', () => {
    it.each([
      [{}, { identifier: ['This field is required.'] }],
      [
        { identifier: 'has space' },
        {
          identifier: [
            'Enter a valid "slug" consisting of letters, numbers, underscores or hyphens.',
          ],
        },
      ],
      [
        { identifier: 'x'.repeat(256) },
        { identifier: ['Ensure this field has no more than 255 characters.'] },
      ],
      [{ identifier: 'v-intent', intent: 'bogus' }, { intent: ['"bogus" is not a valid choice.'] }],
      [{ identifier: 'v-recovery', intent: 'recovery' }, { intent: ['Invalid intent recovery'] }],
      [
        { identifier: 'v-verification', intent: 'verification' },
        { intent: ['Invalid intent verification'] },
      ],
      [
        { identifier: 'v-expires', expires: 'tomorrow' },
        {
          expires: [
            'Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].',
          ],
        },
      ],
      [
        { identifier: 'v-expires-2', expires: '2024-02-30T00:00:00Z' },
        {
          expires: [
            'Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].',
          ],
        },
      ],
      [{ identifier: 'v-expiring', expiring: 'yes' }, { expiring: ['Must be a valid boolean.'] }],
      [{ identifier: 'v-description', description: 5 }, { description: ['Not a valid string.'] }],
      [
        { identifier: 'bad id', intent: 'nope', expiring: 1 },
        {
          identifier: [
            'Enter a valid "slug" consisting of letters, numbers, underscores or hyphens.',
          ],
          intent: ['"nope" is not a valid choice.'],
          expiring: ['Must be a valid boolean.'],
        },
      ],
    ])('refuses %j with 400 %j', async (body, errors) => {
      const [{ n: before }] = await t.fixtures.db.query('SELECT count(*)::int AS n FROM tokens');
      const res = await t.http.post(TOKENS).set('Authorization', admin.auth).send(body);
      expect(res.status).toBe(400);
      expect(res.body).toEqual(errors);
      const [{ n: after }] = await t.fixtures.db.query('SELECT count(*)::int AS n FROM tokens');
      expect(after).toBe(before);
    });

    it('answers a duplicate identifier with 400, on create and on rename', async () => {
      await create(owner.auth, { identifier: 'owner-dup' });
      await create(stranger.auth, { identifier: 'stranger-dup' });
      const duplicate = await t.http
        .post(TOKENS)
        .set('Authorization', stranger.auth)
        .send({ identifier: 'owner-dup' });
      expect(duplicate.status).toBe(400);
      expect(duplicate.body).toEqual({
        identifier: ['Token with this identifier already exists.'],
      });
      const rename = await t.http
        .patch(token('stranger-dup'))
        .set('Authorization', stranger.auth)
        .send({ identifier: 'owner-dup' });
      expect(rename.status).toBe(400);
      expect(rename.body).toEqual({ identifier: ['Token with this identifier already exists.'] });
    });

    it('requires the identifier on PUT, not on PATCH', async () => {
      await create(owner.auth, { identifier: 'owner-put' });
      const put = await t.http
        .put(token('owner-put'))
        .set('Authorization', owner.auth)
        .send({ description: 'x' });
      expect(put.status).toBe(400);
      expect(put.body).toEqual({ identifier: ['This field is required.'] });
      const patch = await t.http
        .patch(token('owner-put'))
        .set('Authorization', owner.auth)
        .send({ description: 'x' });
      expect(patch.status).toBe(200);
    });
  });

  describe('authentication with created tokens', () => {
    it('refuses an expired token', async () => {
      const past = await create(admin.auth, {
        identifier: 'admin-expired',
        user: owner.id,
        expires: '2001-01-01T00:00:00Z',
      });
      const res = await whoAmI(past.key);
      expect(res.status).toBe(403);
      expect(res.body).toEqual(TOKEN_INVALID);

      const soon = await create(owner.auth, {
        identifier: 'owner-expires-later',
        expires: '2099-01-01T00:00:00Z',
      });
      expect((await whoAmI(soon.key)).status).toBe(200);
      // Moving the expiry into the past stops it at once.
      await t.http
        .patch(token('owner-expires-later'))
        .set('Authorization', owner.auth)
        .send({ expires: '2001-01-01T00:00:00+02:00' })
        .expect(200);
      expect((await whoAmI(soon.key)).body).toEqual(TOKEN_INVALID);
    });

    it('does not accept app passwords as API tokens', async () => {
      const appPassword = await create(owner.auth, {
        identifier: 'owner-app-password',
        intent: 'app_password',
      });
      expect(appPassword.intent).toBe('app_password');
      expect((await whoAmI(appPassword.key)).body).toEqual(TOKEN_INVALID);
    });
  });

  describe('visibility and permissions', () => {
    let ownerToken: Item;
    let strangerToken: Item;
    beforeAll(async () => {
      ownerToken = await create(owner.auth, { identifier: 'vis-owner', description: 'mine' });
      strangerToken = await create(stranger.auth, { identifier: 'vis-stranger' });
    });
    const allIdentifiers = async (): Promise<string[]> =>
      (await t.fixtures.db.query('SELECT identifier FROM tokens ORDER BY identifier')).map(
        (r: { identifier: string }) => r.identifier,
      );
    const listed = async (caller: Caller) => {
      const res = await t.http
        .get(TOKENS)
        .query({ page_size: 100, ordering: 'identifier' })
        .set('Authorization', caller.auth);
      expect(res.status).toBe(200);
      return identifiers(res.body);
    };

    it('refuses anonymous lists and creates, and 404s anonymous detail routes', async () => {
      expect((await t.http.get(TOKENS)).body).toEqual(NOT_PROVIDED);
      const post = await t.http.post(TOKENS).send({ identifier: 'anon' });
      expect(post.status).toBe(403);
      expect(post.body).toEqual(NOT_PROVIDED);
      for (const res of [
        await t.http.get(token('vis-owner')),
        await t.http.patch(token('vis-owner')).send({ description: 'anon' }),
        await t.http.delete(token('vis-owner')),
      ]) {
        expect(res.status).toBe(404);
        expect(res.body).toEqual(NO_TOKEN);
      }
    });

    it("shows a plain caller its own tokens only; others' are 404", async () => {
      const mine = (
        await t.fixtures.db.query(
          'SELECT identifier FROM tokens WHERE user_id = $1 ORDER BY identifier',
          [owner.id],
        )
      ).map((r: { identifier: string }) => r.identifier);
      expect(await listed(owner)).toEqual(mine);
      expect(mine).toContain('vis-owner');
      for (const res of [
        await t.http.get(token('vis-stranger')).set('Authorization', owner.auth),
        await t.http
          .patch(token('vis-stranger'))
          .set('Authorization', owner.auth)
          .send({ description: 'x' }),
        await t.http.delete(token('vis-stranger')).set('Authorization', owner.auth),
      ]) {
        expect(res.status).toBe(404);
        expect(res.body).toEqual(NO_TOKEN);
      }
      expect(
        (await t.http.get(token('vis-stranger')).set('Authorization', admin.auth)).status,
      ).toBe(200);
    });

    it('shows every token to superusers and to global view_token holders', async () => {
      const viewer = await t.fixtures.caller([VIEW]);
      expect(await listed(viewer)).toEqual(await allIdentifiers());
      expect(await listed(admin)).toEqual(await allIdentifiers());
    });

    it('adds the tokens an object-level view_token is held on', async () => {
      const scoped = await t.fixtures.caller([[VIEW, strangerToken.pk]]);
      const own = await create(scoped.auth, { identifier: unique('scoped') });
      const owned = (
        await t.fixtures.db.query('SELECT identifier FROM tokens WHERE user_id = $1', [scoped.id])
      ).map((r: { identifier: string }) => r.identifier);
      expect(owned).toContain(own.identifier);
      expect(await listed(scoped)).toEqual([...owned, 'vis-stranger'].sort());
      expect((await t.http.get(token('vis-owner')).set('Authorization', scoped.auth)).status).toBe(
        404,
      );
    });

    it('answers 403 to a viewer who may not change or delete, and lets permission holders', async () => {
      const viewer = await t.fixtures.caller([VIEW]);
      const patch = await t.http
        .patch(token('vis-owner'))
        .set('Authorization', viewer.auth)
        .send({ description: 'hijacked' });
      expect(patch.status).toBe(403);
      expect(patch.body).toEqual(DENIED);
      const del = await t.http.delete(token('vis-owner')).set('Authorization', viewer.auth);
      expect(del.status).toBe(403);
      expect(
        (await t.http.get(token('vis-owner')).set('Authorization', owner.auth)).body.description,
      ).toBe('mine');

      const changer = await t.fixtures.caller([
        [VIEW, ownerToken.pk],
        [CHANGE, ownerToken.pk],
      ]);
      const changed = await t.http
        .patch(token('vis-owner'))
        .set('Authorization', changer.auth)
        .send({ description: 'changed by delegate', user: changer.id });
      expect(changed.status).toBe(200);
      expect(changed.body).toMatchObject({ description: 'changed by delegate', user: owner.id });

      const doomed = await create(owner.auth, { identifier: unique('vis-doomed') });
      const deleter = await t.fixtures.caller([VIEW, [DELETE, doomed.pk]]);
      await t.http.delete(token(doomed.identifier)).set('Authorization', deleter.auth).expect(204);
      expect((await whoAmI(doomed.key)).body).toEqual(TOKEN_INVALID);
      const globalDeleter = await t.fixtures.caller([VIEW, DELETE]);
      const other = await create(stranger.auth, { identifier: unique('vis-doomed') });
      await t.http
        .delete(token(other.identifier))
        .set('Authorization', globalDeleter.auth)
        .expect(204);
    });
  });

  describe('filters, search and ordering', () => {
    let filterUser: Caller;
    beforeAll(async () => {
      filterUser = await t.fixtures.caller([], { username: 'filter-person' });
      await create(admin.auth, {
        identifier: 'f-alpha',
        user: filterUser.id,
        description: 'Deploy bot',
        expires: '2090-05-06T07:08:09.123456Z',
      });
      await create(admin.auth, {
        identifier: 'f-bravo',
        user: filterUser.id,
        intent: 'app_password',
        description: 'Mail client',
        expires: '2080-01-01T00:00:00Z',
      });
      await create(admin.auth, {
        identifier: 'f-charlie',
        user: filterUser.id,
        expiring: false,
        description: 'Deploy bot',
      });
      await t.fixtures.db.query(
        "UPDATE tokens SET managed = 'goauthentik.io/test' WHERE identifier = 'f-charlie'",
      );
    });
    const get = (query: Record<string, string>) =>
      t.http
        .get(TOKENS)
        .query({ user__username: 'filter-person', ...query })
        .set('Authorization', admin.auth);
    const found = async (query: Record<string, string>) => {
      const res = await get(query);
      expect(res.status).toBe(200);
      return identifiers(res.body);
    };

    it('filters by every field exactly', async () => {
      expect((await found({})).filter((i) => i.startsWith('f-'))).toEqual([
        'f-alpha',
        'f-bravo',
        'f-charlie',
      ]);
      expect(await found({ identifier: 'f-bravo' })).toEqual(['f-bravo']);
      expect(await found({ identifier: 'f-brav' })).toEqual([]);
      expect(await found({ intent: 'app_password' })).toEqual(['f-bravo']);
      expect(await found({ description: 'Deploy bot' })).toEqual(['f-alpha', 'f-charlie']);
      expect(await found({ description: 'deploy bot' })).toEqual([]);
      expect(await found({ expires: '2090-05-06T07:08:09.123456Z' })).toEqual(['f-alpha']);
      expect(await found({ expires: '2090-05-06T09:08:09.123456+02:00' })).toEqual(['f-alpha']);
      expect(await found({ expires: '2080-01-01T00:00:00' })).toEqual(['f-bravo']);
      // (The fixture's own API token of filter-person never expires either.)
      const nonExpiring = await found({ expiring: 'false' });
      expect(nonExpiring.filter((i) => i.startsWith('f-'))).toEqual(['f-charlie']);
      expect(await found({ expiring: 'true' })).toEqual(['f-alpha', 'f-bravo']);
      expect(await found({ expiring: 'FALSE' })).toEqual(nonExpiring);
      expect(await found({ managed: 'goauthentik.io/test' })).toEqual(['f-charlie']);
      expect(await found({ user__username: 'nobody' })).toEqual([]);
    });

    it('ignores empty filter values and unknown boolean values', async () => {
      const all = await found({});
      expect(
        await found({ identifier: '', intent: '', expires: '', expiring: 'maybe', managed: '' }),
      ).toEqual(all);
    });

    it('answers invalid choice and date filters with 400', async () => {
      const res = await get({ intent: 'bogus', expires: 'soon' });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        intent: ['Select a valid choice. bogus is not one of the available choices.'],
        expires: ['Enter a valid date/time.'],
      });
    });

    it('searches identifier, intent, username and description, case-insensitively', async () => {
      const search = (term: string) =>
        t.http
          .get(TOKENS)
          .query({ search: term, ordering: 'identifier' })
          .set('Authorization', admin.auth)
          .then((res) => identifiers(res.body));
      expect(await search('F-CHAR')).toEqual(['f-charlie']);
      expect(await search('mail CLIENT')).toEqual(['f-bravo']);
      expect((await search('APP_PASS')).filter((i) => i.startsWith('f-'))).toEqual(['f-bravo']);
      expect((await search('filter-pers')).filter((i) => i.startsWith('f-'))).toEqual([
        'f-alpha',
        'f-bravo',
        'f-charlie',
      ]);
      expect(await search('%')).toEqual([]);
      const nul = await t.http.get(TOKENS).query({ search: '\0' }).set('Authorization', admin.auth);
      expect(nul.status).toBe(400);
      expect(nul.body).toEqual(['Null characters are not allowed.']);
    });

    it('orders by identifier by default, and by the whitelisted fields on request', async () => {
      const fTokens = (ids: string[]) => ids.filter((i) => i.startsWith('f-'));
      expect(fTokens(await found({}))).toEqual(['f-alpha', 'f-bravo', 'f-charlie']);
      expect(fTokens(await found({ ordering: '-identifier' }))).toEqual([
        'f-charlie',
        'f-bravo',
        'f-alpha',
      ]);
      // NULL expiries last when ascending.
      expect(fTokens(await found({ ordering: 'expires' }))).toEqual([
        'f-bravo',
        'f-alpha',
        'f-charlie',
      ]);
      expect(fTokens(await found({ ordering: '-intent,identifier' }))).toEqual([
        'f-bravo',
        'f-alpha',
        'f-charlie',
      ]);
      expect(fTokens(await found({ ordering: 'description,-identifier' }))).toEqual([
        'f-charlie',
        'f-alpha',
        'f-bravo',
      ]);
      const byUser = await t.http
        .get(TOKENS)
        .query({ ordering: 'user__username,identifier', page_size: 100 })
        .set('Authorization', admin.auth);
      const usernames = byUser.body.results.map(
        (r: { user_obj: { username: string } }) => r.user_obj.username,
      );
      const expected = (
        await t.fixtures.db.query(
          'SELECT u.username FROM tokens t JOIN users u ON u.id = t.user_id ORDER BY u.username, t.identifier, t.id',
        )
      ).map((r: { username: string }) => r.username);
      expect(usernames).toEqual(expected);
      const byPk = await found({ ordering: 'pk,bogus' });
      const pks = (await get({ ordering: 'pk' })).body.results.map((r: Item) => r.pk);
      expect(pks).toEqual([...pks].sort());
      expect(byPk).toHaveLength(pks.length);
    });

    it('applies the filters on retrieve too', async () => {
      const hit = await t.http
        .get(token('f-alpha'))
        .query({ intent: 'api' })
        .set('Authorization', admin.auth);
      expect(hit.status).toBe(200);
      const miss = await t.http
        .get(token('f-alpha'))
        .query({ intent: 'app_password' })
        .set('Authorization', admin.auth);
      expect(miss.status).toBe(404);
      expect(miss.body).toEqual(NO_TOKEN);
    });
  });

  it('answers 405 for the methods a route does not serve', async () => {
    await create(owner.auth, { identifier: 'owner-methods' });
    for (const [method, path] of [
      ['put', TOKENS],
      ['delete', TOKENS],
      ['post', token('owner-methods')],
      ['post', viewKey('owner-methods')],
      ['delete', viewKey('owner-methods')],
    ] as const) {
      const res = await t.http[method](path).set('Authorization', owner.auth).send({});
      expect(res.status).toBe(405);
      expect(res.body).toEqual({ detail: `Method "${method.toUpperCase()}" not allowed.` });
    }
  });

  describe("authentik's generated client (@goauthentik/api 2024.8.3)", () => {
    let api: CoreApi;
    beforeAll(async () => {
      const server = t.app.getHttpServer();
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const basePath = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v3`;
      api = new CoreApi(
        new Configuration({ basePath, accessToken: owner.auth.slice('Bearer '.length) }),
      );
    });

    it('creates, lists, updates, reads the key of and deletes a token', async () => {
      const created = await api.coreTokensCreate({
        tokenRequest: {
          identifier: 'client-token',
          description: 'from the client',
          expires: new Date('2095-01-01T00:00:00Z'),
        },
      });
      expect(created.userObj.pk).toBe(owner.id);
      expect(created.expires).toEqual(new Date('2095-01-01T00:00:00Z'));
      const page = await api.coreTokensList({ identifier: 'client-token' });
      expect(page.results.map((r) => r.pk)).toEqual([created.pk]);
      const byExpiry = await api.coreTokensList({ expires: new Date('2095-01-01T00:00:00Z') });
      expect(byExpiry.results.map((r) => r.identifier)).toEqual(['client-token']);
      const updated = await api.coreTokensPartialUpdate({
        identifier: 'client-token',
        patchedTokenRequest: { description: 'patched by the client' },
      });
      expect(updated.description).toBe('patched by the client');
      const { key } = await api.coreTokensViewKeyRetrieve({ identifier: 'client-token' });
      expect((await whoAmI(key)).status).toBe(200);
      await api.coreTokensDestroy({ identifier: 'client-token' });
      const error = await api
        .coreTokensRetrieve({ identifier: 'client-token' })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ResponseError);
      expect((error as ResponseError).response.status).toBe(404);
      expect((await whoAmI(key)).status).toBe(403);
    });

    it('reads exactly the keys we send (list, retrieve, view_key)', async () => {
      const list = (await t.http.get(TOKENS).set('Authorization', owner.auth)).body;
      expect(list.results.length).toBeGreaterThan(0);
      expect(keysRead(PaginatedTokenListFromJSON, list)).toEqual(keysSent(list));
      const one = (
        await t.http.get(token(list.results[0].identifier)).set('Authorization', owner.auth)
      ).body;
      expect(keysRead(TokenFromJSON, one)).toEqual(keysSent(one));
      const view = (
        await t.http.get(viewKey(list.results[0].identifier)).set('Authorization', owner.auth)
      ).body;
      expect(keysRead(TokenViewFromJSON, view)).toEqual(keysSent(view));
    });
  });

  it("documents every operation with authentik's ids and component names", async () => {
    const document = (await t.http.get('/api/v3/schema/')).body;
    const operations = Object.entries(
      document.paths as Record<string, Record<string, { operationId: string }>>,
    ).flatMap(([path, item]) =>
      Object.entries(item).map(([method, op]) => `${method} ${path} ${op.operationId}`),
    );
    expect(operations).toEqual(
      expect.arrayContaining([
        'get /core/tokens/ core_tokens_list',
        'post /core/tokens/ core_tokens_create',
        'get /core/tokens/{identifier}/ core_tokens_retrieve',
        'put /core/tokens/{identifier}/ core_tokens_update',
        'patch /core/tokens/{identifier}/ core_tokens_partial_update',
        'delete /core/tokens/{identifier}/ core_tokens_destroy',
        'get /core/tokens/{identifier}/view_key/ core_tokens_view_key_retrieve',
      ]),
    );
    expect(Object.keys(document.components.schemas)).toEqual(
      expect.arrayContaining([
        'Token',
        'TokenRequest',
        'PatchedTokenRequest',
        'PaginatedTokenList',
        'TokenView',
        'IntentEnum',
      ]),
    );
    expect(document.components.schemas.IntentEnum.enum).toEqual([
      'verification',
      'api',
      'recovery',
      'app_password',
    ]);
    expect(Object.keys(document.components.schemas.TokenRequest.properties)).not.toEqual(
      expect.arrayContaining(['managed']),
    );
  });
});
