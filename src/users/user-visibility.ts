import type { SelectQueryBuilder } from 'typeorm';
import { hasGlobalPermission, objectPksWith, type Principal } from '../common/auth/principal.js';
import { UserPermissions } from './user.permissions.js';

const MAX_INT4 = 2 ** 31 - 1;

/**
 * Narrows `qb` (over table `users` as `alias`) to the users `principal` may see: every user for
 * superusers and holders of `view_user`; otherwise the caller themselves and the users they hold
 * an object-level `view_user` on. Nobody for an anonymous caller.
 */
export function whereVisibleUser<T extends object>(
  qb: SelectQueryBuilder<T>,
  principal: Principal | null,
  alias = 'u',
): SelectQueryBuilder<T> {
  if (!principal) return qb.where('FALSE');
  if (hasGlobalPermission(principal, UserPermissions.view)) return qb.where('TRUE');
  const objectPks = objectPksWith(principal, UserPermissions.view)
    .filter((pk) => /^\d{1,10}$/.test(pk) && Number(pk) <= MAX_INT4)
    .map(Number);
  return qb.where(
    objectPks.length > 0
      ? `(${alias}.id = :visibleSelf OR ${alias}.id IN (:...visiblePks))`
      : `${alias}.id = :visibleSelf`,
    { visibleSelf: principal.userId, visiblePks: objectPks },
  );
}
