import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { GroupRow } from '../groups/group.mapper.js';
import type { UserMembership } from './user.mapper.js';

/*
 * For a page of users in one query: their direct groups (with parent names), and whether any
 * group in their ancestry is a superuser group (UNION stops the recursion on cycles).
 */
const MEMBERSHIP_SQL = `
WITH RECURSIVE ancestry AS (
  SELECT ug.user_id, g.id, g.parent_id, g.is_superuser
  FROM user_groups ug JOIN groups g ON g.id = ug.group_id
  WHERE ug.user_id = ANY($1::int[])
  UNION
  SELECT a.user_id, p.id, p.parent_id, p.is_superuser
  FROM ancestry a JOIN groups p ON p.id = a.parent_id
), superusers AS (
  SELECT DISTINCT user_id FROM ancestry WHERE is_superuser
)
SELECT u.user_id, g.id, g.name, g.is_superuser, g.parent_id, parent.name AS parent_name,
  g.attributes, EXISTS (SELECT 1 FROM superusers s WHERE s.user_id = u.user_id) AS user_is_superuser
FROM unnest($1::int[]) AS u(user_id)
LEFT JOIN user_groups ug ON ug.user_id = u.user_id
LEFT JOIN groups g ON g.id = ug.group_id
LEFT JOIN groups parent ON parent.id = g.parent_id
ORDER BY u.user_id, g.name`;

interface MembershipRow extends Omit<GroupRow, 'id'> {
  user_id: number;
  id: string | null;
  user_is_superuser: boolean;
}

@Injectable()
export class UsersService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Groups and superuser flags of many users at once (one query, whatever their number). */
  async memberships(userIds: readonly number[]): Promise<Map<number, UserMembership>> {
    const result = new Map<number, UserMembership>();
    const unique = [...new Set(userIds)];
    if (unique.length === 0) return result;
    const rows: MembershipRow[] = await this.dataSource.query(MEMBERSHIP_SQL, [unique]);
    for (const row of rows) {
      let membership = result.get(row.user_id);
      if (!membership) {
        membership = { groups: [], isSuperuser: row.user_is_superuser };
        result.set(row.user_id, membership);
      }
      if (row.id !== null) membership.groups.push({ ...row, id: row.id });
    }
    return result;
  }
}
