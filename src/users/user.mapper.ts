import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { Column } from '../common/sql/columns.js';
import { formatIsoUtc, isoUtcSql } from '../common/sql/timestamps.js';
import type { GroupMemberResponse } from '../groups/dto/group.response.js';
import { toUserGroup, type GroupRow } from '../groups/group.mapper.js';
import { avatarFor } from './avatar.js';
import type { UserResponse } from './dto/user.response.js';
import type { UserType } from './user.entity.js';

/** Columns ([expression, alias]) a query selects to build a nested User from table `alias`. */
export function userColumns(alias: string, prefix: string): Column[] {
  const plain = [
    'id',
    'username',
    'name',
    'is_active',
    'email',
    'attributes',
    'path',
    'type',
    'uuid',
  ];
  return [
    ...plain.map((column): Column => [`${alias}.${column}`, `${prefix}${column}`]),
    [isoUtcSql(`${alias}.last_login`), `${prefix}last_login`],
  ];
}

export interface UserRow {
  id: number;
  username: string;
  name: string;
  is_active: boolean;
  last_login: string | null;
  email: string;
  attributes: Record<string, unknown>;
  path: string;
  type: UserType;
  uuid: string;
}

/** What a user's groups add to it: direct groups and the superuser flag of their ancestry. */
export interface UserMembership {
  groups: GroupRow[];
  isSuperuser: boolean;
}

export interface UserPresentation {
  installId: string;
  avatarModes: readonly string[];
  includeGroups: boolean;
}

/** The `uid`s of the users shown lately (a hash each, on every list): about 0.5 MB. */
const UIDS = new LRUCache<string, string>({ max: 5_000 });

/** authentik's `uid`: SHA-256 of "<pk>-<install id>". */
export function userUid(pk: number, installId: string): string {
  const input = `${pk}-${installId}`;
  let uid = UIDS.get(input);
  if (uid === undefined) {
    uid = createHash('sha256').update(input).digest('hex');
    UIDS.set(input, uid);
  }
  return uid;
}

export function toUserResponse(
  user: UserRow,
  membership: UserMembership | undefined,
  options: UserPresentation,
): UserResponse {
  const groups = membership?.groups ?? [];
  return {
    pk: user.id,
    username: user.username,
    name: user.name,
    is_active: user.is_active,
    last_login: formatIsoUtc(user.last_login),
    is_superuser: membership?.isSuperuser ?? false,
    groups: groups.map((group) => group.id),
    groups_obj: options.includeGroups ? groups.map(toUserGroup) : null,
    email: user.email,
    avatar: avatarFor(user, options.avatarModes),
    attributes: user.attributes,
    uid: userUid(user.id, options.installId),
    path: user.path,
    type: user.type,
    uuid: user.uuid,
  };
}

/** A member of a group as authentik's GroupMember shows it. */
export function toGroupMember(user: UserRow, installId: string): GroupMemberResponse {
  return {
    pk: user.id,
    username: user.username,
    name: user.name,
    is_active: user.is_active,
    last_login: formatIsoUtc(user.last_login),
    email: user.email,
    attributes: user.attributes,
    uid: userUid(user.id, installId),
  };
}
