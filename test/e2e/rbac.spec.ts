/**
 * rbac/roles/ and rbac/permissions/ (issue 4): role CRUD with the contract's permission rules,
 * the permission catalogue, and assigning permissions to roles — checked by their effect on the
 * authorization codes a member of the role sees.
 */
import type { AddressInfo } from 'node:net';
import {
  Configuration,
  PaginatedPermissionListFromJSON,
  PaginatedRoleListFromJSON,
  RbacApi,
  ResponseError,
  RoleFromJSON,
} from '@goauthentik/api';
import { ApplicationPermissions } from '../../src/applications/application.visibility.js';
import { Models, modelPermissions, Permissions } from '../../src/common/auth/permissions.js';
import { INVALID_CHOICE } from '../../src/common/validation/query-rules.js';
import { GRANT_KINDS } from '../../src/grants/grant-kinds.js';
import { GroupPermissions } from '../../src/groups/group.permissions.js';
import { ProviderPermissions } from '../../src/oauth2-providers/oauth2-providers.service.js';
import { findPermission, PERMISSION_CATALOGUE } from '../../src/rbac/permission-catalogue.js';
import { RolePermissions } from '../../src/rbac/roles.service.js';
import { TokenPermissions } from '../../src/tokens/tokens.service.js';
import { UserPermissions } from '../../src/users/user.permissions.js';
import { keysRead, keysSent } from '../support/client-keys.js';
import { startTestApp, type TestApp } from '../support/app.js';

const ROLES = '/api/v3/rbac/roles/';
const role = (id: string) => `${ROLES}${id}/`;
const PERMISSIONS = '/api/v3/rbac/permissions/';
const assignPath = (id: string) => `${PERMISSIONS}assigned_by_roles/${id}/assign/`;
const unassignPath = (id: string) => `${PERMISSIONS}assigned_by_roles/${id}/unassign/`;
const CODES = '/api/v3/oauth2/authorization_codes/';

const NOT_PROVIDED = { detail: 'Authentication credentials were not provided.' };
const DENIED = { detail: 'You do not have permission to perform this action.' };
const NO_ROLE = { detail: 'No Role matches the given query.' };
const NOT_FOUND = { detail: 'Not found.' };
const MISSING_UUID = '00000000-0000-4000-8000-000000000000';

const VIEW_ROLE = 'authentik_rbac.view_role';
const ADD_ROLE = 'authentik_rbac.add_role';
const CHANGE_ROLE = 'authentik_rbac.change_role';
const DELETE_ROLE = 'authentik_rbac.delete_role';
const ASSIGN = 'authentik_rbac.assign_role_permissions';
const UNASSIGN = 'authentik_rbac.unassign_role_permissions';
const CODE_MODEL = 'authentik_providers_oauth2.authorizationcode';

type Caller = { id: number; auth: string };

