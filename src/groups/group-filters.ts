import type { DataSource, SelectQueryBuilder } from 'typeorm';
import { ValidationError } from '../common/errors/api-errors.js';
import { containsPattern } from '../common/sql/like.js';
import {
  invalidChoice,
  invalidValue,
  type QueryLists,
} from '../common/validation/repeated-query.js';
import { isTrue } from '../users/dto/user-list.query.js';
import type { GroupFilterQuery, GroupListFilter } from './dto/group-list.query.js';

/** Narrows `qb` (over `groups` as `g`) by the list's filters and search; empty values filter nothing. */
export function whereGroupFilters<T extends object>(
  qb: SelectQueryBuilder<T>,
  query: GroupFilterQuery,
  lists: QueryLists<GroupListFilter>,
): SelectQueryBuilder<T> {
  if (query.name) qb.andWhere('g.name = :name', { name: query.name });
  if (query.is_superuser) {
    qb.andWhere('g.is_superuser = :isSuperuser', { isSuperuser: isTrue(query.is_superuser) });
  }
  if (lists.members_by_pk.length > 0) {
    qb.andWhere(
      `EXISTS (SELECT 1 FROM user_groups ug
        WHERE ug.group_id = g.id AND ug.user_id = ANY(CAST(:memberPks AS int[])))`,
      { memberPks: lists.members_by_pk.map(Number) },
    );
  }
  if (lists.members_by_username.length > 0) {
    qb.andWhere(
      `EXISTS (SELECT 1 FROM user_groups ug JOIN users u ON u.id = ug.user_id
        WHERE ug.group_id = g.id AND u.username = ANY(CAST(:memberNames AS text[])))`,
      { memberNames: lists.members_by_username },
    );
  }
  if (query.search) {
    qb.andWhere('g.name ILIKE :pattern', { pattern: containsPattern(query.search) });
  }
  return qb;
}

/**
 * django-filter's answers for member filters with a value that is malformed or names no user:
 * one 400 with every such filter. At most one query.
 */
export async function checkGroupListFilters(
  dataSource: DataSource,
  lists: QueryLists<GroupListFilter>,
): Promise<void> {
  const errors: Partial<Record<GroupListFilter, string[]>> = {};
  // Larger numbers name no SERIAL row: "not one of the available choices", checked below.
  const badPk = lists.members_by_pk.find((pk) => !/^\d{1,15}$/.test(pk));
  if (badPk !== undefined) errors.members_by_pk = [invalidValue(badPk)];
  const pks = badPk === undefined ? lists.members_by_pk.map(Number) : [];
  if (pks.length > 0 || lists.members_by_username.length > 0) {
    const [found]: { pks: number[]; names: string[] }[] = await dataSource.query(
      `SELECT ARRAY(SELECT id FROM users WHERE id = ANY($1::bigint[])) AS pks,
              ARRAY(SELECT username FROM users WHERE username = ANY($2::text[])) AS names`,
      [pks, lists.members_by_username],
    );
    const missingPk = pks.find((pk) => !found!.pks.includes(pk));
    if (missingPk !== undefined) errors.members_by_pk = [invalidChoice(String(missingPk))];
    const missingName = lists.members_by_username.find((name) => !found!.names.includes(name));
    if (missingName !== undefined) errors.members_by_username = [invalidChoice(missingName)];
  }
  if (Object.keys(errors).length > 0) throw new ValidationError(errors as Record<string, string[]>);
}
