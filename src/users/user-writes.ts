import type { EntityManager, QueryDeepPartialEntity } from 'typeorm';
import { hasPermissionOn, type Principal } from '../common/auth/principal.js';
import { ValidationError } from '../common/errors/api-errors.js';
import { Messages } from '../common/validation/messages.js';
import { ancestryOf } from '../groups/group-hierarchy.js';
import { GroupPermissions } from '../groups/group.permissions.js';
import type { PatchedUserRequest } from './dto/user.request.js';
import type { User, UserType } from './user.entity.js';

const INTERNAL_SERVICE_ACCOUNT: UserType = 'internal_service_account';

/** authentik's UserSerializer.validate_type. */
export function checkType(requested: UserType | undefined, current: UserType | undefined): void {
  if (requested === undefined || requested === current) return;
  const message =
    current === INTERNAL_SERVICE_ACCOUNT
      ? "Can't change internal service account to other user type."
      : requested === INTERNAL_SERVICE_ACCOUNT
        ? 'Setting a user to internal service account is not allowed.'
        : undefined;
  if (message) throw new ValidationError({ type: [message] });
}

/** The columns a write sets: only the fields the body gave. */
export function userValues(body: PatchedUserRequest): QueryDeepPartialEntity<User> {
  const values: Partial<User> = {
    username: body.username,
    name: body.name,
    email: body.email,
    isActive: body.is_active,
    path: body.path,
    type: body.type,
    attributes: body.attributes,
  };
  return Object.fromEntries(
    Object.entries(values).filter(([, value]) => value !== undefined),
  ) as QueryDeepPartialEntity<User>;
}

/**
 * The groups of a user write, lower-cased and deduplicated: each must exist, and joining one that
 * confers superuser status (itself or an ancestor) takes `enable_group_superuser` — otherwise
 * anyone allowed to change a user could make it, or themselves, a superuser. Groups the user is
 * already in are not re-checked.
 */
export async function checkGroupsOfUser(
  manager: EntityManager,
  principal: Principal,
  requested: readonly string[],
  current: readonly string[],
): Promise<string[]> {
  const ids = [...new Set(requested.map((id) => id.toLowerCase()))];
  const ancestry = await ancestryOf(manager, ids);
  const missing = ids.find((id) => !ancestry.has(id));
  if (missing !== undefined) {
    throw new ValidationError({ groups: [Messages.doesNotExist(missing)] });
  }
  const promoting = ids.some(
    (id) =>
      !current.includes(id) &&
      ancestry.get(id)!.confersSuperuser &&
      !hasPermissionOn(principal, GroupPermissions.enableSuperuser, id),
  );
  if (promoting) {
    throw new ValidationError({
      groups: ['User does not have permission to add members to a superuser group.'],
    });
  }
  return ids;
}

/** Makes the user's direct groups exactly `groupIds`. */
export async function replaceGroups(manager: EntityManager, userId: number, groupIds: string[]) {
  await manager.query(
    'DELETE FROM user_groups WHERE user_id = $1 AND NOT (group_id = ANY($2::uuid[]))',
    [userId, groupIds],
  );
  if (groupIds.length === 0) return;
  await manager.query(
    `INSERT INTO user_groups (user_id, group_id)
     SELECT $1, unnest($2::uuid[]) ON CONFLICT DO NOTHING`,
    [userId, groupIds],
  );
}
