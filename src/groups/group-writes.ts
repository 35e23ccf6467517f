import type { EntityManager, QueryDeepPartialEntity } from 'typeorm';
import { hasGlobalPermission, hasPermissionOn, type Principal } from '../common/auth/principal.js';
import { ValidationError } from '../common/errors/api-errors.js';
import { Messages } from '../common/validation/messages.js';
import { isStorableIntegerPk } from '../common/validation/primary-keys.js';
import type { PatchedGroupRequest } from './dto/group.request.js';
import type { Group } from './group.entity.js';
import { ancestryOf } from './group-hierarchy.js';
import { GroupPermissions } from './group.permissions.js';

export const Rejections = {
  superuserStatus: (value: boolean) =>
    `User does not have permission to set superuser status to ${value ? 'True' : 'False'}.`,
  superuserParent: 'User does not have permission to place this group under a superuser group.',
  superuserMembers: 'User does not have permission to add members to a superuser group.',
  ownParent: 'A group cannot be its own parent.',
  descendantParent: 'A group cannot have one of its descendants as its parent.',
  noUser: 'User does not exist',
};

/** What a write changes from (create: a plain group without parent or members). */
export interface CurrentGroup {
  is_superuser: boolean;
  parent_id: string | null;
  members: number[];
}

/** The columns a write sets: only the fields the body gave. */
export function groupValues(body: PatchedGroupRequest): QueryDeepPartialEntity<Group> {
  const values: Partial<Group> = {
    name: body.name,
    isSuperuser: body.is_superuser,
    parentId: body.parent === undefined ? undefined : (body.parent?.toLowerCase() ?? null),
    attributes: body.attributes,
  };
  return Object.fromEntries(
    Object.entries(values).filter(([, value]) => value !== undefined),
  ) as QueryDeepPartialEntity<Group>;
}

/**
 * The checks of a group write (`id` undefined on create). References (parent, users, roles) must
 * exist and `parent` must not close a cycle. Superuser status follows authentik's rule — flipping
 * `is_superuser` takes `enable_group_superuser` / `disable_group_superuser`, globally or on the
 * group — extended to the other ways of making someone a superuser: placing the group under a
 * superuser group, or adding members to a group that confers superuser status, also take
 * `enable_group_superuser`.
 */
export async function checkGroupWrite(
  manager: EntityManager,
  principal: Principal,
  id: string | undefined,
  current: CurrentGroup,
  body: PatchedGroupRequest,
): Promise<void> {
  const parent =
    body.parent === undefined ? current.parent_id : (body.parent?.toLowerCase() ?? null);
  if (body.parent && parent === id) throw new ValidationError({ parent: [Rejections.ownParent] });
  const ancestry = await ancestryOf(
    manager,
    [current.parent_id, parent].filter((pk): pk is string => pk !== null),
  );
  if (body.parent) {
    const parentAncestry = ancestry.get(parent!);
    if (!parentAncestry) throw new ValidationError({ parent: [Messages.doesNotExist(parent)] });
    if (id && parentAncestry.ancestors.has(id)) {
      throw new ValidationError({ parent: [Rejections.descendantParent] });
    }
  }
  await checkReferences(manager, body);

  const allowed = (name: string) =>
    id ? hasPermissionOn(principal, name, id) : hasGlobalPermission(principal, name);
  const superuser = body.is_superuser ?? current.is_superuser;
  if (superuser !== current.is_superuser) {
    const name = superuser ? GroupPermissions.enableSuperuser : GroupPermissions.disableSuperuser;
    if (!allowed(name)) {
      throw new ValidationError({ is_superuser: [Rejections.superuserStatus(superuser)] });
    }
  }
  const inherits = (pk: string | null) =>
    pk !== null && (ancestry.get(pk)?.confersSuperuser ?? false);
  const confersBefore = current.is_superuser || inherits(current.parent_id);
  const confers = superuser || inherits(parent);
  if (confers && !confersBefore && !allowed(GroupPermissions.enableSuperuser)) {
    throw new ValidationError({ parent: [Rejections.superuserParent] });
  }
  const added = (body.users ?? []).filter((pk) => !current.members.includes(pk));
  if (confers && added.length > 0 && !allowed(GroupPermissions.enableSuperuser)) {
    throw new ValidationError({ users: [Rejections.superuserMembers] });
  }
}

/** Users and roles named by a write must exist: DRF's "Invalid pk" 400 otherwise. */
async function checkReferences(manager: EntityManager, body: PatchedGroupRequest): Promise<void> {
  const users = [...new Set(body.users ?? [])];
  const roles = [...new Set((body.roles ?? []).map((role) => role.toLowerCase()))];
  if (users.length === 0 && roles.length === 0) return;
  const [found]: { users: number[]; roles: string[] }[] = await manager.query(
    `SELECT ARRAY(SELECT id FROM users WHERE id = ANY($1::int[])) AS users,
            ARRAY(SELECT id::text FROM roles WHERE id = ANY($2::uuid[])) AS roles`,
    [users.filter(isStorableIntegerPk), roles],
  );
  const missingUser = users.find((pk) => !found!.users.includes(pk));
  if (missingUser !== undefined) {
    throw new ValidationError({ users: [Messages.doesNotExist(missingUser)] });
  }
  const missingRole = roles.find((pk) => !found!.roles.includes(pk));
  if (missingRole !== undefined) {
    throw new ValidationError({ roles: [Messages.doesNotExist(missingRole)] });
  }
}

/** Makes the group's members exactly `userIds`. */
export async function replaceMembers(manager: EntityManager, groupId: string, userIds: number[]) {
  await manager.query(
    'DELETE FROM user_groups WHERE group_id = $1 AND NOT (user_id = ANY($2::int[]))',
    [groupId, userIds],
  );
  if (userIds.length === 0) return;
  await manager.query(
    `INSERT INTO user_groups (user_id, group_id)
     SELECT unnest($2::int[]), $1 ON CONFLICT DO NOTHING`,
    [groupId, userIds],
  );
}

/** Makes the group's roles exactly `roleIds`. */
export async function replaceRoles(manager: EntityManager, groupId: string, roleIds: string[]) {
  const ids = [...new Set(roleIds.map((id) => id.toLowerCase()))];
  await manager.query(
    'DELETE FROM group_roles WHERE group_id = $1 AND NOT (role_id = ANY($2::uuid[]))',
    [groupId, ids],
  );
  if (ids.length === 0) return;
  await manager.query(
    `INSERT INTO group_roles (group_id, role_id)
     SELECT $1, unnest($2::uuid[]) ON CONFLICT DO NOTHING`,
    [groupId, ids],
  );
}
