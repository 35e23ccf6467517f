/**
 * Issue 4, core/groups/: CRUD, validation, mass assignment, parent cycles, superuser rules,
 * add_user/remove_user, filters, search, ordering, include_users, permissions, effects on grant
 * lists, 405s, OpenAPI, and authentik's generated client.
 */
import {
  Configuration,
  CoreApi,
  GroupFromJSON,
  PaginatedGroupListFromJSON,
} from '@goauthentik/api';
import { numPk } from '../../src/groups/group.mapper.js';
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

const LIST = '/api/v3/core/groups/';
const item = (id: string) => `${LIST}${id}/`;
const NO_MATCH = { detail: 'No Group matches the given query.' };
const MISSING_UUID = '00000000-0000-4000-8000-000000000000';
const GROUP_KEYS = [
  'pk',
  'num_pk',
  'name',
  'is_superuser',
  'parent',
  'parent_name',
  'users',
  'users_obj',
  'attributes',
  'roles',
  'roles_obj',
];
const MEMBER_KEYS = [
  'pk',
  'username',
  'name',
  'is_active',
  'last_login',
  'email',
  'attributes',
  'uid',
];
const P = {
  view: 'authentik_core.view_group',
  add: 'authentik_core.add_group',
  change: 'authentik_core.change_group',
  delete: 'authentik_core.delete_group',
  addUser: 'authentik_core.add_user_to_group',
  removeUser: 'authentik_core.remove_user_from_group',
  enable: 'authentik_core.enable_group_superuser',
  disable: 'authentik_core.disable_group_superuser',
  viewUser: 'authentik_core.view_user',
  viewCode: 'authentik_providers_oauth2.view_authorizationcode',
};
const SUPERUSER_MEMBERS = ['User does not have permission to add members to a superuser group.'];

