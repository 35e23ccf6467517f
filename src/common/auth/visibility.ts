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
 * The rows `principal` may see (contract §3): `all` for a global holder of the view permission
 * (superusers hold every permission); otherwise its own rows when they have an owner (`ownerId`)
 * and the rows it holds the permission on (`pks`, in the key column's type); `none` for an
 * anonymous caller or one that can see no row.
 */
export type RowVisibility = 'all' | 'none' | { ownerId?: number; pks: (number | string)[] };

export function rowVisibility(principal: Principal | null, visibility: Visibility): RowVisibility {
  if (!principal) return 'none';
  const { permission, keyKind, owner } = visibility;
  if (hasGlobalPermission(principal, permission)) return 'all';
  const pks = objectPksWith(principal, permission)
    .map(KEYS[keyKind])
    .filter((pk) => pk !== undefined);
  if (!owner && pks.length === 0) return 'none';
  return { ...(owner && { ownerId: principal.userId }), pks };
}

/**
 * The SQL condition of `rowVisibility` for hand-written statements, its values added with `bind`
 * (which returns the placeholder); undefined when every row is visible.
 */
export function visibleRowsSql(
  principal: Principal | null,
  visibility: Visibility,
  bind: (value: unknown) => string,
): string | undefined {
  const rows = rowVisibility(principal, visibility);
  if (rows === 'all') return undefined;
  if (rows === 'none') return 'FALSE';
  const conditions = [
    ...(rows.ownerId !== undefined ? [`${visibility.owner} = ${bind(rows.ownerId)}`] : []),
    ...(rows.pks.length > 0
      ? [`${visibility.key} = ANY(${bind(rows.pks)}::${visibility.keyKind}[])`]
      : []),
  ];
  return `(${conditions.join(' OR ')})`;
}

/** Narrows `qb` to the rows `principal` may see (`rowVisibility`). */
export function whereVisible<T extends object>(
  qb: SelectQueryBuilder<T>,
  principal: Principal | null,
  visibility: Visibility,
): SelectQueryBuilder<T> {
  const rows = rowVisibility(principal, visibility);
  if (rows === 'all') return qb;
  if (rows === 'none') return qb.andWhere('FALSE');
  const { key, owner } = visibility;
  // Named after the key column, so that two visibility rules can share a query.
  const param = `visible_${key.replace(/\W/g, '_')}`;
  const conditions = [
    ...(rows.ownerId !== undefined ? [`${owner} = :${param}_owner`] : []),
    ...(rows.pks.length > 0 ? [`${key} IN (:...${param})`] : []),
  ];
  return qb.andWhere(`(${conditions.join(' OR ')})`, {
    [`${param}_owner`]: rows.ownerId,
    [param]: rows.pks,
  });
}
