import type { SelectQueryBuilder } from 'typeorm';
import { modelPermission, Models } from '../common/auth/permissions.js';
import { hasGlobalPermission, objectPksWith, type Principal } from '../common/auth/principal.js';

export const ApplicationPermissions = {
  view: modelPermission('view', Models.application),
  add: modelPermission('add', Models.application),
  change: modelPermission('change', Models.application),
  delete: modelPermission('delete', Models.application),
} as const;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Narrows `qb` to the applications (table alias `alias`) `principal` may see (contract §3):
 * every one with a global view_application (superusers hold it), else those it holds an
 * object-level view_application on (object_pk = the application's uuid); none when anonymous.
 * Also used by the providers' used_by, which lists only the applications the caller can see.
 */
export function whereApplicationVisible<T extends object>(
  qb: SelectQueryBuilder<T>,
  principal: Principal | null,
  alias: string,
): SelectQueryBuilder<T> {
  if (!principal) return qb.andWhere('FALSE');
  if (hasGlobalPermission(principal, ApplicationPermissions.view)) return qb;
  const pks = objectPksWith(principal, ApplicationPermissions.view).filter((pk) => UUID.test(pk));
  if (pks.length === 0) return qb.andWhere('FALSE');
  return qb.andWhere(`${alias}.id IN (:...visibleApplicationPks)`, { visibleApplicationPks: pks });
}
