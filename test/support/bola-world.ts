/**
 * Random small worlds for the broken-object-level-authorisation property (issue 7 §2): users
 * (active or not, with or without a usable API token), group trees (parents, superuser groups,
 * the odd cycle), roles with global and object permissions, providers and grants of every kind.
 * The oracle answers from the generated model alone, by the rules of contract §3.
 */
import fc from 'fast-check';
import { GRANT_KINDS } from '../../src/grants/grant-kinds.js';
import type { GrantKind } from '../../src/grants/grant-kind.js';
import type { Fixtures } from './fixtures.js';

export type Model =
  'authorizationcode' | 'accesstoken' | 'refreshtoken' | 'oauth2provider' | 'user';
const APP: Record<Model, string> = {
  authorizationcode: 'authentik_providers_oauth2',
  accesstoken: 'authentik_providers_oauth2',
  refreshtoken: 'authentik_providers_oauth2',
  oauth2provider: 'authentik_providers_oauth2',
  user: 'authentik_core',
};
/** The permission model of each grant kind, by table. */
export const MODEL_OF: Record<string, Model> = {
  authorization_codes: 'authorizationcode',
  access_tokens: 'accesstoken',
  refresh_tokens: 'refreshtoken',
};

/**
 * Where a permission applies: everywhere; on one object of its own model (a grant of that kind, a
 * provider, a user); on the id of any grant, whatever its table (ids repeat across tables); or on
 * a pk that names nothing (dangling, junk, zero-padded).
 */
export type Target =
  | { global: true }
  | { own: number }
  | { anyGrant: number }
  | { raw: 'dangling' | 'junk' | 'zero-padded'; junk: string; index: number };

export interface PermissionSpec {
  verb: 'view' | 'delete';
  model: Model;
  target: Target;
}

export type TokenState = 'api' | 'expired' | 'app_password' | 'none';

export interface WorldSpec {
  groups: { parent: number | null; superuser: boolean; roles: number[] }[];
  /** Makes the first group a child of the last: a cycle when they are related. */
  cycle: boolean;
  roles: { permissions: PermissionSpec[]; revokeTrio: boolean }[];
  users: { active: boolean; groups: number[]; roles: number[]; token: TokenState }[];
  providers: number;
  grants: { kind: number; user: number; provider: number; revoked: boolean; expired: boolean }[];
}

const target: fc.Arbitrary<Target> = fc.oneof(
  { weight: 2, arbitrary: fc.constant({ global: true as const }) },
  { weight: 5, arbitrary: fc.nat().map((own) => ({ own })) },
  { weight: 1, arbitrary: fc.nat().map((anyGrant) => ({ anyGrant })) },
  {
    weight: 1,
    arbitrary: fc.record({
      raw: fc.constantFrom('dangling' as const, 'junk' as const, 'zero-padded' as const),
      junk: fc.constantFrom(
        'abc',
        '1 OR 1=1',
        '-1',
        '0',
        ' 1',
        '1.0',
        '1e0',
        '00000000-0000-0000-0000-000000000001',
      ),
      index: fc.nat(),
    }),
  },
);

const permission: fc.Arbitrary<PermissionSpec> = fc.record({
  verb: fc.constantFrom('view' as const, 'delete' as const),
  model: fc.constantFrom<Model>(
    'authorizationcode',
    'accesstoken',
    'refreshtoken',
    'oauth2provider',
    'user',
  ),
  target,
});

const rarely = (oneIn: number) => fc.integer({ min: 1, max: oneIn }).map((n) => n === 1);

export const worldSpec: fc.Arbitrary<WorldSpec> = fc.record({
  groups: fc.array(
    fc.record({
      parent: fc.option(fc.nat(), { freq: 2 }),
      superuser: rarely(8),
      roles: fc.uniqueArray(fc.nat({ max: 3 }), { maxLength: 2 }),
    }),
    { maxLength: 4 },
  ),
  cycle: rarely(4),
  roles: fc.array(
    fc.record({
      permissions: fc.array(permission, { minLength: 1, maxLength: 4 }),
      revokeTrio: rarely(6),
    }),
    { minLength: 1, maxLength: 4 },
  ),
  users: fc.array(
    fc.record({
      active: fc.integer({ min: 1, max: 8 }).map((n) => n !== 1),
      groups: fc.uniqueArray(fc.nat({ max: 3 }), { maxLength: 2 }),
      roles: fc.uniqueArray(fc.nat({ max: 3 }), { maxLength: 2 }),
      token: fc.constantFrom<TokenState>(
        'api',
        'api',
        'api',
        'api',
        'expired',
        'app_password',
        'none',
      ),
    }),
    { minLength: 2, maxLength: 4 },
  ),
  providers: fc.integer({ min: 1, max: 3 }),
  grants: fc.array(
    fc.record({
      kind: fc.nat({ max: GRANT_KINDS.length - 1 }),
      user: fc.nat(),
      provider: fc.nat(),
      revoked: rarely(4),
      expired: rarely(4),
    }),
    { minLength: 1, maxLength: 12 },
  ),
});

