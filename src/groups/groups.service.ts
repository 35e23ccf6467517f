import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager, type SelectQueryBuilder } from 'typeorm';
import { hasPermissionOn, requirePermissionOn, type Principal } from '../common/auth/principal.js';
import { whereVisible } from '../common/auth/visibility.js';
import {
  noMatch,
  notFound,
  permissionDenied,
  ValidationError,
} from '../common/errors/api-errors.js';
import { paginate, type OrderingRules } from '../common/pagination/paginate.js';
import { Paginated } from '../common/pagination/paginated.js';
import { selectColumns, unprefixed, type Column } from '../common/sql/columns.js';
import { deleteRowById } from '../common/sql/rows.js';
import type { RuntimeConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { InstallService } from '../install/install.service.js';
import { isStorableIntegerPk, isUuid } from '../common/validation/primary-keys.js';
import type { QueryLists } from '../common/validation/repeated-query.js';
import { toGroupMember, userColumns, type UserRow } from '../users/user.mapper.js';
import { whereVisibleUser } from '../users/user-visibility.js';
import type {
  GroupListFilter,
  GroupListQuery,
  GroupPresentationQuery,
} from './dto/group-list.query.js';
import type { GroupRequest, PatchedGroupRequest, UserAccountRequest } from './dto/group.request.js';
import type { GroupMemberResponse, GroupResponse } from './dto/group.response.js';
import { Group } from './group.entity.js';
import { checkGroupListFilters, whereGroupFilters } from './group-filters.js';
import { ancestryOf, lockHierarchy } from './group-hierarchy.js';
import type { RoleRow } from '../rbac/role.mapper.js';
import { toGroupResponse, type GroupRelations, type GroupRow } from './group.mapper.js';
import { GroupPermissions } from './group.permissions.js';
import {
  checkGroupWrite,
  groupValues,
  Rejections,
  replaceMembers,
  replaceRoles,
  type CurrentGroup,
} from './group-writes.js';

const ORDERING: OrderingRules = {
  allowed: { name: 'g.name', is_superuser: 'g.is_superuser', pk: 'g.id' },
  defaults: ['name'],
  primaryKey: 'g.id',
};

const GROUP_COLUMNS: Column[] = [
  ['g.id', 'id'],
  ['g.name', 'name'],
  ['g.is_superuser', 'is_superuser'],
  ['g.parent_id', 'parent_id'],
  ['parent.name', 'parent_name'],
  ['g.attributes', 'attributes'],
];

/** A group pk from the path: anything but a UUID is 404 "Not found.". */
function parseGroupId(raw: string): string {
  if (!isUuid(raw)) throw notFound();
  return raw.toLowerCase();
}

const includeUsers = (query: GroupPresentationQuery) =>
  query.include_users?.toLowerCase() === 'true';

/**
 * `core/groups/`: list, retrieve, create, update, destroy, add_user and remove_user. Visibility:
 * superusers and holders of `view_group` see every group; everyone else the groups they hold an
 * object-level `view_group` on.
 */
@Injectable()
export class GroupsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: RuntimeConfig,
    private readonly install: InstallService,
  ) {}

  async list(
    principal: Principal,
    query: GroupListQuery,
    lists: QueryLists<GroupListFilter>,
  ): Promise<Paginated<GroupResponse>> {
    await checkGroupListFilters(this.dataSource, lists);
    const page = await paginate<GroupRow>(
      whereGroupFilters(this.scoped(principal), query, lists),
      this.withColumns(whereGroupFilters(this.scoped(principal), query, lists)),
      query,
      this.config.pagination,
      ORDERING,
    );
    const items = await this.present(page.rows, includeUsers(query));
    return new Paginated(items, page.count, page.page, page.pageSize);
  }

  async retrieve(
    principal: Principal | null,
    rawId: string,
    query: GroupPresentationQuery,
  ): Promise<GroupResponse> {
    const id = parseGroupId(rawId);
    const row = await this.withColumns(this.scoped(principal))
      .andWhere('g.id = :id', { id })
      .getRawOne<GroupRow>();
    if (!row) throw noMatch('Group');
    const [item] = await this.present([row], includeUsers(query));
    return item!;
  }

  /** Needs global `add_group` (checked by the guard). */
  async create(
    principal: Principal,
    body: GroupRequest,
    query: GroupPresentationQuery,
  ): Promise<GroupResponse> {
    const id = await this.dataSource.transaction(async (manager) => {
      const current: CurrentGroup = { is_superuser: false, parent_id: null, members: [] };
      await checkGroupWrite(manager, principal, undefined, current, body);
      const inserted = await manager
        .createQueryBuilder()
        .insert()
        .into(Group)
        .values(groupValues(body))
        .returning('id')
        .execute();
      const id = (inserted.raw as { id: string }[])[0]!.id;
      if (body.users?.length) await replaceMembers(manager, id, body.users);
      if (body.roles?.length) await replaceRoles(manager, id, body.roles);
      return id;
    });
    return this.load(id, query);
  }

  /** PUT and PATCH: fields left out keep their values. Needs `change_group` on the group. */
  async update(
    principal: Principal | null,
    rawId: string,
    body: PatchedGroupRequest,
    query: GroupPresentationQuery,
  ): Promise<GroupResponse> {
    const id = parseGroupId(rawId);
    await this.dataSource.transaction(async (manager) => {
      if (body.parent !== undefined) await lockHierarchy(manager);
      const row = await this.scoped(principal, manager)
        .select('g.is_superuser', 'is_superuser')
        .addSelect('g.parent_id', 'parent_id')
        .andWhere('g.id = :id', { id })
        .setLock('pessimistic_write')
        .getRawOne<Omit<CurrentGroup, 'members'>>();
      if (!row || !principal) throw noMatch('Group');
      requirePermissionOn(principal, GroupPermissions.change, id);
      const members: { user_id: number }[] =
        body.users === undefined
          ? []
          : await manager.query('SELECT user_id FROM user_groups WHERE group_id = $1', [id]);
      const current = { ...row, members: members.map((member) => member.user_id) };
      await checkGroupWrite(manager, principal, id, current, body);
      const values = groupValues(body);
      if (Object.keys(values).length > 0) {
        await manager
          .createQueryBuilder()
          .update(Group)
          .set(values)
          .where('id = :id', { id })
          .execute();
      }
      if (body.users !== undefined) await replaceMembers(manager, id, body.users);
      if (body.roles !== undefined) await replaceRoles(manager, id, body.roles);
    });
    return this.load(id, query);
  }

  /** Needs `delete_group`; members stay (only their membership goes), children lose their parent. */
  async destroy(principal: Principal | null, rawId: string): Promise<void> {
    const id = await this.requireVisible(principal, rawId, [GroupPermissions.delete]);
    await deleteRowById(this.dataSource, Group, id, 'Group');
  }

  /** Needs `change_group` or authentik's `add_user_to_group`; the user must be visible. */
  async addUser(principal: Principal, rawId: string, body: UserAccountRequest): Promise<void> {
    const id = await this.requireVisible(principal, rawId, [
      GroupPermissions.change,
      GroupPermissions.addUser,
    ]);
    await this.dataSource.transaction(async (manager) => {
      const userId = await this.visibleUser(manager, principal, body.pk);
      const ancestry = await ancestryOf(manager, [id]);
      if (
        ancestry.get(id)?.confersSuperuser &&
        !hasPermissionOn(principal, GroupPermissions.enableSuperuser, id)
      ) {
        throw new ValidationError({ pk: [Rejections.superuserMembers] });
      }
      await manager.query(
        'INSERT INTO user_groups (user_id, group_id) VALUES ($1, $2) ON CONFLICT DO NOTHING',
        [userId, id],
      );
    });
  }

  /** Needs `change_group` or authentik's `remove_user_from_group`; the user must be visible. */
  async removeUser(principal: Principal, rawId: string, body: UserAccountRequest): Promise<void> {
    const id = await this.requireVisible(principal, rawId, [
      GroupPermissions.change,
      GroupPermissions.removeUser,
    ]);
    const userId = await this.visibleUser(this.dataSource.manager, principal, body.pk);
    await this.dataSource.query('DELETE FROM user_groups WHERE user_id = $1 AND group_id = $2', [
      userId,
      id,
    ]);
  }

  /** The id of a group `principal` sees (else 404) and holds one of `permissions` on (else 403). */
  private async requireVisible(
    principal: Principal | null,
    rawId: string,
    permissions: string[],
  ): Promise<string> {
    const id = parseGroupId(rawId);
    const row = await this.scoped(principal)
      .select('g.id', 'id')
      .andWhere('g.id = :id', { id })
      .getRawOne();
    if (!row || !principal) throw noMatch('Group');
    if (!permissions.some((name) => hasPermissionOn(principal, name, id))) {
      throw permissionDenied();
    }
    return id;
  }

  /** authentik answers a user the caller cannot see like one that does not exist. */
  private async visibleUser(
    manager: EntityManager,
    principal: Principal,
    pk: number,
  ): Promise<number> {
    const found =
      isStorableIntegerPk(pk) &&
      (await whereVisibleUser(manager.createQueryBuilder().from('users', 'u'), principal)
        .select('u.id', 'id')
        .andWhere('u.id = :pk', { pk })
        .getRawOne());
    if (!found) throw new ValidationError({ pk: [Rejections.noUser] });
    return pk;
  }

  /** The groups `principal` may see. */
  private scoped(
    principal: Principal | null,
    manager: EntityManager = this.dataSource.manager,
  ): SelectQueryBuilder<Record<string, unknown>> {
    return whereVisible(manager.createQueryBuilder().from('groups', 'g'), principal, {
      permission: GroupPermissions.view,
      key: 'g.id',
      keyKind: 'uuid',
    });
  }

  private withColumns(qb: SelectQueryBuilder<Record<string, unknown>>) {
    qb.leftJoin('groups', 'parent', 'parent.id = g.parent_id');
    return selectColumns(qb, GROUP_COLUMNS);
  }

  /** One group as the API shows it, whoever may see it (the answer to a write). */
  private async load(id: string, query: GroupPresentationQuery): Promise<GroupResponse> {
    const row = await this.withColumns(this.dataSource.createQueryBuilder().from('groups', 'g'))
      .where('g.id = :id', { id })
      .getRawOne<GroupRow>();
    if (!row) throw noMatch('Group');
    const [item] = await this.present([row], includeUsers(query));
    return item!;
  }

  /** The members and roles of a page of groups: one query each, whatever the page size. */
  private async present(rows: GroupRow[], withUsers: boolean): Promise<GroupResponse[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((row) => row.id);
    const [members, roles] = await Promise.all([
      this.members(ids, withUsers),
      this.dataSource
        .createQueryBuilder()
        .from('group_roles', 'gr')
        .innerJoin('roles', 'r', 'r.id = gr.role_id')
        .select('gr.group_id', 'group_id')
        .addSelect('r.id', 'id')
        .addSelect('r.name', 'name')
        .where('gr.group_id IN (:...ids)', { ids })
        .orderBy('r.name')
        .addOrderBy('r.id')
        .getRawMany<RoleRow & { group_id: string }>(),
    ]);
    const relations = new Map<string, GroupRelations>(
      ids.map((id) => [id, { userIds: [], members: withUsers ? [] : null, roles: [] }]),
    );
    for (const member of members) {
      const relation = relations.get(member.group_id)!;
      relation.userIds.push(member.id);
      if (member.user) relation.members?.push(member.user);
    }
    for (const role of roles) relations.get(role.group_id)!.roles.push(role);
    return rows.map((row) => toGroupResponse(row, relations.get(row.id)!));
  }

  private async members(
    groupIds: string[],
    withUsers: boolean,
  ): Promise<{ group_id: string; id: number; user?: GroupMemberResponse }[]> {
    const qb = this.dataSource
      .createQueryBuilder()
      .from('user_groups', 'ug')
      .select('ug.group_id', 'group_id')
      .where('ug.group_id IN (:...groupIds)', { groupIds })
      .orderBy('ug.user_id');
    if (!withUsers) {
      qb.addSelect('ug.user_id', 'id');
      return qb.getRawMany();
    }
    qb.innerJoin('users', 'u', 'u.id = ug.user_id');
    for (const [expression, alias] of userColumns('u', 'u_')) qb.addSelect(expression, alias);
    const rows: Record<string, unknown>[] = await qb.getRawMany();
    return rows.map((row) => {
      const user = unprefixed<UserRow>(row, 'u_');
      return {
        group_id: row.group_id as string,
        id: user.id,
        user: toGroupMember(user, this.install.installId),
      };
    });
  }
}
