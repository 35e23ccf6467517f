/**
 * Issue 4, core/users/: CRUD, validation, mass assignment, filters, search, ordering,
 * include_groups, permissions, set_password, me, cascades onto grants, 405s, OpenAPI, and
 * authentik's generated client.
 */
import {
  Configuration,
  CoreApi,
  PaginatedUserListFromJSON,
  UserFromJSON,
  type User as ClientUser,
} from '@goauthentik/api';
import { verify } from 'argon2';
import { openApiDocument, operationIdsAt, type OpenApiDocument } from '../support/openapi.js';
import { startTestApp, type TestApp } from '../support/app.js';
import {
  clientBasePath,
  countRows,
  DENIED,
  keysRead,
  keysSent,
  methodNotAllowed,
  NOT_FOUND,
  NOT_PROVIDED,
  walk,
} from '../support/directory-fixtures.js';

const LIST = '/api/v3/core/users/';
const item = (id: number | string) => `${LIST}${id}/`;
const NO_MATCH = { detail: 'No User matches the given query.' };
const USER_KEYS = [
  'pk',
  'username',
  'name',
  'is_active',
  'last_login',
  'is_superuser',
  'groups',
  'groups_obj',
  'email',
  'avatar',
  'attributes',
  'uid',
  'path',
  'type',
  'uuid',
];
const P = {
  view: 'authentik_core.view_user',
  add: 'authentik_core.add_user',
  change: 'authentik_core.change_user',
  delete: 'authentik_core.delete_user',
  resetPassword: 'authentik_core.reset_user_password',
  enableGroupSuperuser: 'authentik_core.enable_group_superuser',
};