export interface BuiltGrant {
  kind: GrantKind;
  id: number;
  user: number;
  provider: number;
  revoked: boolean;
}

export interface BuiltUser {
  id: number;
  username: string;
  /** The Authorization header value of the user's token, if it has one. */
  auth?: string;
  tokenState: TokenState;
  active: boolean;
  /** `app.codename|objectPk` ('' for global) of every permission the user's roles hold. */
  permissions: Set<string>;
  superuser: boolean;
}

export interface BuiltWorld {
  users: BuiltUser[];
  providers: { id: number; secret: string }[];
  grants: BuiltGrant[];
}

const TABLES =
  'authorization_codes, access_tokens, refresh_tokens, tokens, user_roles, group_roles, ' +
  'user_groups, role_permissions, roles, applications, users, groups, oauth2_providers, ' +
  'oidc_records';

/** Empties the database and creates `spec` in it; returns the ids and the oracle's view of it. */
export async function buildWorld(fixtures: Fixtures, spec: WorldSpec): Promise<BuiltWorld> {
  await fixtures.db.query(`TRUNCATE ${TABLES}`);
  const providers: BuiltWorld['providers'] = [];
  for (let i = 0; i < spec.providers; i++) {
    const id = await fixtures.provider();
    const [{ client_secret }] = await fixtures.db.query(
      'SELECT client_secret FROM oauth2_providers WHERE id = $1',
      [id],
    );
    providers.push({ id, secret: client_secret });
  }

  const userIds: number[] = [];
  for (const user of spec.users) {
    userIds.push(await fixtures.user({ isActive: user.active }));
  }
  const grants: BuiltGrant[] = [];
  for (const grant of spec.grants) {
    const kind = GRANT_KINDS[grant.kind]!;
    const user = userIds[grant.user % userIds.length]!;
    const provider = providers[grant.provider % providers.length]!.id;
    const revoked = kind.issuedToken && grant.revoked;
    const expires = new Date(Date.now() + (grant.expired ? -3_600_000 : 3_600_000)).toISOString();
    const id = await fixtures.grant(kind, { user, provider, revoked, expires });
    grants.push({ kind, id, user, provider, revoked });
  }

  const pkOf = (model: Model, t: Target): string => {
    if ('global' in t) return '';
    if ('anyGrant' in t) return String(grants[t.anyGrant % grants.length]!.id);
    if ('own' in t) {
      const ids =
        model === 'oauth2provider'
          ? providers.map((p) => p.id)
          : model === 'user'
            ? userIds
            : grants.filter((g) => MODEL_OF[g.kind.table] === model).map((g) => g.id);
      return ids.length === 0 ? '999999999' : String(ids[t.own % ids.length]);
    }
    if (t.raw === 'dangling') return '999999999';
    if (t.raw === 'zero-padded') return `0${grants[t.index % grants.length]!.id}`;
    return t.junk;
  };
  const roleIds: string[] = [];
  const rolePermissions: Set<string>[] = [];
  for (const role of spec.roles) {
    const entries = role.permissions.map((p) => ({
      name: `${APP[p.model]}.${p.verb}_${p.model}`,
      pk: pkOf(p.model, p.target),
    }));
    if (role.revokeTrio) {
      for (const model of ['authorizationcode', 'accesstoken', 'refreshtoken'] as const) {
        entries.push({ name: `${APP[model]}.delete_${model}`, pk: '' });
      }
    }
    const unique = [...new Map(entries.map((e) => [`${e.name}|${e.pk}`, e])).values()];
    roleIds.push(
      await fixtures.role(
        unique.map((e): string | [string, string] => (e.pk ? [e.name, e.pk] : e.name)),
      ),
    );
    rolePermissions.push(new Set(unique.map((e) => `${e.name}|${e.pk}`)));
  }

  const groupIds: string[] = [];
  const parents: (number | null)[] = [];
  for (const [i, group] of spec.groups.entries()) {
    const parent = group.parent === null || i === 0 ? null : group.parent % i;
    parents.push(parent);
    groupIds.push(
      await fixtures.group({
        parent: parent === null ? null : groupIds[parent]!,
        isSuperuser: group.superuser,
        roles:
          roleIds.length === 0
            ? []
            : [...new Set(group.roles.map((r) => roleIds[r % roleIds.length]!))],
      }),
    );
  }
  if (spec.cycle && groupIds.length > 1) {
    parents[0] = groupIds.length - 1;
    await fixtures.db.query('UPDATE groups SET parent_id = $1 WHERE id = $2', [
      groupIds.at(-1),
      groupIds[0],
    ]);
  }

  const users: BuiltUser[] = [];
  for (const [i, user] of spec.users.entries()) {
    const id = userIds[i]!;
    const groups =
      groupIds.length === 0 ? [] : [...new Set(user.groups.map((g) => g % groupIds.length))];
    const directRoles =
      roleIds.length === 0 ? [] : [...new Set(user.roles.map((r) => r % roleIds.length))];
    for (const g of groups) await fixtures.addToGroup(id, groupIds[g]!);
    for (const r of directRoles) {
      await fixtures.db.query('INSERT INTO user_roles (user_id, role_id) VALUES ($1, $2)', [
        id,
        roleIds[r],
      ]);
    }
    // The groups and all their ancestors (a cycle ends the walk).
    const reached = new Set<number>();
    const pending = [...groups];
    while (pending.length > 0) {
      const g = pending.pop()!;
      if (reached.has(g)) continue;
      reached.add(g);
      if (parents[g] !== null) pending.push(parents[g]!);
    }
    const roles = new Set(directRoles);
    for (const g of reached) {
      for (const r of spec.groups[g]!.roles) if (roleIds.length > 0) roles.add(r % roleIds.length);
    }
    const permissions = new Set([...roles].flatMap((r) => [...rolePermissions[r]!]));
    let auth: string | undefined;
    if (user.token !== 'none') {
      const key = await fixtures.apiToken(id, {
        intent: user.token === 'app_password' ? 'app_password' : 'api',
        expiring: user.token === 'expired',
        expires: user.token === 'expired' ? new Date(Date.now() - 60_000).toISOString() : null,
      });
      auth = `Bearer ${key}`;
    }
    const [{ username }] = await fixtures.db.query('SELECT username FROM users WHERE id = $1', [
      id,
    ]);
    users.push({
      id,
      username,
      auth,
      tokenState: user.token,
      active: user.active,
      permissions,
      superuser: [...reached].some((g) => spec.groups[g]!.superuser),
    });
  }
  return { users, providers, grants };
}

