import { LRUCache } from 'lru-cache';
import { toRoleResponse, type RoleRow } from '../rbac/role.mapper.js';
import type { GroupMemberResponse, GroupResponse } from './dto/group.response.js';
import type { UserGroupResponse } from './dto/user-group.response.js';

/** The `num_pk`s of the groups shown lately: every user in a list shows its groups'. */
const NUM_PKS = new LRUCache<string, number>({ max: 2_000 });

/** authentik's `num_pk`: the first five decimal digits of the uuid read as a 128-bit integer. */
export function numPk(uuid: string): number {
  let num = NUM_PKS.get(uuid);
  if (num === undefined) {
    num = Number(
      BigInt(`0x${uuid.replaceAll('-', '')}`)
        .toString()
        .slice(0, 5),
    );
    NUM_PKS.set(uuid, num);
  }
  return num;
}

export interface GroupRow {
  id: string;
  name: string;
  is_superuser: boolean;
  parent_id: string | null;
  parent_name: string | null;
  attributes: Record<string, unknown>;
}

export function toUserGroup(row: GroupRow): UserGroupResponse {
  return {
    pk: row.id,
    num_pk: numPk(row.id),
    name: row.name,
    is_superuser: row.is_superuser,
    parent: row.parent_id,
    parent_name: row.parent_name,
    attributes: row.attributes,
  };
}

/** What a group's to-many relations add to it. */
export interface GroupRelations {
  userIds: number[];
  /** Null unless `include_users=true`. */
  members: GroupMemberResponse[] | null;
  roles: RoleRow[];
}

export function toGroupResponse(row: GroupRow, relations: GroupRelations): GroupResponse {
  return {
    pk: row.id,
    num_pk: numPk(row.id),
    name: row.name,
    is_superuser: row.is_superuser,
    parent: row.parent_id,
    parent_name: row.parent_name,
    users: relations.userIds,
    users_obj: relations.members,
    attributes: row.attributes,
    roles: relations.roles.map((role) => role.id),
    roles_obj: relations.roles.map(toRoleResponse),
  };
}