describe('core/users/', () => {
  let t: TestApp;
  let admin: { id: number; auth: string };

  const as = (auth: string) => ({
    get: (path: string, query: Record<string, unknown> = {}) =>
      t.http.get(path).query(query).set('Authorization', auth),
    post: (path: string, body?: unknown) =>
      t.http
        .post(path)
        .set('Authorization', auth)
        .send(body as object),
    put: (path: string, body?: unknown) =>
      t.http
        .put(path)
        .set('Authorization', auth)
        .send(body as object),
    patch: (path: string, body?: unknown) =>
      t.http
        .patch(path)
        .set('Authorization', auth)
        .send(body as object),
    delete: (path: string) => t.http.delete(path).set('Authorization', auth),
  });
  const api = () => as(admin.auth);
  const pks = (body: { results: { pk: number }[] }) => body.results.map((row) => row.pk);
  const sorted = (values: number[]) => [...values].sort((a, b) => a - b);
  const codesOf = async (user: number) =>
    (
      await walk<{ pk: number; user: { pk: number } }>(
        t,
        admin.auth,
        '/api/v3/oauth2/authorization_codes/',
        { page_size: 100 },
      )
    )
      .filter((row) => row.user.pk === user)
      .map((row) => row.pk);

  beforeAll(async () => {
    t = await startTestApp();
    admin = await t.fixtures.superCaller({ username: 'zz-admin' });
  });
  afterAll(() => t.close());

  describe('CRUD round trip', () => {
    it('creates, retrieves, replaces, patches and deletes a user', async () => {
      const staff = await t.fixtures.group({ name: 'crud-staff' });
      const created = await api().post(LIST, {
        username: 'crud-jdoe',
        name: 'John Doe',
        email: 'jdoe@example.com',
        groups: [staff],
        attributes: { team: 'blue' },
        path: 'users/crud',
        type: 'external',
      });
      expect(created.status).toBe(201);
      expect(Object.keys(created.body)).toEqual(USER_KEYS);
      expect(created.body).toMatchObject({
        username: 'crud-jdoe',
        name: 'John Doe',
        is_active: true,
        last_login: null,
        is_superuser: false,
        groups: [staff],
        groups_obj: [
          {
            pk: staff,
            name: 'crud-staff',
            is_superuser: false,
            parent: null,
            parent_name: null,
            attributes: {},
          },
        ],
        email: 'jdoe@example.com',
        attributes: { team: 'blue' },
        path: 'users/crud',
        type: 'external',
      });
      expect(created.body.avatar).toMatch(/^data:image\/svg\+xml;base64,/);
      expect(created.body.uid).toMatch(/^[0-9a-f]{64}$/);
      const id: number = created.body.pk;

      const retrieved = await api().get(item(id));
      expect(retrieved.status).toBe(200);
      expect(retrieved.body).toEqual(created.body);

      const replaced = await api().put(item(id), { username: 'crud-jdoe2', name: 'Johnny' });
      expect(replaced.status).toBe(200);
      // PUT needs username and name; fields it leaves out keep their values.
      expect(replaced.body).toEqual({
        ...created.body,
        username: 'crud-jdoe2',
        name: 'Johnny',
        // The initials avatar follows the name.
        avatar: expect.stringMatching(/^data:image\/svg\+xml;base64,/),
      });
      expect(replaced.body.avatar).not.toBe(created.body.avatar);

      const patched = await api().patch(item(id), { is_active: false, groups: [] });
      expect(patched.status).toBe(200);
      expect(patched.body).toMatchObject({ is_active: false, groups: [], groups_obj: [] });
      expect((await api().get(item(id))).body).toEqual(patched.body);

      const deleted = await api().delete(item(id));
      expect(deleted.status).toBe(204);
      expect(deleted.text).toBe('');
      expect((await api().get(item(id))).body).toEqual(NO_MATCH);
      const again = await api().delete(item(id));
      expect(again.status).toBe(404);
      expect(again.body).toEqual(NO_MATCH);
    });

    it('applies the defaults of an account created with username and name only', async () => {
      const res = await api().post(LIST, { username: 'crud-minimal', name: '' });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        name: '',
        is_active: true,
        groups: [],
        groups_obj: [],
        email: '',
        attributes: {},
        path: 'users',
        type: 'internal',
      });
      const [row] = await t.fixtures.db.query('SELECT password_hash FROM users WHERE id = $1', [
        res.body.pk,
      ]);
      expect(row.password_hash).toBeNull();
    });

    it('trims text fields as DRF does', async () => {
      const res = await api().post(LIST, {
        username: '  crud-trimmed ',
        name: ' Trim Med ',
        email: ' t@example.com ',
      });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        username: 'crud-trimmed',
        name: 'Trim Med',
        email: 't@example.com',
      });
    });

    it('accepts group uuids in upper case and ignores repeated ones', async () => {
      const group = await t.fixtures.group();
      const res = await api().post(LIST, {
        username: 'crud-upper',
        name: 'U',
        groups: [group.toUpperCase(), group],
      });
      expect(res.status).toBe(201);
      expect(res.body.groups).toEqual([group]);
    });

    it('computes is_superuser from the ancestry of the groups it is given', async () => {
      const root = await t.fixtures.group({ isSuperuser: true });
      const child = await t.fixtures.group({ parent: root });
      const res = await api().post(LIST, { username: 'crud-super', name: 'S', groups: [child] });
      expect(res.status).toBe(201);
      expect(res.body.is_superuser).toBe(true);
      expect(res.body.groups_obj[0].parent).toBe(root);
    });

    it('answers the routes without their trailing slash identically', async () => {
      const id = await t.fixtures.user({ username: 'crud-noslash' });
      const list = await api().get(LIST.slice(0, -1), { username: 'crud-noslash' });
      expect(list.status).toBe(200);
      expect(pks(list.body)).toEqual([id]);
      const one = await api().get(`${LIST}${id}`);
      expect(one.status).toBe(200);
      expect(one.body).toEqual((await api().get(item(id))).body);
      expect((await api().patch(`${LIST}${id}`, { name: 'No Slash' })).body.name).toBe('No Slash');
      expect((await api().post(`${LIST}${id}/set_password`, { password: 'pw' })).status).toBe(204);
      expect((await api().get(`${LIST}me`)).body.user.pk).toBe(admin.id);
      const created = await api().post(LIST.slice(0, -1), { username: 'crud-noslash2', name: 'N' });
      expect(created.status).toBe(201);
      expect((await api().delete(`${LIST}${created.body.pk}`)).status).toBe(204);
    });

    it.each([['abc'], ['1.5'], ['-1']])('answers the id %s with 404 "Not found."', async (id) => {
      for (const res of [await api().get(item(id)), await api().delete(item(id))]) {
        expect(res.status).toBe(404);
        expect(res.body).toEqual(NOT_FOUND);
      }
    });

    it('answers an id that names no user with the 404 of the resource', async () => {
      for (const id of ['0', '999999', '99999999999999999999']) {
        const res = await api().get(item(id));
        expect(res.status).toBe(404);
        expect(res.body).toEqual(NO_MATCH);
      }
    });
  });

  describe('invalid bodies', () => {
    let target: number;
    beforeAll(async () => {
      target = await t.fixtures.user({ username: 'inv-target' });
    });

    it('refuses a list body with the DRF non_field_errors 400', async () => {
      const res = await api().post(LIST, [{ username: 'x', name: 'x' }]);
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        non_field_errors: ['Invalid data. Expected a dictionary, but got list.'],
      });
    });

    it.each([
      ['"just text"', 'str'],
      ['42', 'int'],
      ['1.5', 'float'],
      ['true', 'bool'],
    ])('refuses the JSON body %s with the DRF non_field_errors 400', async (raw, type) => {
      const res = await api().post(LIST, raw).set('Content-Type', 'application/json');
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        non_field_errors: [`Invalid data. Expected a dictionary, but got ${type}.`],
      });
    });

    it('answers a JSON null body as DRF does', async () => {
      const res = await api().post(LIST, 'null').set('Content-Type', 'application/json');
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ non_field_errors: ['No data provided'] });
    });

    it('refuses malformed JSON with a JSON 400', async () => {
      const res = await api().post(LIST, '{"broken').set('Content-Type', 'application/json');
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.body).toEqual({ detail: expect.any(String) });
      expect(await countRows(t, 'users', "username = 'x'")).toBe(0);
    });

    it('reads a request without a body as {}: an empty PATCH changes nothing', async () => {
      const patch = await t.http.patch(item(target)).set('Authorization', admin.auth);
      expect(patch.status).toBe(200);
      expect(patch.body).toMatchObject({ pk: target, username: 'inv-target' });
      const create = await t.http.post(LIST).set('Authorization', admin.auth);
      expect(create.status).toBe(400);
      expect(create.body).toEqual({
        username: ['This field is required.'],
        name: ['This field is required.'],
      });
    });

    it('requires username and name on create and on PUT', async () => {
      for (const res of [await api().post(LIST, {}), await api().put(item(target), {})]) {
        expect(res.status).toBe(400);
        expect(res.body).toEqual({
          username: ['This field is required.'],
          name: ['This field is required.'],
        });
      }
    });

    it.each([
      [{ username: 5 }, { username: ['Not a valid string.'] }],
      [{ username: null }, { username: ['This field may not be null.'] }],
      [{ username: '   ' }, { username: ['This field may not be blank.'] }],
      [
        { username: 'a'.repeat(151) },
        { username: ['Ensure this field has no more than 150 characters.'] },
      ],
      [{ username: 'nul\u0000byte' }, { username: ['Null characters are not allowed.'] }],
      [{ name: null }, { name: ['This field may not be null.'] }],
      [{ name: ['x'] }, { name: ['Not a valid string.'] }],
      [{ is_active: 'yes' }, { is_active: ['Must be a valid boolean.'] }],
      [{ is_active: null }, { is_active: ['This field may not be null.'] }],
      [{ email: 'not-an-email' }, { email: ['Enter a valid email address.'] }],
      [
        { email: `${'a'.repeat(245)}@example.com` },
        { email: ['Ensure this field has no more than 254 characters.'] },
      ],
      [{ attributes: [] }, { attributes: ['Expected a dictionary of items.'] }],
      [{ attributes: 'x' }, { attributes: ['Expected a dictionary of items.'] }],
      [{ attributes: { k: 'nul\u0000' } }, { attributes: ['Null characters are not allowed.'] }],
      [{ path: '/users' }, { path: ['No leading or trailing slashes allowed.'] }],
      [{ path: 'users/' }, { path: ['No leading or trailing slashes allowed.'] }],
      [{ path: 'users//x' }, { path: ['No empty segments in user path allowed.'] }],
      [{ path: '' }, { path: ['This field may not be blank.'] }],
      [{ type: 'robot' }, { type: ['"robot" is not a valid choice.'] }],
      [{ groups: 'x' }, { groups: ['Expected a list of items but got type "str".'] }],
      [{ groups: ['nope'] }, { groups: ['“nope” is not a valid UUID.'] }],
      [{ groups: [7] }, { groups: ['“7” is not a valid UUID.'] }],
      [
        { groups: ['00000000-0000-4000-8000-000000000000'] },
        { groups: ['Invalid pk "00000000-0000-4000-8000-000000000000" - object does not exist.'] },
      ],
    ])('PATCH %j → 400 %j', async (body, errors) => {
      const before = (await api().get(item(target))).body;
      const res = await api().patch(item(target), body);
      expect(res.status).toBe(400);
      expect(res.body).toEqual(errors);
      expect((await api().get(item(target))).body).toEqual(before);
    });

    it('reports every invalid field at once, in declaration order', async () => {
      const res = await api().post(LIST, { type: 'robot', is_active: 1, username: '' });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        username: ['This field may not be blank.'],
        name: ['This field is required.'],
        is_active: ['Must be a valid boolean.'],
        type: ['"robot" is not a valid choice.'],
      });
    });

    it('accepts a username of exactly 150 characters and an empty e-mail', async () => {
      const res = await api().post(LIST, { username: 'b'.repeat(150), name: 'Long', email: '' });
      expect(res.status).toBe(201);
      expect(res.body.username).toHaveLength(150);
    });

    it('refuses a duplicate username with a DRF 400, on create and on update', async () => {
      const taken = { username: ['User with this username already exists.'] };
      const created = await api().post(LIST, { username: 'inv-target', name: 'Dup' });
      expect(created.status).toBe(400);
      expect(created.body).toEqual(taken);
      const other = await t.fixtures.user({ username: 'inv-other' });
      const updated = await api().patch(item(other), { username: 'inv-target' });
      expect(updated.status).toBe(400);
      expect(updated.body).toEqual(taken);
      expect(await countRows(t, 'users', "username = 'inv-target'")).toBe(1);
    });

    it('refuses internal service accounts, as authentik does', async () => {
      const created = await api().post(LIST, {
        username: 'inv-isa',
        name: 'I',
        type: 'internal_service_account',
      });
      expect(created.status).toBe(400);
      expect(created.body).toEqual({
        type: ['Setting a user to internal service account is not allowed.'],
      });
      const made = await api().patch(item(target), { type: 'internal_service_account' });
      expect(made.body).toEqual({
        type: ['Setting a user to internal service account is not allowed.'],
      });
      const isa = await t.fixtures.user({ type: 'internal_service_account' });
      const changed = await api().patch(item(isa), { type: 'internal' });
      expect(changed.status).toBe(400);
      expect(changed.body).toEqual({
        type: ["Can't change internal service account to other user type."],
      });
      expect((await api().patch(item(isa), { type: 'internal_service_account' })).status).toBe(200);
    });
  });

  describe('mass assignment', () => {
    const forged = {
      pk: 424242,
      uid: 'forged',
      uuid: '00000000-0000-4000-8000-000000000001',
      is_superuser: true,
      groups_obj: [{ pk: '00000000-0000-4000-8000-000000000002', name: 'x', is_superuser: true }],
      last_login: '2020-01-01T00:00:00Z',
      avatar: 'https://evil.example/a.png',
      date_joined: '2000-01-01T00:00:00Z',
      password: 'sneaky',
      password_hash: 'sneaky',
      id: 424243,
    };

    it('ignores read-only and unknown fields on create', async () => {
      const res = await api().post(LIST, { username: 'mass-create', name: 'M', ...forged });
      expect(res.status).toBe(201);
      expect(res.body.pk).not.toBe(forged.pk);
      expect(res.body.pk).not.toBe(forged.id);
      expect(res.body).toMatchObject({ is_superuser: false, last_login: null, groups_obj: [] });
      expect(res.body.uid).not.toBe('forged');
      expect(res.body.uuid).not.toBe(forged.uuid);
      expect(res.body.avatar).not.toBe(forged.avatar);
      const [row] = await t.fixtures.db.query(
        `SELECT password_hash, date_joined > now() - interval '1 hour' AS recent FROM users WHERE id = $1`,
        [res.body.pk],
      );
      expect(row).toEqual({ password_hash: null, recent: true });
    });

    it('ignores them on PUT and PATCH', async () => {
      const id = await t.fixtures.user({ username: 'mass-update' });
      const before = (await api().get(item(id))).body;
      const put = await api().put(item(id), {
        username: 'mass-update',
        name: before.name,
        ...forged,
      });
      expect(put.status).toBe(200);
      expect(put.body).toEqual(before);
      const patch = await api().patch(item(id), forged);
      expect(patch.status).toBe(200);
      expect(patch.body).toEqual(before);
      expect(await countRows(t, 'users', 'id = $1 AND password_hash IS NULL', [id])).toBe(1);
    });
  });

  describe('filters, search and include_groups', () => {
    let staff: string;
    let ops: string;
    let superRoot: string;
    const u: Record<string, number> = {};
    const list = (query: Record<string, unknown>) =>
      api().get(LIST, { search: 'flt-', page_size: 100, ...query });

    beforeAll(async () => {
      staff = await t.fixtures.group({ name: 'flt-staff' });
      ops = await t.fixtures.group({ name: 'flt-ops' });
      superRoot = await t.fixtures.group({ name: 'flt-root', isSuperuser: true });
      const superChild = await t.fixtures.group({ name: 'flt-child', parent: superRoot });
      u.alice = await t.fixtures.user({
        username: 'flt-alice',
        name: 'Alice Liddell',
        email: 'alice@wonder.land',
        groups: [staff],
      });
      u.bob = await t.fixtures.user({
        username: 'flt-bob',
        name: 'Robert Tables',
        email: 'bob@example.org',
        isActive: false,
        type: 'external',
        groups: [ops],
      });
      u.carol = await t.fixtures.user({
        username: 'flt-carol',
        name: 'Carol 100%_done',
        email: 'c@example.net',
        type: 'service_account',
        groups: [staff, superChild],
      });
      u.dave = await t.fixtures.user({ username: 'flt-dave', name: 'Dave', email: 'dave@x.io' });
      await t.fixtures.db.query(`UPDATE users SET path = 'users/wonderland' WHERE id = $1`, [
        u.alice,
      ]);
    });

    it.each([
      [{ username: 'flt-bob' }, ['bob']],
      [{ email: 'alice@wonder.land' }, ['alice']],
      [{ name: 'Dave' }, ['dave']],
      [{ is_active: 'false' }, ['bob']],
      [{ is_active: 'True' }, ['alice', 'carol', 'dave']],
      [{ is_active: '0' }, ['bob']],
      [{ is_superuser: 'true' }, ['carol']],
      [{ is_superuser: 'false' }, ['alice', 'bob', 'dave']],
      [{ path: 'users/wonderland' }, ['alice']],
      [{ path: 'users' }, ['bob', 'carol', 'dave']],
      [{ type: 'external' }, ['bob']],
      [{ type: ['external', 'service_account'] }, ['bob', 'carol']],
      [{ groups_by_name: 'flt-staff' }, ['alice', 'carol']],
      [{ groups_by_name: ['flt-staff', 'flt-ops'] }, ['alice', 'bob', 'carol']],
      [{ groups_by_name: 'flt-root' }, []],
      [{ username: '', email: '', is_active: '', type: '' }, ['alice', 'bob', 'carol', 'dave']],
      [{ is_active: 'true', groups_by_name: 'flt-staff', type: 'internal' }, ['alice']],
    ])('filters %j', async (query, expected) => {
      const res = await list(query);
      expect(res.status).toBe(200);
      expect(sorted(pks(res.body))).toEqual(sorted(expected.map((name) => u[name]!)));
    });

    it('filters by group pk, repeatable', async () => {
      const one = await list({ groups_by_pk: staff });
      expect(sorted(pks(one.body))).toEqual(sorted([u.alice!, u.carol!]));
      const two = await list({ groups_by_pk: [staff, ops.toUpperCase()] });
      expect(sorted(pks(two.body))).toEqual(sorted([u.alice!, u.bob!, u.carol!]));
    });

    it.each([
      [{ is_active: 'maybe' }, { is_active: ['Must be a valid boolean.'] }],
      [{ is_superuser: 'yes' }, { is_superuser: ['Must be a valid boolean.'] }],
      [
        { type: ['internal', 'robot'] },
        { type: ['Select a valid choice. robot is not one of the available choices.'] },
      ],
      [{ groups_by_pk: 'nope' }, { groups_by_pk: ['“nope” is not a valid value.'] }],
      [
        { groups_by_pk: '00000000-0000-4000-8000-000000000000' },
        {
          groups_by_pk: [
            'Select a valid choice. 00000000-0000-4000-8000-000000000000 is not one of the available choices.',
          ],
        },
      ],
      [
        { groups_by_name: ['flt-staff', 'no such group'] },
        {
          groups_by_name: [
            'Select a valid choice. no such group is not one of the available choices.',
          ],
        },
      ],
    ])('answers %j with 400 %j', async (query, errors) => {
      const res = await list(query);
      expect(res.status).toBe(400);
      expect(res.body).toEqual(errors);
    });

    it('reports every invalid repeatable filter at once', async () => {
      const res = await list({ groups_by_name: 'nothing', groups_by_pk: 'x', type: 'robot' });
      expect(res.status).toBe(400);
      expect(Object.keys(res.body)).toEqual(['groups_by_name', 'groups_by_pk', 'type']);
    });

    it.each([
      ['FLT-ALICE', ['alice']],
      ['liddell', ['alice']],
      ['WONDER.LAND', ['alice']],
      ['example', ['bob', 'carol']],
      ['100%_', ['carol']],
      ['%', ['carol']],
      ['_', ['carol']],
      ['no-such-thing', []],
    ])('searches %s in username, name and e-mail (literally)', async (term, expected) => {
      const res = await api().get(LIST, { search: term, page_size: 100 });
      const found = pks(res.body).filter((pk) => Object.values(u).includes(pk));
      expect(sorted(found)).toEqual(sorted(expected.map((name) => u[name]!)));
    });

    it('finds nobody by a wildcard-looking underscore', async () => {
      // `_` would match any character if it were not escaped; no username has a literal one.
      const res = await api().get(LIST, { search: 'flt_' });
      expect(res.body.results).toEqual([]);
    });

    it('answers a NUL character in search with a bare-array 400', async () => {
      const res = await api().get(LIST, { search: 'a\u0000b' });
      expect(res.status).toBe(400);
      expect(res.body).toEqual(['Null characters are not allowed.']);
    });

    it('includes group objects unless include_groups is given and not "true"', async () => {
      const groupsObj = async (query: Record<string, unknown>) =>
        (await list({ username: 'flt-carol', ...query })).body.results[0].groups_obj;
      expect(await groupsObj({})).toHaveLength(2);
      expect(await groupsObj({ include_groups: 'TRUE' })).toHaveLength(2);
      for (const value of ['false', '0', '', 'yes']) {
        expect(await groupsObj({ include_groups: value })).toBeNull();
      }
      const one = await api().get(item(u.carol!), { include_groups: 'false' });
      expect(one.body.groups_obj).toBeNull();
      expect(one.body.groups).toHaveLength(2);
      expect(
        (await api().get(`${LIST}me/`, { include_groups: 'false' })).body.user.groups_obj,
      ).toBeNull();
    });
  });

  describe('ordering', () => {
    const u: Record<string, number> = {};
    const names = (rows: { pk: number }[]) =>
      rows.map((row) => Object.keys(u).find((name) => u[name] === row.pk));
    const ordered = async (ordering?: string, pageSize = 100) =>
      names(
        await walk<{ pk: number }>(t, admin.auth, LIST, {
          search: 'ord-',
          page_size: pageSize,
          ...(ordering === undefined ? {} : { ordering }),
        }),
      );

    beforeAll(async () => {
      const spec: [string, string, string | null, string][] = [
        ['e', 'Same', '2024-01-01T00:00:00Z', '2023-03-01T00:00:00Z'],
        ['a', 'Same', null, '2023-02-01T00:00:00Z'],
        ['d', 'Zed', null, '2023-01-01T00:00:00Z'],
        ['c', 'Alpha', '2024-01-01T00:00:00Z', '2023-03-01T00:00:00Z'],
        ['b', 'Same', '2024-01-02T00:00:00Z', '2023-02-01T00:00:00Z'],
      ];
      for (const [key, name, lastLogin, joined] of spec) {
        u[key] = await t.fixtures.user({ username: `ord-${key}`, name, lastLogin });
        await t.fixtures.db.query('UPDATE users SET date_joined = $2 WHERE id = $1', [
          u[key],
          joined,
        ]);
      }
    });

    it.each([
      [undefined, ['a', 'b', 'c', 'd', 'e']],
      ['bogus', ['a', 'b', 'c', 'd', 'e']],
      ['username', ['a', 'b', 'c', 'd', 'e']],
      ['-username', ['e', 'd', 'c', 'b', 'a']],
      ['pk', ['e', 'a', 'd', 'c', 'b']],
      ['-pk', ['b', 'c', 'd', 'a', 'e']],
      // Ties are broken by pk ascending, whatever the direction of the term.
      ['name', ['c', 'e', 'a', 'b', 'd']],
      ['-name', ['d', 'e', 'a', 'b', 'c']],
      // NULL last_login sorts last ascending, first descending.
      ['last_login', ['e', 'c', 'b', 'a', 'd']],
      ['-last_login', ['a', 'd', 'b', 'e', 'c']],
      ['date_joined', ['d', 'a', 'b', 'e', 'c']],
      ['-date_joined', ['e', 'c', 'a', 'b', 'd']],
      ['name,-last_login', ['c', 'a', 'b', 'e', 'd']],
      ['bogus,-date_joined,name', ['c', 'e', 'a', 'b', 'd']],
    ])('orders by %s', async (ordering, expected) => {
      expect(await ordered(ordering)).toEqual(expected);
    });

    it('pages stably through ties', async () => {
      expect(await ordered('name', 2)).toEqual(await ordered('name'));
      expect(await ordered('-last_login', 1)).toEqual(await ordered('-last_login'));
    });
  });

  describe('pagination and queries per request', () => {
    it('pages in the envelope of contract §4', async () => {
      const total = await countRows(t, 'users', 'TRUE');
      const res = await api().get(LIST, { page_size: 2, page: 'last' });
      expect(res.status).toBe(200);
      expect(res.body.pagination).toMatchObject({
        count: total,
        current: Math.ceil(total / 2),
        total_pages: Math.ceil(total / 2),
        next: 0,
      });
      expect((await api().get(LIST, { page: 999 })).body).toEqual({ detail: 'Invalid page.' });
    });

    it('does not grow with page_size (auth, count, page, groups)', async () => {
      const measure = async (pageSize: number) => {
        t.queries.reset();
        const res = await api().get(LIST, { page_size: pageSize });
        expect(res.status).toBe(200);
        expect(res.body.results.length).toBeGreaterThanOrEqual(Math.min(pageSize, 10));
        return t.queries.count;
      };
      const small = await measure(1);
      const large = await measure(100);
      expect(large).toBe(small);
      expect(large).toBeLessThanOrEqual(4);
    });

    it('adds one query to check repeatable filters', async () => {
      const group = await t.fixtures.group();
      t.queries.reset();
      const res = await api().get(LIST, {
        groups_by_pk: group,
        groups_by_name: 'x',
        page_size: 100,
      });
      expect(res.status).toBe(400);
      expect(t.queries.count).toBeLessThanOrEqual(2);
      t.queries.reset();
      await api().get(LIST, { groups_by_pk: group, is_superuser: 'false', page_size: 100 });
      expect(t.queries.count).toBeLessThanOrEqual(5);
    });

    it('retrieves with three queries (auth, row, groups)', async () => {
      t.queries.reset();
      await api().get(item(admin.id));
      expect(t.queries.count).toBeLessThanOrEqual(3);
    });
  });

  describe('permissions', () => {
    let other: number;
    let third: number;
    beforeAll(async () => {
      other = await t.fixtures.user({ username: 'perm-other' });
      third = await t.fixtures.user({ username: 'perm-third' });
    });
    const countAll = () => countRows(t, 'users', 'TRUE');

    it('refuses anonymous lists, creates, actions and me with 403', async () => {
      for (const res of [
        await t.http.get(LIST),
        await t.http.post(LIST).send({ username: 'anon', name: 'A' }),
        await t.http.get(`${LIST}me/`),
        await t.http.post(`${item(other)}set_password/`).send({ password: 'x' }),
        await t.http.put(LIST),
      ]) {
        expect(res.status).toBe(403);
        expect(res.body).toEqual(NOT_PROVIDED);
      }
    });

    it('answers anonymous detail routes with the 404 of the resource', async () => {
      for (const res of [
        await t.http.get(item(other)),
        await t.http.put(item(other)).send({ username: 'anon', name: 'A' }),
        await t.http.patch(item(other)).send({ name: 'anon' }),
        await t.http.delete(item(other)),
      ]) {
        expect(res.status).toBe(404);
        expect(res.body).toEqual(NO_MATCH);
      }
      expect(await countRows(t, 'users', "id = $1 AND name <> 'anon'", [other])).toBe(1);
    });

    it('shows a plain user only itself, which it may neither change nor delete', async () => {
      const me = await t.fixtures.caller();
      const list = await as(me.auth).get(LIST, { page_size: 100 });
      expect(pks(list.body)).toEqual([me.id]);
      expect((await as(me.auth).get(item(me.id))).status).toBe(200);
      for (const res of [
        await as(me.auth).get(item(other)),
        await as(me.auth).patch(item(other), { name: 'x' }),
        await as(me.auth).delete(item(other)),
        await as(me.auth).post(`${item(other)}set_password/`, { password: 'x' }),
      ]) {
        expect(res.status).toBe(404);
        expect(res.body).toEqual(NO_MATCH);
      }
      for (const res of [
        await as(me.auth).patch(item(me.id), { name: 'x' }),
        await as(me.auth).put(item(me.id), { username: 'x', name: 'x' }),
        await as(me.auth).delete(item(me.id)),
        await as(me.auth).post(`${item(me.id)}set_password/`, { password: 'x' }),
        await as(me.auth).post(LIST, { username: 'perm-new', name: 'N' }),
      ]) {
        expect(res.status).toBe(403);
        expect(res.body).toEqual(DENIED);
      }
      expect(await countRows(t, 'users', "username = 'perm-new'")).toBe(0);
    });

    it('lets global view_user see everyone, but not change or delete', async () => {
      const viewer = await t.fixtures.caller([P.view]);
      const list = await as(viewer.auth).get(LIST, { page_size: 1 });
      expect(list.body.pagination.count).toBe(await countAll());
      expect((await as(viewer.auth).get(item(other))).status).toBe(200);
      expect((await as(viewer.auth).patch(item(other), { name: 'x' })).body).toEqual(DENIED);
      expect((await as(viewer.auth).delete(item(other))).body).toEqual(DENIED);
    });

    it('lets global add_user create users it may then not see', async () => {
      const adder = await t.fixtures.caller([P.add]);
      const res = await as(adder.auth).post(LIST, { username: 'perm-added', name: 'A' });
      expect(res.status).toBe(201);
      expect(res.body.username).toBe('perm-added');
      expect((await as(adder.auth).get(item(res.body.pk))).body).toEqual(NO_MATCH);
    });

    it('needs view as well as change_user or delete_user (invisible is 404)', async () => {
      const changer = await t.fixtures.caller([P.change]);
      expect((await as(changer.auth).patch(item(other), { name: 'x' })).body).toEqual(NO_MATCH);
      const viewChanger = await t.fixtures.caller([P.view, P.change]);
      const changed = await as(viewChanger.auth).patch(item(other), { name: 'Changed' });
      expect(changed.status).toBe(200);
      expect(changed.body.name).toBe('Changed');
      expect((await as(viewChanger.auth).delete(item(other))).body).toEqual(DENIED);

      const doomed = await t.fixtures.user();
      const deleter = await t.fixtures.caller([P.delete]);
      expect((await as(deleter.auth).delete(item(doomed))).body).toEqual(NO_MATCH);
      const viewDeleter = await t.fixtures.caller([P.view, P.delete]);
      expect((await as(viewDeleter.auth).delete(item(doomed))).status).toBe(204);
      expect(await countRows(t, 'users', 'id = $1', [doomed])).toBe(0);
    });

    it('honours object-level view, change and delete on one user', async () => {
      const target = await t.fixtures.user();
      const viewer = await t.fixtures.caller([[P.view, String(target)]]);
      const list = await as(viewer.auth).get(LIST, { page_size: 100 });
      expect(sorted(pks(list.body))).toEqual(sorted([viewer.id, target]));
      expect((await as(viewer.auth).get(item(target))).status).toBe(200);
      expect((await as(viewer.auth).get(item(third))).body).toEqual(NO_MATCH);
      expect((await as(viewer.auth).patch(item(target), { name: 'x' })).body).toEqual(DENIED);

      const changer = await t.fixtures.caller([
        [P.view, String(target)],
        [P.change, String(target)],
        [P.change, String(third)],
      ]);
      expect((await as(changer.auth).patch(item(target), { name: 'Obj' })).body.name).toBe('Obj');
      // change_user on a user it cannot see: still 404.
      expect((await as(changer.auth).patch(item(third), { name: 'x' })).body).toEqual(NO_MATCH);
      expect((await as(changer.auth).delete(item(target))).body).toEqual(DENIED);

      const deleter = await t.fixtures.caller([
        [P.view, String(target)],
        [P.delete, String(target)],
      ]);
      expect((await as(deleter.auth).delete(item(target))).status).toBe(204);
    });

    it('treats a member of a group under a superuser group as a superuser', async () => {
      const root = await t.fixtures.group({ isSuperuser: true });
      const child = await t.fixtures.group({ parent: root });
      const id = await t.fixtures.user({ groups: [child] });
      const auth = `Bearer ${await t.fixtures.apiToken(id)}`;
      const list = await as(auth).get(LIST, { page_size: 1 });
      expect(list.body.pagination.count).toBe(await countAll());
      const created = await as(auth).post(LIST, { username: 'perm-by-super', name: 'S' });
      expect(created.status).toBe(201);
      expect((await as(auth).delete(item(created.body.pk))).status).toBe(204);
      expect((await as(auth).get(`${LIST}me/`)).body.user.is_superuser).toBe(true);
    });

    it('refuses to make superusers without enable_group_superuser', async () => {
      const admins = await t.fixtures.group({ isSuperuser: true });
      const under = await t.fixtures.group({ parent: admins });
      const plain = await t.fixtures.group();
      const manager = await t.fixtures.caller([P.view, P.change, P.add]);
      const refusal = {
        groups: ['User does not have permission to add members to a superuser group.'],
      };
      for (const res of [
        await as(manager.auth).patch(item(manager.id), { groups: [admins] }),
        await as(manager.auth).patch(item(other), { groups: [plain, under] }),
        await as(manager.auth).post(LIST, { username: 'perm-esc', name: 'E', groups: [admins] }),
      ]) {
        expect(res.status).toBe(400);
        expect(res.body).toEqual(refusal);
      }
      expect(
        await countRows(t, 'user_groups', 'group_id = ANY($1::uuid[])', [[admins, under]]),
      ).toBe(0);
      expect((await as(manager.auth).patch(item(other), { groups: [plain] })).status).toBe(200);

      const trusted = await t.fixtures.caller([P.view, P.change, P.enableGroupSuperuser]);
      const promoted = await as(trusted.auth).patch(item(other), { groups: [plain, under] });
      expect(promoted.status).toBe(200);
      expect(promoted.body.is_superuser).toBe(true);
      // Keeping an existing superuser membership is not a promotion.
      const kept = await as(manager.auth).patch(item(other), { groups: [under], name: 'Kept' });
      expect(kept.status).toBe(200);
      expect(kept.body.is_superuser).toBe(true);
    });
  });

  describe('set_password', () => {
    const hashOf = async (id: number): Promise<string | null> =>
      (await t.fixtures.db.query('SELECT password_hash FROM users WHERE id = $1', [id]))[0]
        .password_hash;

    it('stores an argon2id hash of the password, untrimmed', async () => {
      const id = await t.fixtures.user();
      const res = await api().post(`${item(id)}set_password/`, { password: ' correct horse ' });
      expect(res.status).toBe(204);
      expect(res.text).toBe('');
      const hash = (await hashOf(id))!;
      expect(hash).toMatch(/^\$argon2id\$/);
      expect(await verify(hash, ' correct horse ')).toBe(true);
      expect(await verify(hash, 'correct horse')).toBe(false);
      // Never in any answer.
      expect(JSON.stringify((await api().get(item(id))).body)).not.toContain('argon2');
    });

    it.each([
      [{}, { password: ['This field is required.'] }],
      [{ password: '' }, { password: ['This field may not be blank.'] }],
      [{ password: null }, { password: ['This field may not be null.'] }],
      [{ password: 12345678 }, { password: ['Not a valid string.'] }],
    ])('refuses %j', async (body, errors) => {
      const id = await t.fixtures.user();
      const res = await api().post(`${item(id)}set_password/`, body);
      expect(res.status).toBe(400);
      expect(res.body).toEqual(errors);
      expect(await hashOf(id)).toBeNull();
    });

    it('takes reset_user_password, globally or on the user, and visibility', async () => {
      const target = await t.fixtures.user();
      const global = await t.fixtures.caller([P.view, P.resetPassword]);
      expect(
        (await as(global.auth).post(`${item(target)}set_password/`, { password: 'a' })).status,
      ).toBe(204);
      const onObject = await t.fixtures.caller([
        [P.view, String(target)],
        [P.resetPassword, String(target)],
      ]);
      expect(
        (await as(onObject.auth).post(`${item(target)}set_password/`, { password: 'b' })).status,
      ).toBe(204);
      expect(await verify((await hashOf(target))!, 'b')).toBe(true);
      const blind = await t.fixtures.caller([P.resetPassword]);
      expect(
        (await as(blind.auth).post(`${item(target)}set_password/`, { password: 'c' })).body,
      ).toEqual(NO_MATCH);
      const changer = await t.fixtures.caller([P.view, P.change]);
      expect(
        (await as(changer.auth).post(`${item(target)}set_password/`, { password: 'd' })).body,
      ).toEqual(DENIED);
      expect(await verify((await hashOf(target))!, 'b')).toBe(true);
    });

    it('answers an unknown user with 404', async () => {
      const res = await api().post(`${item(999999)}set_password/`, { password: 'x' });
      expect(res.status).toBe(404);
      expect(res.body).toEqual(NO_MATCH);
    });
  });

  describe('me', () => {
    it('answers {"user": <User>} for the caller, whatever its permissions', async () => {
      const group = await t.fixtures.group({ name: 'me-group' });
      const me = await t.fixtures.caller([], { username: 'me-plain', groups: [group] });
      const res = await as(me.auth).get(`${LIST}me/`);
      expect(res.status).toBe(200);
      expect(Object.keys(res.body)).toEqual(['user']);
      expect(Object.keys(res.body.user)).toEqual(USER_KEYS);
      expect(res.body.user).toEqual((await api().get(item(me.id))).body);
      expect(res.body.user.groups).toContain(group);
    });
  });

  describe('unsupported methods', () => {
    it.each([
      ['put', LIST],
      ['patch', LIST],
      ['delete', LIST],
      ['post', item(1)],
      ['get', `${item(1)}set_password/`],
      ['delete', `${item(1)}set_password/`],
      ['post', `${LIST}me/`],
      ['put', `${LIST}me/`],
      ['delete', `${LIST}me`],
    ] as const)('answers %s %s with 405', async (method, path) => {
      const res = await t.http[method](path).set('Authorization', admin.auth);
      expect(res.status).toBe(405);
      expect(res.body).toEqual(methodNotAllowed(method.toUpperCase()));
    });
  });

  describe('cascades onto grants', () => {
    let provider: number;
    beforeAll(async () => {
      provider = await t.fixtures.provider();
    });

    it('deleting a user deletes its codes, tokens and API tokens', async () => {
      const id = await t.fixtures.user({ username: 'casc-deleted' });
      const kept = await t.fixtures.user();
      const codes = [
        await t.fixtures.code({ user: id, provider }),
        await t.fixtures.code({ user: id, provider }),
      ];
      const keptCode = await t.fixtures.code({ user: kept, provider });
      await t.fixtures.grant({ table: 'access_tokens', issuedToken: true }, { user: id, provider });
      await t.fixtures.grant(
        { table: 'refresh_tokens', issuedToken: true },
        { user: id, provider },
      );
      const key = await t.fixtures.apiToken(id);
      expect(sorted(await codesOf(id))).toEqual(sorted(codes));

      expect((await api().delete(item(id))).status).toBe(204);
      expect(await codesOf(id)).toEqual([]);
      expect(await codesOf(kept)).toEqual([keptCode]);
      for (const table of ['authorization_codes', 'access_tokens', 'refresh_tokens', 'tokens']) {
        expect(await countRows(t, table, 'user_id = $1', [id])).toBe(0);
      }
      const res = await t.http.get(LIST).set('Authorization', `Bearer ${key}`);
      expect(res.status).toBe(403);
      expect(res.body).toEqual({ detail: 'Token invalid/expired' });
    });

    it.each([['patch'], ['put']] as const)(
      'deactivating through %s revokes the grants in the same request',
      async (method) => {
        const id = await t.fixtures.user({ username: `casc-${method}` });
        const key = await t.fixtures.apiToken(id);
        const code = await t.fixtures.code({ user: id, provider });
        await t.fixtures.grant(
          { table: 'access_tokens', issuedToken: true },
          { user: id, provider },
        );
        await t.fixtures.grant(
          { table: 'refresh_tokens', issuedToken: true },
          { user: id, provider },
        );
        expect(await codesOf(id)).toEqual([code]);

        const body =
          method === 'patch'
            ? { is_active: false }
            : { username: `casc-${method}`, name: 'Gone', is_active: false };
        const res = await api()[method](item(id), body);
        expect(res.status).toBe(200);
        expect(res.body.is_active).toBe(false);
        expect(await codesOf(id)).toEqual([]);
        expect(await countRows(t, 'access_tokens', 'user_id = $1', [id])).toBe(0);
        expect(await countRows(t, 'refresh_tokens', 'user_id = $1 AND NOT revoked', [id])).toBe(0);
        expect(await countRows(t, 'refresh_tokens', 'user_id = $1 AND revoked', [id])).toBe(1);
        // Its API tokens stop working at once (they stay, for a reactivation).
        const refused = await t.http.get(`${LIST}me/`).set('Authorization', `Bearer ${key}`);
        expect(refused.status).toBe(403);
        expect(refused.body).toEqual({ detail: 'Token invalid/expired' });
      },
    );

    it('leaves grants alone when is_active does not go from true to false', async () => {
      const active = await t.fixtures.user();
      const inactive = await t.fixtures.user({ isActive: false });
      const codes = [
        await t.fixtures.code({ user: active, provider }),
        await t.fixtures.code({ user: inactive, provider }),
      ];
      expect((await api().patch(item(active), { is_active: true, name: 'Still' })).status).toBe(
        200,
      );
      expect((await api().patch(item(inactive), { is_active: false })).status).toBe(200);
      expect(await codesOf(active)).toEqual([codes[0]]);
      expect(await codesOf(inactive)).toEqual([codes[1]]);
    });

    it('revokes nothing when the deactivating update fails (one transaction)', async () => {
      const id = await t.fixtures.user();
      const code = await t.fixtures.code({ user: id, provider });
      const res = await api().patch(item(id), { is_active: false, username: 'zz-admin' });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ username: ['User with this username already exists.'] });
      expect((await api().get(item(id))).body.is_active).toBe(true);
      expect(await codesOf(id)).toEqual([code]);
    });
  });

  describe('OpenAPI', () => {
    let document: OpenApiDocument;
    beforeAll(async () => {
      document = await openApiDocument(t);
    });

    it("documents every operation under authentik's operation id", () => {
      const ops = (path: string) => operationIdsAt(document, path);
      expect(ops('/core/users/')).toEqual({ get: 'core_users_list', post: 'core_users_create' });
      expect(ops('/core/users/{id}/')).toEqual({
        get: 'core_users_retrieve',
        put: 'core_users_update',
        patch: 'core_users_partial_update',
        delete: 'core_users_destroy',
      });
      expect(ops('/core/users/{id}/set_password/')).toEqual({
        post: 'core_users_set_password_create',
      });
      expect(ops('/core/users/me/')).toEqual({ get: 'core_users_me_retrieve' });
      const parameters = document.paths['/core/users/']!.get!.parameters!.map((p) => p.name);
      expect(parameters).toEqual(
        expect.arrayContaining([
          'username',
          'email',
          'name',
          'is_active',
          'is_superuser',
          'path',
          'type',
          'groups_by_pk',
          'groups_by_name',
          'search',
          'ordering',
          'page',
          'page_size',
          'include_groups',
        ]),
      );
    });

    it('names the components as authentik does, with only writable fields in requests', () => {
      const schemas = document.components.schemas;
      for (const name of [
        'User',
        'UserRequest',
        'PatchedUserRequest',
        'PaginatedUserList',
        'UserPasswordSetRequest',
        'SessionUser',
      ]) {
        expect(schemas[name]).toBeDefined();
      }
      const writable = [
        'username',
        'name',
        'is_active',
        'groups',
        'email',
        'attributes',
        'path',
        'type',
      ];
      expect(Object.keys(schemas.UserRequest!.properties!)).toEqual(writable);
      expect(Object.keys(schemas.PatchedUserRequest!.properties!)).toEqual(writable);
      expect(Object.keys(schemas.UserPasswordSetRequest!.properties!)).toEqual(['password']);
    });
  });

  describe("authentik's generated client (@goauthentik/api 2024.8.3)", () => {
    let core: CoreApi;
    beforeAll(async () => {
      core = new CoreApi(
        new Configuration({
          basePath: await clientBasePath(t),
          accessToken: admin.auth.slice('Bearer '.length),
        }),
      );
    });

    it('creates, lists with repeated filters, updates, sets a password and deletes', async () => {
      const group = await t.fixtures.group({ name: 'client-group' });
      const created: ClientUser = await core.coreUsersCreate({
        userRequest: { username: 'client-user', name: 'Client', groups: [group], type: 'external' },
      });
      expect(created.groupsObj?.[0]?.name).toBe('client-group');
      const page = await core.coreUsersList({
        groupsByPk: [group],
        type: ['external', 'internal'],
        isActive: true,
        ordering: '-username',
        search: 'client',
      });
      expect(page.results.map((user) => user.pk)).toEqual([created.pk]);
      const patched = await core.coreUsersPartialUpdate({
        id: created.pk,
        patchedUserRequest: { name: 'Patched', attributes: { a: [1, 2] } },
      });
      expect(patched).toMatchObject({ name: 'Patched', attributes: { a: [1, 2] } });
      await core.coreUsersSetPasswordCreate({
        id: created.pk,
        userPasswordSetRequest: { password: 'from-client' },
      });
      const me = await core.coreUsersMeRetrieve();
      expect(me.user.pk).toBe(admin.id);
      await core.coreUsersDestroy({ id: created.pk });
      await expect(core.coreUsersRetrieve({ id: created.pk })).rejects.toMatchObject({
        response: { status: 404 },
      });
    });

    it('reads exactly the keys we send, no more and no fewer', async () => {
      const raw = (await api().get(LIST, { page_size: 3 })).body;
      expect(keysRead(PaginatedUserListFromJSON, raw)).toEqual(keysSent(raw));
      const one = (await api().get(item(admin.id))).body;
      expect(keysRead(UserFromJSON, one)).toEqual(keysSent(one));
    });
  });
});
