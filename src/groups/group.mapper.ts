import { toRoleResponse, type RoleRow } from '../rbac/role.mapper.js';
import type { GroupMemberResponse, GroupResponse } from './dto/group.response.js';
import type { UserGroupResponse } from './dto/user-group.response.js';

/** authentik's `num_pk`: the first five decimal digits of the uuid read as a 128-bit integer. */
export function numPk(uuid: string): number {
  return Number(
    BigInt(`0x${uuid.replaceAll('-', '')}`)
      .toString()
      .slice(0, 5),
  );
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