// ---------------------------------------------------------------------------------------------
// The oracle (contract §3)

const name = (verb: string, model: Model) => `${APP[model]}.${verb}_${model}`;

/** Holds `verb` on `model` globally (superusers hold everything). */
export const holdsGlobally = (user: BuiltUser, verb: string, model: Model) =>
  user.superuser || user.permissions.has(`${name(verb, model)}|`);

/** Globally, or on the one object whose pk is exactly `pk` (as text, as authentik compares it). */
export const holdsOn = (user: BuiltUser, verb: string, model: Model, pk: number) =>
  holdsGlobally(user, verb, model) || user.permissions.has(`${name(verb, model)}|${pk}`);

/** The token authenticates: intent api, not expired, owner active. */
export const authenticates = (user: BuiltUser) => user.active && user.tokenState === 'api';

export const sees = (user: BuiltUser, grant: BuiltGrant) =>
  grant.user === user.id || holdsOn(user, 'view', MODEL_OF[grant.kind.table]!, grant.id);

export const mayDelete = (user: BuiltUser, grant: BuiltGrant) =>
  grant.user === user.id || holdsOn(user, 'delete', MODEL_OF[grant.kind.table]!, grant.id);

export const seesSecretOf = (user: BuiltUser, providerId: number) =>
  holdsOn(user, 'view', 'oauth2provider', providerId);

/** revoke_grants: oneself, or anyone's as a superuser or global holder of the three deletes. */
export const mayRevokeFor = (user: BuiltUser, target: number) =>
  target === user.id ||
  (['authorizationcode', 'accesstoken', 'refreshtoken'] as const).every((model) =>
    holdsGlobally(user, 'delete', model),
  );
