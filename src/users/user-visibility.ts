import type { SelectQueryBuilder } from 'typeorm';
import type { Principal } from '../common/auth/principal.js';
import { whereVisible } from '../common/auth/visibility.js';
import { UserPermissions } from './user.permissions.js';

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
  return whereVisible(qb, principal, {
    permission: UserPermissions.view,
    key: `${alias}.id`,
    keyKind: 'integer',
    owner: `${alias}.id`,
  });
}
