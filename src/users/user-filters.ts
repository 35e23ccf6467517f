import type { DataSource, SelectQueryBuilder } from 'typeorm';
import { ValidationError } from '../common/errors/api-errors.js';
import { containsPattern } from '../common/sql/like.js';
import { isUuid } from '../common/validation/primary-keys.js';
import {
  invalidChoice,
  invalidValue,
  type QueryLists,
} from '../common/validation/repeated-query.js';
import { isTrue, type UserFilterQuery, type UserListFilter } from './dto/user-list.query.js';
import { USER_TYPES } from './user.entity.js';

/**
 * Ids of the superusers (contract §3): members of a superuser group or of any of its descendants.
 * Not correlated, so PostgreSQL evaluates it once per query.
 */
const SUPERUSER_IDS = `SELECT ug.user_id FROM user_groups ug WHERE ug.group_id IN (
  WITH RECURSIVE superuser_groups AS (
    SELECT id FROM groups WHERE is_superuser
    UNION
    SELECT child.id FROM groups child JOIN superuser_groups s ON child.parent_id = s.id
  ) SELECT id FROM superuser_groups)`;

/** Narrows `qb` (over `users` as `u`) by the list's filters and search; empty values filter nothing. */
export function whereUserFilters<T extends object>(
  qb: SelectQueryBuilder<T>,
  query: UserFilterQuery,
  lists: QueryLists<UserListFilter>,
): SelectQueryBuilder<T> {
  for (const column of ['username', 'email', 'name', 'path'] as const) {
    const value = query[column];
    if (value) qb.andWhere(`u.${column} = :${column}`, { [column]: value });
  }
  if (query.is_active) {
    qb.andWhere('u.is_active = :isActive', { isActive: isTrue(query.is_active) });
  }
  if (query.is_superuser) {
    qb.andWhere(`u.id ${isTrue(query.is_superuser) ? '' : 'NOT '}IN (${SUPERUSER_IDS})`);
  }
  if (lists.type.length > 0) {
    qb.andWhere('u.type = ANY(CAST(:types AS user_type[]))', { types: lists.type });
  }
  if (lists.groups_by_pk.length > 0) {
    qb.andWhere(
      `EXISTS (SELECT 1 FROM user_groups ug
        WHERE ug.user_id = u.id AND ug.group_id = ANY(CAST(:groupPks AS uuid[])))`,
      { groupPks: lists.groups_by_pk },
    );
  }
  if (lists.groups_by_name.length > 0) {
    qb.andWhere(
      `EXISTS (SELECT 1 FROM user_groups ug JOIN groups g ON g.id = ug.group_id
        WHERE ug.user_id = u.id AND g.name = ANY(CAST(:groupNames AS text[])))`,
      { groupNames: lists.groups_by_name },
    );
  }
  if (query.search) {
    qb.andWhere('(u.username ILIKE :pattern OR u.name ILIKE :pattern OR u.email ILIKE :pattern)', {
      pattern: containsPattern(query.search),
    });
  }
  return qb;
}

const LIST_FILTER_ORDER: readonly UserListFilter[] = ['groups_by_name', 'groups_by_pk', 'type'];

/**
 * django-filter's answers for repeatable filters with a value that is malformed or names no
 * group: one 400 with every such filter. At most one query.
 */
export async function checkUserListFilters(
  dataSource: DataSource,
  lists: QueryLists<UserListFilter>,
): Promise<void> {
  const errors: Partial<Record<UserListFilter, string[]>> = {};
  const badType = lists.type.find((type) => !(USER_TYPES as readonly string[]).includes(type));
  if (badType !== undefined) errors.type = [invalidChoice(badType)];
  const badPk = lists.groups_by_pk.find((pk) => !isUuid(pk));
  if (badPk !== undefined) errors.groups_by_pk = [invalidValue(badPk)];
  const pks = badPk === undefined ? lists.groups_by_pk : [];
  if (pks.length > 0 || lists.groups_by_name.length > 0) {
    const [found]: { pks: string[]; names: string[] }[] = await dataSource.query(
      `SELECT ARRAY(SELECT id::text FROM groups WHERE id = ANY($1::uuid[])) AS pks,
              ARRAY(SELECT name FROM groups WHERE name = ANY($2::text[])) AS names`,
      [pks, lists.groups_by_name],
    );
    const missingPk = pks.find((pk) => !found!.pks.includes(pk.toLowerCase()));
    if (missingPk !== undefined) errors.groups_by_pk = [invalidChoice(missingPk)];
    const missingName = lists.groups_by_name.find((name) => !found!.names.includes(name));
    if (missingName !== undefined) errors.groups_by_name = [invalidChoice(missingName)];
  }
  const fields = LIST_FILTER_ORDER.filter((name) => errors[name]);
  if (fields.length > 0) {
    throw new ValidationError(Object.fromEntries(fields.map((name) => [name, errors[name]!])));
  }
}
