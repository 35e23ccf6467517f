import type { SelectQueryBuilder } from 'typeorm';
import { Models, modelPermissions } from '../common/auth/permissions.js';
import type { Principal } from '../common/auth/principal.js';
import { whereVisible } from '../common/auth/visibility.js';

export const ApplicationPermissions = modelPermissions(Models.application);

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
  return whereVisible(qb, principal, {
    permission: ApplicationPermissions.view,
    key: `${alias}.id`,
    keyKind: 'uuid',
  });
}