describe('rbac', () => {
  let t: TestApp;
  let admin: Caller;
  let plain: Caller;

  beforeAll(async () => {
    t = await startTestApp();
    admin = await t.fixtures.superCaller();
    plain = await t.fixtures.caller();
  });
  afterAll(() => t.close());

  const createRole = async (name: string): Promise<string> => {
    const res = await t.http.post(ROLES).set('Authorization', admin.auth).send({ name });
    expect(res.status).toBe(201);
    return res.body.pk;
  };
  const names = (body: { results: { name: string }[] }) => body.results.map((r) => r.name);
  const roleCount = async (): Promise<number> =>
    (await t.fixtures.db.query('SELECT count(*)::int AS n FROM roles'))[0].n;

  describe('roles: CRUD', () => {
    it('creates, retrieves, updates, partially updates and deletes a role', async () => {
      const created = await t.http
        .post(ROLES)
        .set('Authorization', admin.auth)
        .send({ name: 'Auditors' });
      expect(created.status).toBe(201);
      expect(Object.keys(created.body)).toEqual(['pk', 'name']);
      expect(created.body.name).toBe('Auditors');
      const id: string = created.body.pk;
      expect(id).toMatch(/^[0-9a-f-]{36}$/);

      const fetched = await t.http.get(role(id)).set('Authorization', admin.auth);
      expect(fetched.status).toBe(200);
      expect(fetched.body).toEqual({ pk: id, name: 'Auditors' });

      const put = await t.http
        .put(role(id))
        .set('Authorization', admin.auth)
        .send({ name: 'Auditors 2' });
      expect(put.status).toBe(200);
      expect(put.body).toEqual({ pk: id, name: 'Auditors 2' });

      const patched = await t.http
        .patch(role(id))
        .set('Authorization', admin.auth)
        .send({ name: '  Auditors 3  ' });
      expect(patched.status).toBe(200);
      expect(patched.body).toEqual({ pk: id, name: 'Auditors 3' });

      const empty = await t.http.patch(role(id)).set('Authorization', admin.auth).send({});
      expect(empty.status).toBe(200);
      expect(empty.body).toEqual({ pk: id, name: 'Auditors 3' });

      const [row] = await t.fixtures.db.query('SELECT name FROM roles WHERE id = $1', [id]);
      expect(row.name).toBe('Auditors 3');

      const removed = await t.http.delete(role(id)).set('Authorization', admin.auth);
      expect(removed.status).toBe(204);
      expect(removed.text).toBe('');
      const gone = await t.http.get(role(id)).set('Authorization', admin.auth);
      expect(gone.status).toBe(404);
      expect(gone.body).toEqual(NO_ROLE);
      const again = await t.http.delete(role(id)).set('Authorization', admin.auth);
      expect(again.status).toBe(404);
      expect(again.body).toEqual(NO_ROLE);
    });

    it('answers without the trailing slash too', async () => {
      const id = await createRole('No slash');
      const res = await t.http.get(role(id).slice(0, -1)).set('Authorization', admin.auth);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ pk: id, name: 'No slash' });
    });

    it.each([
      [{}, { name: ['This field is required.'] }],
      [{ name: null }, { name: ['This field may not be null.'] }],
      [{ name: '' }, { name: ['This field may not be blank.'] }],
      [{ name: '   ' }, { name: ['This field may not be blank.'] }],
      [{ name: 42 }, { name: ['Not a valid string.'] }],
      [{ name: 'x'.repeat(151) }, { name: ['Ensure this field has no more than 150 characters.'] }],
    ])('refuses the body %j with 400 %j', async (body, errors) => {
      const before = await roleCount();
      const res = await t.http.post(ROLES).set('Authorization', admin.auth).send(body);
      expect(res.status).toBe(400);
      expect(res.body).toEqual(errors);
      expect(await roleCount()).toBe(before);
    });

    it('refuses a body that is not an object', async () => {
      const res = await t.http
        .post(ROLES)
        .set('Authorization', admin.auth)
        .send([{ name: 'x' }]);
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        non_field_errors: ['Invalid data. Expected a dictionary, but got list.'],
      });
    });

    it('requires the name on PUT, not on PATCH', async () => {
      const id = await createRole('Put needs name');
      const put = await t.http.put(role(id)).set('Authorization', admin.auth).send({});
      expect(put.status).toBe(400);
      expect(put.body).toEqual({ name: ['This field is required.'] });
    });

    it('answers a duplicate name with 400, on create and on rename', async () => {
      await createRole('Unique name');
      const other = await createRole('Other name');
      const duplicate = await t.http
        .post(ROLES)
        .set('Authorization', admin.auth)
        .send({ name: 'Unique name' });
      expect(duplicate.status).toBe(400);
      expect(duplicate.body).toEqual({ name: ['Role with this name already exists.'] });
      const rename = await t.http
        .patch(role(other))
        .set('Authorization', admin.auth)
        .send({ name: 'Unique name' });
      expect(rename.status).toBe(400);
      expect(rename.body).toEqual({ name: ['Role with this name already exists.'] });
    });

    it('ignores read-only and unknown fields (pk, permissions)', async () => {
      const res = await t.http
        .post(ROLES)
        .set('Authorization', admin.auth)
        .send({ name: 'Mass assignment', pk: MISSING_UUID, permissions: ['x'], id: 'y' });
      expect(res.status).toBe(201);
      expect(res.body.pk).not.toBe(MISSING_UUID);
      expect(Object.keys(res.body)).toEqual(['pk', 'name']);
      const patched = await t.http
        .patch(role(res.body.pk))
        .set('Authorization', admin.auth)
        .send({ pk: MISSING_UUID });
      expect(patched.status).toBe(200);
      expect(patched.body.pk).toBe(res.body.pk);
      const [{ n }] = await t.fixtures.db.query(
        'SELECT count(*)::int AS n FROM role_permissions WHERE role_id = $1',
        [res.body.pk],
      );
      expect(n).toBe(0);
    });

    it('answers 405 for the methods a route does not serve', async () => {
      const id = await createRole('Methods');
      for (const [method, path] of [
        ['put', ROLES],
        ['patch', ROLES],
        ['delete', ROLES],
        ['post', role(id)],
      ] as const) {
        const res = await t.http[method](path).set('Authorization', admin.auth).send({ name: 'x' });
        expect(res.status).toBe(405);
        expect(res.body).toEqual({ detail: `Method "${method.toUpperCase()}" not allowed.` });
      }
    });
  });

  describe('roles: list, search, ordering', () => {
    let ids: Record<string, string>;
    beforeAll(async () => {
      ids = {};
      for (const name of ['List Zulu', 'List alpha', 'List Mike', 'list bravo']) {
        ids[name] = await createRole(name);
      }
    });

    it('orders by name by default, searches case-insensitively', async () => {
      const res = await t.http
        .get(ROLES)
        .query({ search: 'LIST ' })
        .set('Authorization', admin.auth);
      expect(res.status).toBe(200);
      expect(res.body.pagination).toMatchObject({ count: 4, current: 1, total_pages: 1 });
      expect([...names(res.body)].sort()).toEqual(
        ['List Mike', 'List Zulu', 'List alpha', 'list bravo'].sort(),
      );
      // In PostgreSQL's collation order.
      expect(names(res.body)).toEqual(
        (
          await t.fixtures.db.query(
            "SELECT name FROM roles WHERE name ILIKE '%list %' ORDER BY name, id",
          )
        ).map((r: { name: string }) => r.name),
      );
    });

    it('orders by -name and by pk', async () => {
      const byName = await t.http
        .get(ROLES)
        .query({ search: 'list ', ordering: '-name' })
        .set('Authorization', admin.auth);
      const expected = (
        await t.fixtures.db.query(
          "SELECT name FROM roles WHERE name ILIKE '%list %' ORDER BY name DESC, id",
        )
      ).map((r: { name: string }) => r.name);
      expect(names(byName.body)).toEqual(expected);
      const byPk = await t.http
        .get(ROLES)
        .query({ search: 'list ', ordering: 'pk,unknown' })
        .set('Authorization', admin.auth);
      const pks = byPk.body.results.map((r: { pk: string }) => r.pk);
      expect(pks).toEqual([...Object.values(ids)].sort());
    });

    it('escapes LIKE wildcards and refuses NUL characters', async () => {
      const wildcard = await t.http
        .get(ROLES)
        .query({ search: '%' })
        .set('Authorization', admin.auth);
      expect(wildcard.body.pagination.count).toBe(0);
      const nul = await t.http
        .get(ROLES)
        .query({ search: 'a\0b' })
        .set('Authorization', admin.auth);
      expect(nul.status).toBe(400);
      expect(nul.body).toEqual(['Null characters are not allowed.']);
    });

    it('paginates, and answers an invalid page with 404', async () => {
      const page = await t.http
        .get(ROLES)
        .query({ search: 'list ', page_size: 3, page: 2 })
        .set('Authorization', admin.auth);
      expect(page.body.pagination).toEqual({
        next: 0,
        previous: 1,
        count: 4,
        current: 2,
        total_pages: 2,
        start_index: 4,
        end_index: 4,
      });
      const invalid = await t.http
        .get(ROLES)
        .query({ search: 'list ', page: 3 })
        .set('Authorization', admin.auth);
      expect(invalid.status).toBe(404);
      expect(invalid.body).toEqual({ detail: 'Invalid page.' });
    });

    it('applies search to retrieve as well', async () => {
      const id = ids['List Mike']!;
      const hit = await t.http
        .get(role(id))
        .query({ search: 'mike' })
        .set('Authorization', admin.auth);
      expect(hit.status).toBe(200);
      const miss = await t.http
        .get(role(id))
        .query({ search: 'zulu' })
        .set('Authorization', admin.auth);
      expect(miss.status).toBe(404);
      expect(miss.body).toEqual(NO_ROLE);
    });
  });

  describe('roles: permissions', () => {
    let visible: string;
    let hidden: string;
    beforeAll(async () => {
      visible = await createRole('Perm visible');
      hidden = await createRole('Perm hidden');
    });

    it('refuses anonymous lists and creates with 403, and 404s anonymous detail routes', async () => {
      expect((await t.http.get(ROLES)).body).toEqual(NOT_PROVIDED);
      const create = await t.http.post(ROLES).send({ name: 'anon' });
      expect(create.status).toBe(403);
      expect(create.body).toEqual(NOT_PROVIDED);
      for (const res of [
        await t.http.get(role(visible)),
        await t.http.patch(role(visible)).send({ name: 'anon' }),
        await t.http.delete(role(visible)),
      ]) {
        expect(res.status).toBe(404);
        expect(res.body).toEqual(NO_ROLE);
      }
      expect((await t.http.get(role(visible)).set('Authorization', admin.auth)).body.name).toBe(
        'Perm visible',
      );
    });

    it('shows nothing to a caller without view_role, and refuses to create', async () => {
      const list = await t.http.get(ROLES).set('Authorization', plain.auth);
      expect(list.status).toBe(200);
      expect(list.body.pagination.count).toBe(0);
      expect((await t.http.get(role(visible)).set('Authorization', plain.auth)).status).toBe(404);
      const create = await t.http
        .post(ROLES)
        .set('Authorization', plain.auth)
        .send({ name: 'nope' });
      expect(create.status).toBe(403);
      expect(create.body).toEqual(DENIED);
    });

    it('lets a holder of global add_role create (but not see) roles', async () => {
      const creator = await t.fixtures.caller([ADD_ROLE]);
      const res = await t.http
        .post(ROLES)
        .set('Authorization', creator.auth)
        .send({ name: 'Made by creator' });
      expect(res.status).toBe(201);
      expect((await t.http.get(role(res.body.pk)).set('Authorization', creator.auth)).status).toBe(
        404,
      );
    });

    it('shows every role to global view_role, and only that role to object-level view_role', async () => {
      const global = await t.fixtures.caller([VIEW_ROLE]);
      const all = await t.http
        .get(ROLES)
        .query({ page_size: 100 })
        .set('Authorization', global.auth);
      expect(all.body.pagination.count).toBe(await roleCount());

      const scoped = await t.fixtures.caller([[VIEW_ROLE, visible]]);
      const list = await t.http.get(ROLES).set('Authorization', scoped.auth);
      expect(list.body.results).toEqual([{ pk: visible, name: 'Perm visible' }]);
      expect((await t.http.get(role(hidden)).set('Authorization', scoped.auth)).body).toEqual(
        NO_ROLE,
      );
    });

    it('answers 403 for a visible role the caller may not change or delete, 404 for a hidden one', async () => {
      const viewer = await t.fixtures.caller([[VIEW_ROLE, visible]]);
      const patch = await t.http
        .patch(role(visible))
        .set('Authorization', viewer.auth)
        .send({ name: 'x' });
      expect(patch.status).toBe(403);
      expect(patch.body).toEqual(DENIED);
      const del = await t.http.delete(role(visible)).set('Authorization', viewer.auth);
      expect(del.status).toBe(403);
      const hiddenPatch = await t.http
        .patch(role(hidden))
        .set('Authorization', viewer.auth)
        .send({ name: 'x' });
      expect(hiddenPatch.status).toBe(404);
      expect(hiddenPatch.body).toEqual(NO_ROLE);
      expect((await t.http.get(role(visible)).set('Authorization', admin.auth)).body.name).toBe(
        'Perm visible',
      );
    });

    it('lets object-level change_role and delete_role act on that role', async () => {
      const target = await createRole('Object managed');
      const manager = await t.fixtures.caller([
        [VIEW_ROLE, target],
        [CHANGE_ROLE, target],
        [DELETE_ROLE, target],
      ]);
      const patch = await t.http
        .patch(role(target))
        .set('Authorization', manager.auth)
        .send({ name: 'Object managed 2' });
      expect(patch.status).toBe(200);
      expect(patch.body.name).toBe('Object managed 2');
      const del = await t.http.delete(role(target)).set('Authorization', manager.auth);
      expect(del.status).toBe(204);
      expect(await t.fixtures.db.query('SELECT 1 FROM roles WHERE id = $1', [target])).toHaveLength(
        0,
      );
    });

    it('answers a malformed uuid with 404 "Not found." and an unknown one with the Role 404', async () => {
      const malformed = await t.http.get(role('not-a-uuid')).set('Authorization', admin.auth);
      expect(malformed.status).toBe(404);
      expect(malformed.body).toEqual(NOT_FOUND);
      const unknown = await t.http.get(role(MISSING_UUID)).set('Authorization', admin.auth);
      expect(unknown.status).toBe(404);
      expect(unknown.body).toEqual(NO_ROLE);
    });
  });

  describe('permission catalogue', () => {
    const find = (codename: string) => PERMISSION_CATALOGUE.find((p) => p.codename === codename)!;

    it('refuses anonymous callers, and lists every known permission to any caller', async () => {
      expect((await t.http.get(PERMISSIONS)).body).toEqual(NOT_PROVIDED);
      const res = await t.http
        .get(PERMISSIONS)
        .query({ page_size: 100 })
        .set('Authorization', plain.auth);
      expect(res.status).toBe(200);
      // 9 models × view/add/change/delete, plus reset_user_password, view_token_key,
      // assign_role_permissions, unassign_role_permissions, add_user_to_group,
      // remove_user_from_group, enable_group_superuser and disable_group_superuser.
      expect(res.body.pagination.count).toBe(48);
      const codenames = res.body.results.map(
        (p: { app_label: string; codename: string }) => `${p.app_label}.${p.codename}`,
      );
      expect(codenames).toEqual(
        expect.arrayContaining([
          Permissions.viewAuthorizationCode,
          Permissions.viewTokenKey,
          'authentik_core.reset_user_password',
          ASSIGN,
          UNASSIGN,
          'authentik_core.add_user',
          'authentik_providers_oauth2.delete_refreshtoken',
        ]),
      );
    });

    it('lists every permission the code checks, so that each can be assigned', () => {
      const checked = [
        Permissions,
        UserPermissions,
        GroupPermissions,
        ApplicationPermissions,
        ProviderPermissions,
        RolePermissions,
        TokenPermissions,
        ...Object.values(Models).map(modelPermissions),
        ...GRANT_KINDS.map((kind) => [kind.viewPermission, kind.deletePermission]),
      ].flatMap((names) => Object.values(names));
      const catalogued = new Set(PERMISSION_CATALOGUE.map((p) => `${p.appLabel}.${p.codename}`));
      expect(checked.filter((name) => !catalogued.has(name))).toEqual([]);
    });

    it('keeps the ids it has given out: permissions are appended', () => {
      const ids = Object.fromEntries(
        [
          'authentik_core.add_user',
          Permissions.resetUserPassword,
          'authentik_core.view_group',
          Permissions.viewTokenKey,
          ASSIGN,
          UNASSIGN,
          Permissions.viewAuthorizationCode,
          Permissions.viewRefreshToken,
          Permissions.addUserToGroup,
          Permissions.removeUserFromGroup,
          Permissions.enableGroupSuperuser,
          Permissions.disableGroupSuperuser,
        ].map((name) => [name, findPermission(name)?.id]),
      );
      expect(Object.values(ids)).toEqual([1, 5, 9, 18, 23, 24, 32, 40, 41, 42, 43, 44]);
      expect(PERMISSION_CATALOGUE.map((p) => p.id)).toEqual(
        PERMISSION_CATALOGUE.map((_, index) => index + 1),
      );
    });

    it("shows authentik's item, with the human name", async () => {
      const res = await t.http
        .get(PERMISSIONS)
        .query({ codename: 'view_authorizationcode' })
        .set('Authorization', plain.auth);
      expect(res.body.results).toEqual([
        {
          id: find('view_authorizationcode').id,
          name: 'Can view Authorization Code',
          codename: 'view_authorizationcode',
          model: 'authorizationcode',
          app_label: 'authentik_providers_oauth2',
          app_label_verbose: 'authentik Providers.OAuth2',
          model_verbose: 'Authorization Code',
        },
      ]);
    });

    it('filters by app label and model, and searches names and codenames', async () => {
      const get = (query: Record<string, string>) =>
        t.http
          .get(PERMISSIONS)
          .query({ page_size: 100, ...query })
          .set('Authorization', plain.auth);
      const rbac = await get({ content_type__app_label: 'authentik_rbac' });
      expect(rbac.body.results.map((p: { codename: string }) => p.codename).sort()).toEqual([
        'add_role',
        'assign_role_permissions',
        'change_role',
        'delete_role',
        'unassign_role_permissions',
        'view_role',
      ]);
      const token = await get({ content_type__model: 'token' });
      expect(token.body.results.map((p: { codename: string }) => p.codename).sort()).toEqual([
        'add_token',
        'change_token',
        'delete_token',
        'view_token',
        'view_token_key',
      ]);
      const search = await get({ search: 'AUTHORIZATION code' });
      expect(search.body.results.map((p: { name: string }) => p.name)).toEqual([
        'Can add Authorization Code',
        'Can change Authorization Code',
        'Can delete Authorization Code',
        'Can view Authorization Code',
      ]);
      const byCodename = await get({ search: 'token_key' });
      expect(byCodename.body.results.map((p: { codename: string }) => p.codename)).toEqual([
        'view_token_key',
      ]);
      const none = await get({ codename: 'view_token', content_type__app_label: 'authentik_rbac' });
      expect(none.body.pagination.count).toBe(0);
      const empty = await get({ codename: '', content_type__model: '' });
      expect(empty.body.pagination.count).toBe(48);
    });

    it('orders by name by default, by codename or id on request', async () => {
      const get = (ordering?: string) =>
        t.http
          .get(PERMISSIONS)
          .query({ page_size: 100, content_type__model: 'role', ...(ordering ? { ordering } : {}) })
          .set('Authorization', plain.auth);
      const byName = (await get()).body.results.map((p: { name: string }) => p.name);
      expect(byName).toEqual([...byName].sort());
      const byCodename = (await get('-codename')).body.results.map(
        (p: { codename: string }) => p.codename,
      );
      expect(byCodename).toEqual([...byCodename].sort().reverse());
      const byId = (await get('id')).body.results.map((p: { id: number }) => p.id);
      expect(byId).toEqual([...byId].sort((a: number, b: number) => a - b));
    });

    it('filters by the global permissions of a role; 400 for a role that does not exist', async () => {
      const id = await t.fixtures.role([
        Permissions.viewAuthorizationCode,
        ADD_ROLE,
        [Permissions.viewTokenKey, MISSING_UUID],
      ]);
      const res = await t.http
        .get(PERMISSIONS)
        .query({ role: id, ordering: 'codename' })
        .set('Authorization', plain.auth);
      expect(res.body.results.map((p: { codename: string }) => p.codename)).toEqual([
        'add_role',
        'view_authorizationcode',
      ]);
      for (const bad of [MISSING_UUID, 'not-a-uuid']) {
        const invalid = await t.http
          .get(PERMISSIONS)
          .query({ role: bad })
          .set('Authorization', plain.auth);
        expect(invalid.status).toBe(400);
        expect(invalid.body).toEqual({ role: [INVALID_CHOICE] });
      }
    });

    it('retrieves one permission by id', async () => {
      const entry = find('view_token_key');
      const res = await t.http.get(`${PERMISSIONS}${entry.id}/`).set('Authorization', plain.auth);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id: entry.id, codename: 'view_token_key', model: 'token' });
      const unknown = await t.http.get(`${PERMISSIONS}9999/`).set('Authorization', plain.auth);
      expect(unknown.status).toBe(404);
      expect(unknown.body).toEqual({ detail: 'No Permission matches the given query.' });
      const malformed = await t.http.get(`${PERMISSIONS}abc/`).set('Authorization', plain.auth);
      expect(malformed.body).toEqual(NOT_FOUND);
    });

    it('answers 405 for writes', async () => {
      const res = await t.http.post(PERMISSIONS).set('Authorization', admin.auth).send({});
      expect(res.status).toBe(405);
      expect(res.body).toEqual({ detail: 'Method "POST" not allowed.' });
    });
  });

  describe('assigning permissions to roles', () => {
    let provider: number;
    let memberRole: string;
    let member: Caller;
    let ownCode: number;
    let codeA: number;
    let codeB: number;

    beforeAll(async () => {
      provider = await t.fixtures.provider();
      memberRole = await createRole('Code readers');
      const group = await t.fixtures.group({ roles: [memberRole] });
      member = await t.fixtures.caller([], { groups: [group] });
      ownCode = await t.fixtures.code({ user: member.id, provider });
      const stranger = await t.fixtures.user();
      codeA = await t.fixtures.code({ user: stranger, provider });
      codeB = await t.fixtures.code({ user: stranger, provider });
    });

    const visibleCodes = async (): Promise<number[]> => {
      const res = await t.http
        .get(CODES)
        .query({ page_size: 100 })
        .set('Authorization', member.auth);
      expect(res.status).toBe(200);
      return res.body.results
        .map((r: { pk: number }) => r.pk)
        .sort((a: number, b: number) => a - b);
    };
    const rows = (roleId: string) =>
      t.fixtures.db.query(
        `SELECT app_label, codename, model, object_pk FROM role_permissions
         WHERE role_id = $1 ORDER BY codename, object_pk`,
        [roleId],
      );

    it("assigns authentik's group permissions, which then take effect", async () => {
      const managers = await createRole('Group managers');
      const manager = await t.fixtures.caller([], {
        groups: [await t.fixtures.group({ roles: [managers] })],
      });
      const target = await t.fixtures.group();
      const join = () =>
        t.http
          .post(`/api/v3/core/groups/${target}/add_user/`)
          .set('Authorization', manager.auth)
          .send({ pk: manager.id });
      expect((await join()).status).toBe(404);
      const assigned = await t.http
        .post(assignPath(managers))
        .set('Authorization', admin.auth)
        .send({
          permissions: ['authentik_core.view_group', Permissions.addUserToGroup],
          model: 'authentik_core.group',
          object_pk: target,
        });
      expect(assigned.status).toBe(200);
      expect((await join()).status).toBe(204);
    });

    it('grants a global permission that takes effect at once, and unassigns it', async () => {
      expect(await visibleCodes()).toEqual([ownCode]);
      const assigned = await t.http
        .post(assignPath(memberRole))
        .set('Authorization', admin.auth)
        .send({ permissions: [Permissions.viewAuthorizationCode] });
      expect(assigned.status).toBe(200);
      expect(assigned.body).toEqual([{ id: expect.stringMatching(/^\d+$/) }]);
      expect(await rows(memberRole)).toEqual([
        {
          app_label: 'authentik_providers_oauth2',
          codename: 'view_authorizationcode',
          model: '',
          object_pk: '',
        },
      ]);
      expect(await visibleCodes()).toEqual([ownCode, codeA, codeB].sort((a, b) => a - b));

      // Idempotent: the same row, the same id.
      const again = await t.http
        .post(assignPath(memberRole))
        .set('Authorization', admin.auth)
        .send({ permissions: [Permissions.viewAuthorizationCode] });
      expect(again.body).toEqual(assigned.body);
      expect(await rows(memberRole)).toHaveLength(1);

      const unassigned = await t.http
        .patch(unassignPath(memberRole))
        .set('Authorization', admin.auth)
        .send({ permissions: [Permissions.viewAuthorizationCode] });
      expect(unassigned.status).toBe(204);
      expect(unassigned.text).toBe('');
      expect(await rows(memberRole)).toEqual([]);
      expect(await visibleCodes()).toEqual([ownCode]);
    });

    it('grants a permission on one object only', async () => {
      const assigned = await t.http
        .post(assignPath(memberRole))
        .set('Authorization', admin.auth)
        .send({
          permissions: [Permissions.viewAuthorizationCode],
          model: CODE_MODEL,
          object_pk: `00${codeA}`,
        });
      expect(assigned.status).toBe(200);
      expect(await rows(memberRole)).toEqual([
        {
          app_label: 'authentik_providers_oauth2',
          codename: 'view_authorizationcode',
          model: 'authorizationcode',
          object_pk: String(codeA),
        },
      ]);
      expect(await visibleCodes()).toEqual([ownCode, codeA].sort((a, b) => a - b));
      expect((await t.http.get(`${CODES}${codeA}/`).set('Authorization', member.auth)).status).toBe(
        200,
      );
      expect((await t.http.get(`${CODES}${codeB}/`).set('Authorization', member.auth)).status).toBe(
        404,
      );

      // A global unassign leaves the object permission alone.
      await t.http
        .patch(unassignPath(memberRole))
        .set('Authorization', admin.auth)
        .send({ permissions: [Permissions.viewAuthorizationCode] })
        .expect(204);
      expect(await visibleCodes()).toEqual([ownCode, codeA].sort((a, b) => a - b));

      await t.http
        .patch(unassignPath(memberRole))
        .set('Authorization', admin.auth)
        .send({
          permissions: [Permissions.viewAuthorizationCode],
          model: CODE_MODEL,
          object_pk: String(codeA),
        })
        .expect(204);
      expect(await visibleCodes()).toEqual([ownCode]);
    });

    it('grants object-level delete: the member may then revoke that code', async () => {
      const doomed = await t.fixtures.code({ user: (await t.fixtures.user()) as number, provider });
      await t.http
        .post(assignPath(memberRole))
        .set('Authorization', admin.auth)
        .send({
          permissions: [Permissions.viewAuthorizationCode, Permissions.deleteAuthorizationCode],
          model: CODE_MODEL,
          object_pk: String(doomed),
        })
        .expect(200);
      const res = await t.http.delete(`${CODES}${doomed}/`).set('Authorization', member.auth);
      expect(res.status).toBe(204);
      await t.http
        .patch(unassignPath(memberRole))
        .set('Authorization', admin.auth)
        .send({
          permissions: [Permissions.viewAuthorizationCode, Permissions.deleteAuthorizationCode],
          model: CODE_MODEL,
          object_pk: String(doomed),
        })
        .expect(204);
      expect(await rows(memberRole)).toEqual([]);
    });

    it('revokes what a deleted role granted', async () => {
      const doomedRole = await createRole('Doomed role');
      const group = await t.fixtures.group({ roles: [doomedRole] });
      const reader = await t.fixtures.caller([], { groups: [group] });
      await t.http
        .post(assignPath(doomedRole))
        .set('Authorization', admin.auth)
        .send({ permissions: [Permissions.viewAuthorizationCode] })
        .expect(200);
      const before = await t.http.get(CODES).set('Authorization', reader.auth);
      expect(before.body.pagination.count).toBeGreaterThanOrEqual(2);
      await t.http.delete(role(doomedRole)).set('Authorization', admin.auth).expect(204);
      const after = await t.http.get(CODES).set('Authorization', reader.auth);
      expect(after.body.pagination.count).toBe(0);
      expect(await rows(doomedRole)).toEqual([]);
    });

    it.each([
      [
        { permissions: ['authentik_core.fly_user', 'nonsense', Permissions.viewAuthorizationCode] },
        {
          permissions: [
            'Permission "authentik_core.fly_user" does not exist.',
            'Permission "nonsense" does not exist.',
          ],
        },
      ],
      [
        { permissions: ['authentik_core.view_user'], model: CODE_MODEL, object_pk: '1' },
        {
          permissions: [
            `Permission "authentik_core.view_user" does not apply to model "${CODE_MODEL}".`,
          ],
        },
      ],
      [
        { permissions: [Permissions.viewAuthorizationCode], model: CODE_MODEL },
        { object_pk: ['This field is required.'] },
      ],
      [
        { permissions: [Permissions.viewAuthorizationCode], object_pk: '1' },
        { model: ['This field is required.'] },
      ],
      [
        {
          permissions: [Permissions.viewAuthorizationCode],
          model: 'authentik_core.flow',
          object_pk: '1',
        },
        { model: ['"authentik_core.flow" is not a valid choice.'] },
      ],
      [{}, { permissions: ['This field is required.'] }],
      [
        { permissions: Permissions.viewAuthorizationCode },
        { permissions: ['Expected a list of items but got type "str".'] },
      ],
      [{ permissions: [7] }, { permissions: ['Not a valid string.'] }],
      [
        {
          permissions: [Permissions.viewAuthorizationCode],
          model: CODE_MODEL,
          object_pk: '999999',
        },
        { object_pk: ['Invalid pk "999999" - object does not exist.'] },
      ],
      [
        { permissions: [Permissions.viewAuthorizationCode], model: CODE_MODEL, object_pk: 'abc' },
        { object_pk: ['Invalid pk "abc" - object does not exist.'] },
      ],
      [
        {
          permissions: ['authentik_rbac.view_role'],
          model: 'authentik_rbac.role',
          object_pk: MISSING_UUID,
        },
        { object_pk: [`Invalid pk "${MISSING_UUID}" - object does not exist.`] },
      ],
    ])('refuses %j with 400 %j, granting nothing', async (body, errors) => {
      const before = await rows(memberRole);
      const res = await t.http
        .post(assignPath(memberRole))
        .set('Authorization', admin.auth)
        .send(body);
      expect(res.status).toBe(400);
      expect(res.body).toEqual(errors);
      expect(await rows(memberRole)).toEqual(before);
    });

    it('refuses unknown permissions on unassign too', async () => {
      const res = await t.http
        .patch(unassignPath(memberRole))
        .set('Authorization', admin.auth)
        .send({ permissions: ['authentik_core.fly_user'] });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        permissions: ['Permission "authentik_core.fly_user" does not exist.'],
      });
    });

    it('unassigns object permissions on objects that no longer exist', async () => {
      const id = await createRole('Stale object');
      await t.fixtures.db.query(
        `INSERT INTO role_permissions (role_id, app_label, codename, model, object_pk)
         VALUES ($1, 'authentik_providers_oauth2', 'view_authorizationcode', 'authorizationcode', '424242')`,
        [id],
      );
      await t.http
        .patch(unassignPath(id))
        .set('Authorization', admin.auth)
        .send({
          permissions: [Permissions.viewAuthorizationCode],
          model: CODE_MODEL,
          object_pk: '424242',
        })
        .expect(204);
      expect(await rows(id)).toEqual([]);
    });

    it('answers 404 for a role that does not exist, "Not found." for a malformed id', async () => {
      const body = { permissions: [Permissions.viewAuthorizationCode] };
      const missing = await t.http
        .post(assignPath(MISSING_UUID))
        .set('Authorization', admin.auth)
        .send(body);
      expect(missing.status).toBe(404);
      expect(missing.body).toEqual(NO_ROLE);
      const unassign = await t.http
        .patch(unassignPath(MISSING_UUID))
        .set('Authorization', admin.auth)
        .send(body);
      expect(unassign.body).toEqual(NO_ROLE);
      const malformed = await t.http
        .post(assignPath('xyz'))
        .set('Authorization', admin.auth)
        .send(body);
      expect(malformed.status).toBe(404);
      expect(malformed.body).toEqual(NOT_FOUND);
    });

    describe('who may assign', () => {
      const body = { permissions: [Permissions.viewAuthorizationCode] };

      it('refuses anonymous and plain callers', async () => {
        const anonymous = await t.http.post(assignPath(memberRole)).send(body);
        expect(anonymous.status).toBe(403);
        expect(anonymous.body).toEqual(NOT_PROVIDED);
        const anonUnassign = await t.http.patch(unassignPath(memberRole)).send(body);
        expect(anonUnassign.body).toEqual(NOT_PROVIDED);
        for (const caller of [plain, await t.fixtures.caller([CHANGE_ROLE, VIEW_ROLE])]) {
          const res = await t.http
            .post(assignPath(memberRole))
            .set('Authorization', caller.auth)
            .send(body);
          expect(res.status).toBe(403);
          expect(res.body).toEqual(DENIED);
        }
        expect(await rows(memberRole)).toEqual([]);
      });

      it('lets a holder of assign_role_permissions assign what they hold, nothing more', async () => {
        const delegate = await t.fixtures.caller([ASSIGN, Permissions.viewAuthorizationCode]);
        const ok = await t.http
          .post(assignPath(memberRole))
          .set('Authorization', delegate.auth)
          .send(body);
        expect(ok.status).toBe(200);
        expect(await visibleCodes()).toContain(codeB);

        const escalate = await t.http
          .post(assignPath(memberRole))
          .set('Authorization', delegate.auth)
          .send({ permissions: [Permissions.viewAuthorizationCode, 'authentik_core.add_user'] });
        expect(escalate.status).toBe(403);
        expect(escalate.body).toEqual(DENIED);
        expect((await rows(memberRole)).map((r: { codename: string }) => r.codename)).toEqual([
          'view_authorizationcode',
        ]);

        // Unassigning needs its own permission.
        const unassign = await t.http
          .patch(unassignPath(memberRole))
          .set('Authorization', delegate.auth)
          .send(body);
        expect(unassign.status).toBe(403);
        const remover = await t.fixtures.caller([UNASSIGN]);
        await t.http
          .patch(unassignPath(memberRole))
          .set('Authorization', remover.auth)
          .send(body)
          .expect(204);
        expect(await rows(memberRole)).toEqual([]);
      });

      it('lets an object-level holder hand out that object permission only', async () => {
        const delegate = await t.fixtures.caller([
          ASSIGN,
          [Permissions.viewAuthorizationCode, String(codeB)],
        ]);
        const onObject = { ...body, model: CODE_MODEL, object_pk: String(codeB) };
        await t.http
          .post(assignPath(memberRole))
          .set('Authorization', delegate.auth)
          .send(onObject)
          .expect(200);
        const otherObject = await t.http
          .post(assignPath(memberRole))
          .set('Authorization', delegate.auth)
          .send({ ...onObject, object_pk: String(codeA) });
        expect(otherObject.status).toBe(403);
        const global = await t.http
          .post(assignPath(memberRole))
          .set('Authorization', delegate.auth)
          .send(body);
        expect(global.status).toBe(403);
        await t.http
          .patch(unassignPath(memberRole))
          .set('Authorization', admin.auth)
          .send(onObject)
          .expect(204);
      });
    });

    it('answers 405 for other methods on assign and unassign', async () => {
      const body = { permissions: [Permissions.viewAuthorizationCode] };
      const getAssign = await t.http.get(assignPath(memberRole)).set('Authorization', admin.auth);
      expect(getAssign.status).toBe(405);
      expect(getAssign.body).toEqual({ detail: 'Method "GET" not allowed.' });
      const postUnassign = await t.http
        .post(unassignPath(memberRole))
        .set('Authorization', admin.auth)
        .send(body);
      expect(postUnassign.status).toBe(405);
      expect(postUnassign.body).toEqual({ detail: 'Method "POST" not allowed.' });
    });
  });

  describe("authentik's generated client (@goauthentik/api 2024.8.3)", () => {
    let api: RbacApi;
    beforeAll(async () => {
      const server = t.app.getHttpServer();
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const basePath = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v3`;
      api = new RbacApi(
        new Configuration({ basePath, accessToken: admin.auth.slice('Bearer '.length) }),
      );
    });

    it('creates, lists, updates and deletes roles, and assigns permissions', async () => {
      const created = await api.rbacRolesCreate({ roleRequest: { name: 'Client role' } });
      expect(created.name).toBe('Client role');
      const page = await api.rbacRolesList({ search: 'client role' });
      expect(page.results.map((r) => r.pk)).toEqual([created.pk]);
      const renamed = await api.rbacRolesPartialUpdate({
        uuid: created.pk,
        patchedRoleRequest: { name: 'Client role 2' },
      });
      expect(renamed.name).toBe('Client role 2');
      const put = await api.rbacRolesUpdate({
        uuid: created.pk,
        roleRequest: { name: 'Client role 3' },
      });
      expect((await api.rbacRolesRetrieve({ uuid: created.pk })).name).toBe(put.name);

      const result = await api.rbacPermissionsAssignedByRolesAssign({
        uuid: created.pk,
        permissionAssignRequest: { permissions: [Permissions.viewAuthorizationCode] },
      });
      expect(result).toHaveLength(1);
      const held = await api.rbacPermissionsList({ role: created.pk });
      expect(held.results.map((p) => `${p.appLabel}.${p.codename}`)).toEqual([
        Permissions.viewAuthorizationCode,
      ]);
      expect(held.results[0]!.modelVerbose).toBe('Authorization Code');
      await api.rbacPermissionsAssignedByRolesUnassignPartialUpdate({
        uuid: created.pk,
        patchedPermissionAssignRequest: { permissions: [Permissions.viewAuthorizationCode] },
      });
      expect((await api.rbacPermissionsList({ role: created.pk })).results).toEqual([]);

      await api.rbacRolesDestroy({ uuid: created.pk });
      const error = await api.rbacRolesRetrieve({ uuid: created.pk }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ResponseError);
      expect((error as ResponseError).response.status).toBe(404);
    });

    it('reads exactly the keys we send, no more and no fewer', async () => {
      const roles = (await t.http.get(ROLES).set('Authorization', admin.auth)).body;
      expect(roles.results.length).toBeGreaterThan(0);
      expect(keysRead(PaginatedRoleListFromJSON, roles)).toEqual(keysSent(roles));
      const one = (await t.http.get(role(roles.results[0].pk)).set('Authorization', admin.auth))
        .body;
      expect(keysRead(RoleFromJSON, one)).toEqual(keysSent(one));
      const permissions = (await t.http.get(PERMISSIONS).set('Authorization', admin.auth)).body;
      expect(keysRead(PaginatedPermissionListFromJSON, permissions)).toEqual(keysSent(permissions));
    });
  });

  describe('OpenAPI', () => {
    it("documents every operation with authentik's ids and component names", async () => {
      const document = (await t.http.get('/api/v3/schema/')).body;
      const operations = Object.entries(
        document.paths as Record<string, Record<string, { operationId: string }>>,
      ).flatMap(([path, item]) =>
        Object.entries(item).map(([method, op]) => `${method} ${path} ${op.operationId}`),
      );
      expect(operations).toEqual(
        expect.arrayContaining([
          'get /rbac/roles/ rbac_roles_list',
          'post /rbac/roles/ rbac_roles_create',
          'get /rbac/roles/{uuid}/ rbac_roles_retrieve',
          'put /rbac/roles/{uuid}/ rbac_roles_update',
          'patch /rbac/roles/{uuid}/ rbac_roles_partial_update',
          'delete /rbac/roles/{uuid}/ rbac_roles_destroy',
          'get /rbac/permissions/ rbac_permissions_list',
          'get /rbac/permissions/{id}/ rbac_permissions_retrieve',
          'post /rbac/permissions/assigned_by_roles/{uuid}/assign/ rbac_permissions_assigned_by_roles_assign',
          'patch /rbac/permissions/assigned_by_roles/{uuid}/unassign/ rbac_permissions_assigned_by_roles_unassign_partial_update',
        ]),
      );
      expect(operations.filter((op) => op.includes('method_not_allowed'))).toEqual([]);
      expect(Object.keys(document.components.schemas)).toEqual(
        expect.arrayContaining([
          'Role',
          'RoleRequest',
          'PatchedRoleRequest',
          'PaginatedRoleList',
          'Permission',
          'PaginatedPermissionList',
          'PermissionAssignRequest',
          'PatchedPermissionAssignRequest',
          'PermissionAssignResult',
        ]),
      );
      expect(Object.keys(document.components.schemas.Permission.properties)).toEqual([
        'id',
        'name',
        'codename',
        'model',
        'app_label',
        'app_label_verbose',
        'model_verbose',
      ]);
    });
  });
});