describe('core/groups/', () => {
  let t: TestApp;
  let admin: { id: number; auth: string };

  const as = (auth: string) => ({
    get: (path: string, query: Record<string, unknown> = {}) =>
      t.http.get(path).query(query).set('Authorization', auth),
    post: (path: string, body?: unknown, query: Record<string, unknown> = {}) =>
      t.http
        .post(path)
        .query(query)
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
  const pks = (body: { results: { pk: string }[] }) => body.results.map((row) => row.pk);
  const sorted = <T>(values: T[]) => [...values].sort();
  const namedRole = async (name: string): Promise<string> =>
    (await t.fixtures.db.query('INSERT INTO roles (name) VALUES ($1) RETURNING id', [name]))[0].id;
  const membersOf = async (group: string): Promise<number[]> =>
    (
      await t.fixtures.db.query(
        'SELECT user_id FROM user_groups WHERE group_id = $1 ORDER BY user_id',
        [group],
      )
    ).map((row: { user_id: number }) => row.user_id);

  beforeAll(async () => {
    t = await startTestApp();
    admin = await t.fixtures.superCaller({ username: 'zz-admin' });
  });
  afterAll(() => t.close());

  describe('CRUD round trip', () => {
    it('creates, retrieves, replaces, patches and deletes a group', async () => {
      const parent = await t.fixtures.group({ name: 'crud-parent' });
      const alice = await t.fixtures.user({ username: 'crud-alice' });
      const bob = await t.fixtures.user({ username: 'crud-bob' });
      const [zRole, aRole] = [await namedRole('crud-z-role'), await namedRole('crud-a-role')];
      const created = await api().post(LIST, {
        name: 'crud-group',
        parent,
        users: [bob, alice, bob],
        attributes: { color: 'red', nested: { list: [1, 'two'] } },
        roles: [zRole, aRole],
      });
      expect(created.status).toBe(201);
      expect(Object.keys(created.body)).toEqual(GROUP_KEYS);
      const id: string = created.body.pk;
      expect(created.body).toEqual({
        pk: id,
        num_pk: numPk(id),
        name: 'crud-group',
        is_superuser: false,
        parent,
        parent_name: 'crud-parent',
        users: [alice, bob],
        users_obj: null,
        attributes: { color: 'red', nested: { list: [1, 'two'] } },
        roles: [aRole, zRole],
        roles_obj: [
          { pk: aRole, name: 'crud-a-role' },
          { pk: zRole, name: 'crud-z-role' },
        ],
      });

      const retrieved = await api().get(item(id));
      expect(retrieved.status).toBe(200);
      expect(retrieved.body).toEqual(created.body);

      const replaced = await api().put(item(id), { name: 'crud-renamed', roles: [] });
      expect(replaced.status).toBe(200);
      // PUT needs a name; fields it leaves out keep their values.
      expect(replaced.body).toEqual({
        ...created.body,
        name: 'crud-renamed',
        roles: [],
        roles_obj: [],
      });

      const patched = await api().patch(item(id), { parent: null, users: [alice] });
      expect(patched.status).toBe(200);
      expect(patched.body).toMatchObject({ parent: null, parent_name: null, users: [alice] });
      expect((await api().get(item(id))).body).toEqual(patched.body);

      const deleted = await api().delete(item(id));
      expect(deleted.status).toBe(204);
      expect(deleted.text).toBe('');
      expect((await api().get(item(id))).body).toEqual(NO_MATCH);
      expect((await api().delete(item(id))).body).toEqual(NO_MATCH);
    });

    it('lists members as GroupMember objects when include_users=true', async () => {
      const member = await t.fixtures.user({
        username: 'crud-member',
        attributes: { k: 'v' },
        lastLogin: '2024-07-29T15:51:28.071Z',
      });
      const res = await api().post(
        LIST,
        { name: 'crud-with-members', users: [member] },
        { include_users: 'true' },
      );
      expect(res.status).toBe(201);
      const user = (
        await t.http.get(`/api/v3/core/users/${member}/`).set('Authorization', admin.auth)
      ).body;
      expect(res.body.users_obj).toEqual([
        {
          pk: member,
          username: 'crud-member',
          name: user.name,
          is_active: true,
          last_login: '2024-07-29T15:51:28.071000Z',
          email: user.email,
          attributes: { k: 'v' },
          uid: user.uid,
        },
      ]);
      expect(Object.keys(res.body.users_obj[0])).toEqual(MEMBER_KEYS);
      for (const value of ['TRUE', 'true']) {
        expect(
          (await api().get(item(res.body.pk), { include_users: value })).body.users_obj,
        ).toHaveLength(1);
      }
      for (const value of ['false', '1', '']) {
        expect(
          (await api().get(item(res.body.pk), { include_users: value })).body.users_obj,
        ).toBeNull();
      }
    });

    it('keeps the users of a deleted group, and orphans its children', async () => {
      const doomed = await t.fixtures.group({ name: 'crud-doomed' });
      const child = await t.fixtures.group({ parent: doomed });
      const other = await t.fixtures.group();
      const user = await t.fixtures.user({ groups: [doomed, other] });
      expect((await api().delete(item(doomed))).status).toBe(204);
      const res = await t.http.get(`/api/v3/core/users/${user}/`).set('Authorization', admin.auth);
      expect(res.status).toBe(200);
      expect(res.body.groups).toEqual([other]);
      expect((await api().get(item(child))).body).toMatchObject({
        parent: null,
        parent_name: null,
      });
    });

    it('answers the routes without their trailing slash identically', async () => {
      const id = await t.fixtures.group({ name: 'crud-noslash' });
      const list = await api().get(LIST.slice(0, -1), { name: 'crud-noslash' });
      expect(pks(list.body)).toEqual([id]);
      expect((await api().get(`${LIST}${id}`)).body).toEqual((await api().get(item(id))).body);
      expect((await api().patch(`${LIST}${id}`, { attributes: { a: 1 } })).body.attributes).toEqual(
        {
          a: 1,
        },
      );
      const user = await t.fixtures.user();
      expect((await api().post(`${LIST}${id}/add_user`, { pk: user })).status).toBe(204);
      expect(await membersOf(id)).toEqual([user]);
      expect((await api().post(`${LIST}${id}/remove_user`, { pk: user })).status).toBe(204);
      expect(await membersOf(id)).toEqual([]);
      expect((await api().delete(`${LIST}${id}`)).status).toBe(204);
    });

    it('answers a malformed uuid with 404 "Not found." and an unknown one with the 404 of Group', async () => {
      for (const res of [await api().get(item('abc')), await api().delete(item('123'))]) {
        expect(res.status).toBe(404);
        expect(res.body).toEqual(NOT_FOUND);
      }
      const res = await api().get(item(MISSING_UUID));
      expect(res.status).toBe(404);
      expect(res.body).toEqual(NO_MATCH);
      expect((await api().get(item(MISSING_UUID.toUpperCase()))).body).toEqual(NO_MATCH);
    });
  });

  describe('invalid bodies', () => {
    let target: string;
    beforeAll(async () => {
      target = await t.fixtures.group({ name: 'inv-target' });
    });

    it('refuses a body that is not an object', async () => {
      const res = await api().post(LIST, [{ name: 'x' }]);
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        non_field_errors: ['Invalid data. Expected a dictionary, but got list.'],
      });
    });

    it('requires a name on create and on PUT', async () => {
      for (const res of [await api().post(LIST, {}), await api().put(item(target), {})]) {
        expect(res.status).toBe(400);
        expect(res.body).toEqual({ name: ['This field is required.'] });
      }
    });

    it.each([
      [{ name: '' }, { name: ['This field may not be blank.'] }],
      [{ name: null }, { name: ['This field may not be null.'] }],
      [{ name: 12 }, { name: ['Not a valid string.'] }],
      [{ name: 'a\u0000b' }, { name: ['Null characters are not allowed.'] }],
      [{ is_superuser: 'true' }, { is_superuser: ['Must be a valid boolean.'] }],
      [{ is_superuser: null }, { is_superuser: ['This field may not be null.'] }],
      [{ parent: 'abc' }, { parent: ['Must be a valid UUID.'] }],
      [
        { parent: MISSING_UUID },
        { parent: [`Invalid pk "${MISSING_UUID}" - object does not exist.`] },
      ],
      [{ users: 1 }, { users: ['Expected a list of items but got type "int".'] }],
      [{ users: ['a'] }, { users: ['Incorrect type. Expected pk value, received str.'] }],
      [{ users: [1.5] }, { users: ['Incorrect type. Expected pk value, received float.'] }],
      [{ users: [999999] }, { users: ['Invalid pk "999999" - object does not exist.'] }],
      [{ users: [99999999999] }, { users: ['Invalid pk "99999999999" - object does not exist.'] }],
      [{ roles: ['x'] }, { roles: ['“x” is not a valid UUID.'] }],
      [
        { roles: [MISSING_UUID] },
        { roles: [`Invalid pk "${MISSING_UUID}" - object does not exist.`] },
      ],
      [{ attributes: [] }, { attributes: ['Expected a dictionary of items.'] }],
      [{ attributes: null }, { attributes: ['This field may not be null.'] }],
    ])('PATCH %j → 400 %j', async (body, errors) => {
      const before = (await api().get(item(target))).body;
      const res = await api().patch(item(target), body);
      expect(res.status).toBe(400);
      expect(res.body).toEqual(errors);
      expect((await api().get(item(target))).body).toEqual(before);
    });

    it('refuses a duplicate name with a DRF 400, on create and on update', async () => {
      const taken = { name: ['Group with this name already exists.'] };
      const created = await api().post(LIST, { name: 'inv-target' });
      expect(created.status).toBe(400);
      expect(created.body).toEqual(taken);
      const other = await t.fixtures.group();
      const updated = await api().patch(item(other), { name: 'inv-target' });
      expect(updated.status).toBe(400);
      expect(updated.body).toEqual(taken);
    });

    it('ignores read-only and unknown fields (mass assignment)', async () => {
      const forged = {
        pk: MISSING_UUID,
        id: MISSING_UUID,
        num_pk: 1,
        parent_name: 'forged',
        users_obj: [{ pk: admin.id }],
        roles_obj: [{ pk: MISSING_UUID, name: 'forged' }],
      };
      const created = await api().post(LIST, { name: 'mass-group', ...forged });
      expect(created.status).toBe(201);
      expect(created.body.pk).not.toBe(MISSING_UUID);
      expect(created.body).toMatchObject({
        num_pk: numPk(created.body.pk),
        parent_name: null,
        users: [],
        roles_obj: [],
      });
      const patched = await api().patch(item(created.body.pk), forged);
      expect(patched.status).toBe(200);
      expect(patched.body).toEqual(created.body);
    });
  });

  describe('parent', () => {
    it('refuses the group itself and its descendants as parent', async () => {
      const root = await t.fixtures.group({ name: 'cyc-root' });
      const child = await t.fixtures.group({ parent: root });
      const grandchild = await t.fixtures.group({ parent: child });
      const own = await api().patch(item(root), { parent: root });
      expect(own.status).toBe(400);
      expect(own.body).toEqual({ parent: ['A group cannot be its own parent.'] });
      for (const descendant of [child, grandchild]) {
        const res = await api().put(item(root), { name: 'cyc-root', parent: descendant });
        expect(res.status).toBe(400);
        expect(res.body).toEqual({
          parent: ['A group cannot have one of its descendants as its parent.'],
        });
      }
      expect((await api().get(item(root))).body.parent).toBeNull();
      // Moving a subtree elsewhere, and back to the top, is fine.
      const elsewhere = await t.fixtures.group({ name: 'cyc-elsewhere' });
      const moved = await api().patch(item(child), { parent: elsewhere.toUpperCase() });
      expect(moved.status).toBe(200);
      expect(moved.body).toMatchObject({ parent: elsewhere, parent_name: 'cyc-elsewhere' });
      expect((await api().patch(item(root), { parent: grandchild })).status).toBe(200);
      expect((await api().patch(item(root), { parent: null })).body.parent).toBeNull();
    });
  });

  describe('superuser status', () => {
    let members: number[];
    beforeAll(async () => {
      members = [await t.fixtures.user(), await t.fixtures.user()];
    });

    it('takes enable_group_superuser to create a superuser group', async () => {
      const adder = await t.fixtures.caller([P.add]);
      const refused = await as(adder.auth).post(LIST, { name: 'su-refused', is_superuser: true });
      expect(refused.status).toBe(400);
      expect(refused.body).toEqual({
        is_superuser: ['User does not have permission to set superuser status to True.'],
      });
      expect(await countRows(t, 'groups', "name = 'su-refused'")).toBe(0);
      const trusted = await t.fixtures.caller([P.add, P.enable]);
      const created = await as(trusted.auth).post(LIST, {
        name: 'su-created',
        is_superuser: true,
        users: members,
      });
      expect(created.status).toBe(201);
      expect(created.body.is_superuser).toBe(true);
    });

    it('takes enable/disable_group_superuser (global or on the group) to flip the flag', async () => {
      const group = await t.fixtures.group();
      const changer = await t.fixtures.caller([P.view, P.change]);
      const enable = await as(changer.auth).patch(item(group), { is_superuser: true });
      expect(enable.status).toBe(400);
      expect(enable.body).toEqual({
        is_superuser: ['User does not have permission to set superuser status to True.'],
      });
      const enabler = await t.fixtures.caller([P.view, P.change, [P.enable, group]]);
      expect((await as(enabler.auth).patch(item(group), { is_superuser: true })).status).toBe(200);
      const disable = await as(enabler.auth).patch(item(group), { is_superuser: false });
      expect(disable.body).toEqual({
        is_superuser: ['User does not have permission to set superuser status to False.'],
      });
      const disabler = await t.fixtures.caller([P.view, P.change, P.disable]);
      const done = await as(disabler.auth).patch(item(group), {
        is_superuser: false,
        name: 'su-x',
      });
      expect(done.status).toBe(200);
      expect(done.body.is_superuser).toBe(false);
      // Unchanged, the flag needs nothing.
      expect((await as(changer.auth).patch(item(group), { is_superuser: false })).status).toBe(200);
    });

    it('takes enable_group_superuser to place a group under a superuser group', async () => {
      const admins = await t.fixtures.group({ isSuperuser: true });
      const team = await t.fixtures.group();
      await t.fixtures.addToGroup(members[0]!, team);
      const changer = await t.fixtures.caller([P.view, P.change]);
      const res = await as(changer.auth).patch(item(team), { parent: admins });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        parent: ['User does not have permission to place this group under a superuser group.'],
      });
      const created = await as((await t.fixtures.caller([P.add])).auth).post(LIST, {
        name: 'su-under-admins',
        parent: admins,
      });
      expect(created.status).toBe(400);
      const trusted = await t.fixtures.caller([P.view, P.change, P.enable]);
      expect((await as(trusted.auth).patch(item(team), { parent: admins })).status).toBe(200);
      // Already under it: renaming needs nothing more.
      expect((await as(changer.auth).patch(item(team), { name: 'su-team' })).status).toBe(200);
    });

    it('takes enable_group_superuser to add members to a superuser group', async () => {
      const admins = await t.fixtures.group({ isSuperuser: true });
      const nested = await t.fixtures.group({ parent: admins });
      await t.fixtures.addToGroup(members[0]!, nested);
      const changer = await t.fixtures.caller([P.view, P.change, P.viewUser]);
      for (const res of [
        await as(changer.auth).patch(item(nested), { users: members }),
        await as(changer.auth).put(item(admins), { name: 'x', users: [changer.id] }),
      ]) {
        expect(res.status).toBe(400);
        expect(res.body).toEqual({ users: SUPERUSER_MEMBERS });
      }
      const added = await as(changer.auth).post(`${item(nested)}add_user/`, { pk: changer.id });
      expect(added.status).toBe(400);
      expect(added.body).toEqual({ pk: SUPERUSER_MEMBERS });
      expect(await membersOf(nested)).toEqual([members[0]]);
      // Removing members, or keeping them, is no promotion.
      expect((await as(changer.auth).patch(item(nested), { users: [members[0]] })).status).toBe(
        200,
      );
      expect((await as(changer.auth).patch(item(nested), { users: [] })).status).toBe(200);
      const trusted = await t.fixtures.caller([P.view, P.change, P.viewUser, [P.enable, nested]]);
      expect(
        (await as(trusted.auth).post(`${item(nested)}add_user/`, { pk: members[1] })).status,
      ).toBe(204);
      expect(await membersOf(nested)).toEqual([members[1]]);
    });
  });

  describe('add_user and remove_user', () => {
    let group: string;
    let user: number;
    beforeAll(async () => {
      group = await t.fixtures.group({ name: 'acct-group' });
      user = await t.fixtures.user();
    });

    it('adds idempotently and removes, with 204s', async () => {
      for (let i = 0; i < 2; i++) {
        const res = await api().post(`${item(group)}add_user/`, { pk: user });
        expect(res.status).toBe(204);
        expect(res.text).toBe('');
      }
      expect(await membersOf(group)).toEqual([user]);
      for (let i = 0; i < 2; i++) {
        expect((await api().post(`${item(group)}remove_user/`, { pk: user })).status).toBe(204);
      }
      expect(await membersOf(group)).toEqual([]);
    });

    it.each([
      [{}, { pk: ['This field is required.'] }],
      [{ pk: 'x' }, { pk: ['Incorrect type. Expected pk value, received str.'] }],
      [{ pk: null }, { pk: ['This field may not be null.'] }],
      [{ pk: 999999 }, { pk: ['User does not exist'] }],
      [{ pk: 99999999999 }, { pk: ['User does not exist'] }],
    ])('answers %j with 400 %j', async (body, errors) => {
      for (const action of ['add_user', 'remove_user']) {
        const res = await api().post(`${item(group)}${action}/`, body);
        expect(res.status).toBe(400);
        expect(res.body).toEqual(errors);
      }
    });

    it('treats a user the caller cannot see as one that does not exist', async () => {
      const caller = await t.fixtures.caller([P.view, P.change]);
      const res = await as(caller.auth).post(`${item(group)}add_user/`, { pk: user });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ pk: ['User does not exist'] });
      // Itself it always sees.
      expect(
        (await as(caller.auth).post(`${item(group)}add_user/`, { pk: caller.id })).status,
      ).toBe(204);
      expect(await membersOf(group)).toEqual([caller.id]);
      await api().post(`${item(group)}remove_user/`, { pk: caller.id });
    });

    it("takes change_group or authentik's add/remove permissions, on the group", async () => {
      const other = await t.fixtures.group();
      const adder = await t.fixtures.caller([P.viewUser, [P.view, group], [P.addUser, group]]);
      expect((await as(adder.auth).post(`${item(group)}add_user/`, { pk: user })).status).toBe(204);
      expect((await as(adder.auth).post(`${item(group)}remove_user/`, { pk: user })).body).toEqual(
        DENIED,
      );
      expect((await as(adder.auth).post(`${item(other)}add_user/`, { pk: user })).body).toEqual(
        NO_MATCH,
      );
      const remover = await t.fixtures.caller([P.viewUser, P.view, P.removeUser]);
      expect((await as(remover.auth).post(`${item(group)}add_user/`, { pk: user })).body).toEqual(
        DENIED,
      );
      expect((await as(remover.auth).post(`${item(group)}remove_user/`, { pk: user })).status).toBe(
        204,
      );
      const changer = await t.fixtures.caller([P.viewUser, [P.view, group], [P.change, group]]);
      expect((await as(changer.auth).post(`${item(group)}add_user/`, { pk: user })).status).toBe(
        204,
      );
      expect((await as(changer.auth).post(`${item(group)}remove_user/`, { pk: user })).status).toBe(
        204,
      );
      const anonymous = await t.http.post(`${item(group)}add_user/`).send({ pk: user });
      expect(anonymous.status).toBe(403);
      expect(anonymous.body).toEqual(NOT_PROVIDED);
      expect((await api().post(`${item(MISSING_UUID)}add_user/`, { pk: user })).body).toEqual(
        NO_MATCH,
      );
    });
  });

  describe('filters, search, ordering and include_users', () => {
    const g: Record<string, string> = {};
    const u: Record<string, number> = {};
    const names = (rows: { pk: string }[]) =>
      rows.map((row) => Object.keys(g).find((name) => g[name] === row.pk));
    const list = (query: Record<string, unknown>) =>
      api().get(LIST, { search: 'flt-', page_size: 100, ...query });

    beforeAll(async () => {
      u.alice = await t.fixtures.user({ username: 'flt-alice' });
      u.bob = await t.fixtures.user({ username: 'flt-bob' });
      u.carol = await t.fixtures.user({ username: 'flt-carol' });
      // Created out of name order, with a tie on is_superuser broken by pk.
      g.ops = await t.fixtures.group({ name: 'flt-ops', isSuperuser: true });
      g.admins = await t.fixtures.group({ name: 'flt-admins', isSuperuser: true });
      g.staff = await t.fixtures.group({ name: 'flt-staff' });
      g.empty = await t.fixtures.group({ name: 'flt-empty_100%' });
      await t.fixtures.addToGroup(u.alice, g.staff);
      await t.fixtures.addToGroup(u.bob, g.staff);
      await t.fixtures.addToGroup(u.bob, g.ops);
      await t.fixtures.addToGroup(u.carol, g.admins);
    });

    const expectGroups = async (query: Record<string, unknown>, expected: string[]) => {
      const res = await list(query);
      expect(res.status).toBe(200);
      expect(sorted(pks(res.body))).toEqual(sorted(expected.map((name) => g[name]!)));
    };

    it.each([
      [{ name: 'flt-staff' }, ['staff']],
      [{ is_superuser: 'true' }, ['ops', 'admins']],
      [{ is_superuser: 'false' }, ['staff', 'empty']],
      [{ members_by_username: 'flt-bob' }, ['staff', 'ops']],
      [{ members_by_username: ['flt-alice', 'flt-carol'] }, ['staff', 'admins']],
      [{ name: '', is_superuser: '', members_by_pk: '' }, ['ops', 'admins', 'staff', 'empty']],
      [{ is_superuser: '1', members_by_username: 'flt-bob' }, ['ops']],
    ])('filters %j', async (query, expected) => {
      await expectGroups(query, expected);
    });

    it('filters by member pk, repeatable', async () => {
      await expectGroups({ members_by_pk: u.alice }, ['staff']);
      await expectGroups({ members_by_pk: [u.alice, u.carol] }, ['staff', 'admins']);
    });

    it.each([
      [{ is_superuser: 'maybe' }, { is_superuser: ['Must be a valid boolean.'] }],
      [{ members_by_pk: 'x' }, { members_by_pk: ['“x” is not a valid value.'] }],
      [
        { members_by_pk: '999999' },
        { members_by_pk: ['Select a valid choice. 999999 is not one of the available choices.'] },
      ],
      [
        { members_by_username: ['flt-bob', 'nobody'] },
        {
          members_by_username: [
            'Select a valid choice. nobody is not one of the available choices.',
          ],
        },
      ],
    ])('answers %j with 400 %j', async (query, errors) => {
      const res = await list(query);
      expect(res.status).toBe(400);
      expect(res.body).toEqual(errors);
    });

    it.each([
      ['FLT-ST', ['staff']],
      ['100%', ['empty']],
      ['y_1', ['empty']],
      ['t_s', []],
    ])('searches %s in the name (case-insensitive, literally)', async (term, expected) => {
      const res = await api().get(LIST, { search: term, page_size: 100 });
      expect(sorted(pks(res.body))).toEqual(sorted(expected.map((name) => g[name]!)));
    });

    it.each([
      [undefined, ['admins', 'empty', 'ops', 'staff']],
      ['name', ['admins', 'empty', 'ops', 'staff']],
      ['-name', ['staff', 'ops', 'empty', 'admins']],
      ['is_superuser,name', ['empty', 'staff', 'admins', 'ops']],
      ['-is_superuser', 'by pk'],
      ['pk', 'by pk'],
      ['-pk', 'by -pk'],
    ])('orders by %s', async (ordering, expected) => {
      const rows = await walk<{ pk: string }>(t, admin.auth, LIST, {
        search: 'flt-',
        page_size: 1,
        ...(ordering === undefined ? {} : { ordering }),
      });
      const byPk = (keys: string[]) => [...keys].sort((a, b) => (g[a]! < g[b]! ? -1 : 1));
      let want: string[];
      if (expected === 'by pk' && ordering === '-is_superuser') {
        // True first, each half in pk order (the tie-breaker).
        want = [...byPk(['ops', 'admins']), ...byPk(['staff', 'empty'])];
      } else if (expected === 'by pk') {
        want = byPk(Object.keys(g));
      } else if (expected === 'by -pk') {
        want = byPk(Object.keys(g)).reverse();
      } else {
        want = expected as string[];
      }
      expect(names(rows)).toEqual(want);
    });

    it('shows users_obj only with include_users=true, and users always', async () => {
      const plain = await list({ name: 'flt-staff' });
      expect(plain.body.results[0].users_obj).toBeNull();
      expect(sorted(plain.body.results[0].users)).toEqual(sorted([u.alice, u.bob]));
      const full = await list({ name: 'flt-staff', include_users: 'true' });
      expect(full.body.results[0].users_obj.map((m: { username: string }) => m.username)).toEqual([
        'flt-alice',
        'flt-bob',
      ]);
      const empty = await list({ name: 'flt-empty_100%', include_users: 'true' });
      expect(empty.body.results[0]).toMatchObject({ users: [], users_obj: [] });
    });

    it('does not grow with page_size (auth, count, page, members, roles)', async () => {
      const measure = async (pageSize: number, includeUsers: string) => {
        t.queries.reset();
        const res = await api().get(LIST, { page_size: pageSize, include_users: includeUsers });
        expect(res.status).toBe(200);
        expect(res.body.results.length).toBe(Math.min(pageSize, res.body.pagination.count));
        return t.queries.count;
      };
      for (const includeUsers of ['false', 'true']) {
        const small = await measure(1, includeUsers);
        const large = await measure(100, includeUsers);
        expect(large).toBe(small);
        expect(large).toBeLessThanOrEqual(5);
      }
    });
  });

  describe('permissions', () => {
    let group: string;
    let other: string;
    beforeAll(async () => {
      group = await t.fixtures.group({ name: 'perm-group' });
      other = await t.fixtures.group({ name: 'perm-other' });
    });
    const countAll = () => countRows(t, 'groups', 'TRUE');

    it('refuses anonymous lists and creates with 403, detail routes with 404', async () => {
      for (const res of [await t.http.get(LIST), await t.http.post(LIST).send({ name: 'anon' })]) {
        expect(res.status).toBe(403);
        expect(res.body).toEqual(NOT_PROVIDED);
      }
      for (const res of [
        await t.http.get(item(group)),
        await t.http.put(item(group)).send({ name: 'anon' }),
        await t.http.patch(item(group)).send({ name: 'anon' }),
        await t.http.delete(item(group)),
      ]) {
        expect(res.status).toBe(404);
        expect(res.body).toEqual(NO_MATCH);
      }
      expect(await countRows(t, 'groups', "name = 'perm-group'")).toBe(1);
    });

    it('shows a plain user no group, not even its own', async () => {
      const me = await t.fixtures.caller([], { groups: [group] });
      const list = await as(me.auth).get(LIST);
      expect(list.status).toBe(200);
      expect(list.body.results).toEqual([]);
      expect((await as(me.auth).get(item(group))).body).toEqual(NO_MATCH);
      expect((await as(me.auth).post(LIST, { name: 'perm-new' })).body).toEqual(DENIED);
    });

    it('lets global view_group see every group, but not change or delete', async () => {
      const viewer = await t.fixtures.caller([P.view]);
      expect((await as(viewer.auth).get(LIST, { page_size: 1 })).body.pagination.count).toBe(
        await countAll(),
      );
      expect((await as(viewer.auth).patch(item(group), { name: 'x' })).body).toEqual(DENIED);
      expect((await as(viewer.auth).delete(item(group))).body).toEqual(DENIED);
    });

    it('lets global add_group create groups it may then not see', async () => {
      const adder = await t.fixtures.caller([P.add]);
      const res = await as(adder.auth).post(LIST, { name: 'perm-added' });
      expect(res.status).toBe(201);
      expect((await as(adder.auth).get(item(res.body.pk))).body).toEqual(NO_MATCH);
    });

    it('needs view as well as change_group or delete_group (invisible is 404)', async () => {
      const changer = await t.fixtures.caller([P.change, P.delete]);
      expect((await as(changer.auth).patch(item(group), { name: 'x' })).body).toEqual(NO_MATCH);
      expect((await as(changer.auth).delete(item(group))).body).toEqual(NO_MATCH);
      const full = await t.fixtures.caller([P.view, P.change, P.delete]);
      expect((await as(full.auth).patch(item(group), { attributes: { v: 1 } })).status).toBe(200);
      const doomed = await t.fixtures.group();
      expect((await as(full.auth).delete(item(doomed))).status).toBe(204);
    });

    it('honours object-level view, change and delete on one group', async () => {
      const target = await t.fixtures.group();
      const viewer = await t.fixtures.caller([[P.view, target]]);
      expect(pks((await as(viewer.auth).get(LIST)).body)).toEqual([target]);
      expect((await as(viewer.auth).get(item(other))).body).toEqual(NO_MATCH);
      expect((await as(viewer.auth).patch(item(target), { name: 'x' })).body).toEqual(DENIED);
      const changer = await t.fixtures.caller([
        [P.view, target],
        [P.change, target],
      ]);
      expect((await as(changer.auth).patch(item(target), { attributes: { o: 1 } })).status).toBe(
        200,
      );
      expect((await as(changer.auth).delete(item(target))).body).toEqual(DENIED);
      const deleter = await t.fixtures.caller([
        [P.view, target],
        [P.delete, target],
      ]);
      expect((await as(deleter.auth).delete(item(target))).status).toBe(204);
    });

    it('treats a member of a group under a superuser group as a superuser', async () => {
      const root = await t.fixtures.group({ isSuperuser: true });
      const child = await t.fixtures.group({ parent: root });
      const id = await t.fixtures.user({ groups: [child] });
      const auth = `Bearer ${await t.fixtures.apiToken(id)}`;
      expect((await as(auth).get(LIST, { page_size: 1 })).body.pagination.count).toBe(
        await countAll(),
      );
      const created = await as(auth).post(LIST, { name: 'perm-by-super', is_superuser: true });
      expect(created.status).toBe(201);
      expect((await as(auth).delete(item(created.body.pk))).status).toBe(204);
    });
  });

  describe('effects on grant lists', () => {
    const CODES = '/api/v3/oauth2/authorization_codes/';
    const visibleCodes = async (auth: string) =>
      (await walk<{ pk: number }>(t, auth, CODES, { page_size: 100 })).map((row) => row.pk).sort();

    it('a group role grants, and deleting the group or removing the member withdraws, the view', async () => {
      const provider = await t.fixtures.provider();
      const role = await t.fixtures.role([P.viewCode]);
      const member = await t.fixtures.caller();
      const ownCode = await t.fixtures.code({ user: member.id, provider });
      const foreignCode = await t.fixtures.code({ user: await t.fixtures.user(), provider });
      expect(await visibleCodes(member.auth)).toEqual([ownCode]);

      const created = await api().post(LIST, {
        name: 'grant-viewers',
        roles: [role],
        users: [member.id],
      });
      expect(created.status).toBe(201);
      expect(await visibleCodes(member.auth)).toEqual(
        expect.arrayContaining([ownCode, foreignCode]),
      );

      expect(
        (await api().post(`${item(created.body.pk)}remove_user/`, { pk: member.id })).status,
      ).toBe(204);
      expect(await visibleCodes(member.auth)).toEqual([ownCode]);

      expect(
        (await api().post(`${item(created.body.pk)}add_user/`, { pk: member.id })).status,
      ).toBe(204);
      expect(await visibleCodes(member.auth)).toEqual(
        expect.arrayContaining([ownCode, foreignCode]),
      );

      expect((await api().delete(item(created.body.pk))).status).toBe(204);
      // The member stays, with its own code.
      expect(await visibleCodes(member.auth)).toEqual([ownCode]);
      expect(await countRows(t, 'users', 'id = $1', [member.id])).toBe(1);
    });
  });

  describe('unsupported methods', () => {
    it.each([
      ['put', ''],
      ['delete', ''],
      ['post', 'G'],
      ['get', 'G/add_user/'],
      ['put', 'G/remove_user/'],
    ] as const)('answers %s %s with 405', async (method, suffix) => {
      const group = await t.fixtures.group();
      const path = `${LIST}${suffix.replace('G', group)}`;
      const res = await t.http[method](path).set('Authorization', admin.auth);
      expect(res.status).toBe(405);
      expect(res.body).toEqual(methodNotAllowed(method.toUpperCase()));
    });
  });

  describe('OpenAPI', () => {
    let document: OpenApiDocument;
    beforeAll(async () => {
      document = await openApiDocument(t);
    });

    it("documents every operation under authentik's operation id", () => {
      const ops = (path: string) => operationIdsAt(document, path);
      expect(ops('/core/groups/')).toEqual({ get: 'core_groups_list', post: 'core_groups_create' });
      expect(ops('/core/groups/{group_uuid}/')).toEqual({
        get: 'core_groups_retrieve',
        put: 'core_groups_update',
        patch: 'core_groups_partial_update',
        delete: 'core_groups_destroy',
      });
      expect(ops('/core/groups/{group_uuid}/add_user/')).toEqual({
        post: 'core_groups_add_user_create',
      });
      expect(ops('/core/groups/{group_uuid}/remove_user/')).toEqual({
        post: 'core_groups_remove_user_create',
      });
      expect(document.paths['/core/groups/']!.get!.parameters!.map((p) => p.name)).toEqual(
        expect.arrayContaining([
          'name',
          'is_superuser',
          'members_by_pk',
          'members_by_username',
          'search',
          'ordering',
          'page',
          'page_size',
          'include_users',
        ]),
      );
    });

    it('names the components as authentik does, with only writable fields in requests', () => {
      const schemas = document.components.schemas;
      for (const name of [
        'Group',
        'GroupRequest',
        'PatchedGroupRequest',
        'PaginatedGroupList',
        'GroupMember',
        'Role',
        'UserAccountRequest',
      ]) {
        expect(schemas[name]).toBeDefined();
      }
      expect(Object.keys(schemas.Group!.properties!)).toEqual(GROUP_KEYS);
      expect(Object.keys(schemas.GroupMember!.properties!)).toEqual(MEMBER_KEYS);
      const writable = ['name', 'is_superuser', 'parent', 'users', 'attributes', 'roles'];
      expect(Object.keys(schemas.GroupRequest!.properties!)).toEqual(writable);
      expect(Object.keys(schemas.PatchedGroupRequest!.properties!)).toEqual(writable);
      expect(Object.keys(schemas.UserAccountRequest!.properties!)).toEqual(['pk']);
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

    it('creates, lists with repeated filters, updates, adds and removes users, deletes', async () => {
      const [alice, bob] = [await t.fixtures.user(), await t.fixtures.user()];
      const parent = await t.fixtures.group({ name: 'client-parent' });
      const created = await core.coreGroupsCreate({
        groupRequest: { name: 'client-group', parent, users: [alice], attributes: { a: 1 } },
      });
      expect(created).toMatchObject({
        name: 'client-group',
        parentName: 'client-parent',
        users: [alice],
      });
      await core.coreGroupsAddUserCreate({
        groupUuid: created.pk,
        userAccountRequest: { pk: bob },
      });
      const page = await core.coreGroupsList({
        membersByPk: [alice, bob],
        includeUsers: true,
        search: 'client-g',
      });
      expect(page.results.map((group) => group.pk)).toEqual([created.pk]);
      expect(page.results[0]!.usersObj!.map((member) => member.pk).sort()).toEqual(
        [alice, bob].sort(),
      );
      await core.coreGroupsRemoveUserCreate({
        groupUuid: created.pk,
        userAccountRequest: { pk: alice },
      });
      const patched = await core.coreGroupsPartialUpdate({
        groupUuid: created.pk,
        patchedGroupRequest: { parent: null },
      });
      // The client reads a null parent as undefined.
      expect(patched).toMatchObject({ parentName: null, users: [bob] });
      expect(patched.parent ?? null).toBeNull();
      const one = await core.coreGroupsRetrieve({ groupUuid: created.pk, includeUsers: true });
      expect(one.usersObj?.[0]?.pk).toBe(bob);
      await core.coreGroupsDestroy({ groupUuid: created.pk });
      await expect(core.coreGroupsRetrieve({ groupUuid: created.pk })).rejects.toMatchObject({
        response: { status: 404 },
      });
    });

    it('reads exactly the keys we send, no more and no fewer', async () => {
      const role = await t.fixtures.role([]);
      const group = await t.fixtures.group({ roles: [role] });
      await t.fixtures.user({ groups: [group] });
      const raw = (await api().get(LIST, { page_size: 100, include_users: 'true' })).body;
      expect(keysRead(PaginatedGroupListFromJSON, raw)).toEqual(keysSent(raw));
      const one = (await api().get(item(group), { include_users: 'true' })).body;
      expect(keysRead(GroupFromJSON, one)).toEqual(keysSent(one));
    });
  });
});
