import type { SelectQueryBuilder } from 'typeorm';
import { isStorableIntegerPk, isUuid } from '../validation/primary-keys.js';
import { hasGlobalPermission, objectPksWith, type Principal } from './principal.js';

/**
 * How a table's keys look. An object permission names the row whose key, as text, is exactly its
 * object_pk (as authentik compares them, and as `hasPermissionOn` does): `01` or an upper-case
 * UUID names no row. Other shapes are kept out of the SQL, where they would fail the cast.
 */
const KEYS: Record<'integer' | 'bigint' | 'uuid', (pk: string) => number | string | undefined> = {
  integer: (pk) =>
    /^[1-9]\d{0,9}$/.test(pk) && isStorableIntegerPk(Number(pk)) ? Number(pk) : undefined,
  bigint: (pk) => (/^[1-9]\d{0,17}$/.test(pk) ? pk : undefined),
  uuid: (pk) => (isUuid(pk) && pk === pk.toLowerCase() ? pk : undefined),
};

export interface Visibility {
  /** The permission that shows a row when held globally or on the row. */
  permission: string;
  /** The primary-key column object permissions name (`g.id`), and its kind. */
  key: string;
  keyKind: keyof typeof KEYS;
  /** The column of the row's owner (`t.user_id`), who always sees their own rows. */
  owner?: string;
}

/**
 * Narrows `qb` to the rows `principal` may see (contract §3): every row for a global holder of the
 * view permission (superusers hold every permission); otherwise the rows it holds the permission
 * on, and its own rows when they have an owner. Nothing for an anonymous caller.
 */
export function whereVisible<T extends object>(
  qb: SelectQueryBuilder<T>,
  principal: Principal | null,
  visibility: Visibility,
): SelectQueryBuilder<T> {
  if (!principal) return qb.andWhere('FALSE');
  const { permission, key, keyKind, owner } = visibility;
  if (hasGlobalPermission(principal, permission)) return qb;
  const pks = objectPksWith(principal, permission)
    .map(KEYS[keyKind])
    .filter((pk) => pk !== undefined);
  // Named after the key column, so that two visibility rules can share a query.
  const param = `visible_${key.replace(/\W/g, '_')}`;
  const conditions = [
    ...(owner ? [`${owner} = :${param}_owner`] : []),
    ...(pks.length > 0 ? [`${key} IN (:...${param})`] : []),
  ];
  if (conditions.length === 0) return qb.andWhere('FALSE');
  return qb.andWhere(`(${conditions.join(' OR ')})`, {
    [`${param}_owner`]: principal.userId,
    [param]: pks,
  });
}
