import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager, type SelectQueryBuilder } from 'typeorm';
import { requirePermissionOn, type Principal } from '../common/auth/principal.js';
import { noMatch, notFound } from '../common/errors/api-errors.js';
import { paginate, type OrderingRules } from '../common/pagination/paginate.js';
import { selectColumns } from '../common/sql/columns.js';
import { deleteRowById } from '../common/sql/rows.js';
import { Paginated } from '../common/pagination/paginated.js';
import type { RuntimeConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { queryRows } from '../database/pool-query.js';
import { GrantRevocationService } from '../grants/grant-revocation.service.js';
import type { GroupRow } from '../groups/group.mapper.js';
import { InstallService } from '../install/install.service.js';
import { hashPassword } from '../bootstrap/bootstrap.service.js';
import { isStorableIntegerPk } from '../common/validation/primary-keys.js';
import type { QueryLists } from '../common/validation/repeated-query.js';
import type { SessionUserResponse } from './dto/session-user.response.js';
import {
  includesGroups,
  type UserListFilter,
  type UserListQuery,
  type UserPresentationQuery,
} from './dto/user-list.query.js';
import type {
  PatchedUserRequest,
  UserPasswordSetRequest,
  UserRequest,
} from './dto/user.request.js';
import type { UserResponse } from './dto/user.response.js';
import { User, type UserType } from './user.entity.js';
import { checkUserListFilters, whereUserFilters } from './user-filters.js';
import { toUserResponse, userColumns, type UserMembership, type UserRow } from './user.mapper.js';
import { UserPermissions } from './user.permissions.js';
import { whereVisibleUser } from './user-visibility.js';
import { checkGroupsOfUser, checkType, replaceGroups, userValues } from './user-writes.js';

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

const ORDERING: OrderingRules = {
  allowed: {
    username: 'u.username',
    name: 'u.name',
    last_login: 'u.last_login',
    date_joined: 'u.date_joined',
    pk: 'u.id',
  },
  defaults: ['username'],
  primaryKey: 'u.id',
};

/** A user pk from the path: non-integers are 404 "Not found.", impossible ones match nothing. */
function parseUserId(raw: string): number {
  if (!/^\d+$/.test(raw)) throw notFound();
  const id = Number(raw);
  if (!isStorableIntegerPk(id)) throw noMatch('User');
  return id;
}

interface MembershipRow extends Omit<GroupRow, 'id'> {
  user_id: number;
  id: string | null;
  user_is_superuser: boolean;
}

/**
 * `core/users/`: list, retrieve, create, update, destroy, set_password and me. Visibility:
 * superusers and holders of `view_user` see every user; everyone else sees themselves and the
 * users they hold an object-level `view_user` on.
 */
@Injectable()
export class UsersService {
  private readonly avatarModes: readonly string[];

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: RuntimeConfig,
    private readonly install: InstallService,
    private readonly revocation: GrantRevocationService,
  ) {
    this.avatarModes = config.avatars.split(',');
  }

  /** Groups and superuser flags of many users at once (one query, whatever their number). */
  private async memberships(userIds: readonly number[]): Promise<Map<number, UserMembership>> {
    const result = new Map<number, UserMembership>();
    const unique = [...new Set(userIds)];
    if (unique.length === 0) return result;
    const rows = await queryRows<MembershipRow>(this.dataSource, MEMBERSHIP_SQL, [unique]);
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

  async list(
    principal: Principal,
    query: UserListQuery,
    lists: QueryLists<UserListFilter>,
  ): Promise<Paginated<UserResponse>> {
    await checkUserListFilters(this.dataSource, lists);
    const page = await paginate<UserRow>(
      whereUserFilters(this.scoped(principal), query, lists),
      this.withColumns(whereUserFilters(this.scoped(principal), query, lists)),
      query,
      this.config.pagination,
      ORDERING,
    );
    const items = await this.present(page.rows, includesGroups(query));
    return new Paginated(items, page.count, page.page, page.pageSize);
  }

  async retrieve(
    principal: Principal | null,
    rawId: string,
    query: UserPresentationQuery,
  ): Promise<UserResponse> {
    const id = parseUserId(rawId);
    const row = await this.withColumns(this.scoped(principal))
      .andWhere('u.id = :id', { id })
      .getRawOne<UserRow>();
    if (!row) throw noMatch('User');
    const [item] = await this.present([row], includesGroups(query));
    return item!;
  }

  async me(principal: Principal, query: UserPresentationQuery): Promise<SessionUserResponse> {
    return { user: await this.load(principal.userId, query) };
  }

  /** Needs global `add_user` (checked by the guard). */
  async create(
    principal: Principal,
    body: UserRequest,
    query: UserPresentationQuery,
  ): Promise<UserResponse> {
    checkType(body.type, undefined);
    const id = await this.dataSource.transaction(async (manager) => {
      const groups = await checkGroupsOfUser(manager, principal, body.groups ?? [], []);
      const inserted = await manager
        .createQueryBuilder()
        .insert()
        .into(User)
        .values(userValues(body))
        .returning('id')
        .execute();
      const id = (inserted.raw as { id: number }[])[0]!.id;
      if (groups.length > 0) await replaceGroups(manager, id, groups);
      return id;
    });
    return this.load(id, query);
  }

  /**
   * PUT and PATCH: fields left out keep their values. Needs `change_user` on the user. Turning
   * `is_active` off revokes the user's grants in the same transaction ("log out everywhere").
   */
  async update(
    principal: Principal | null,
    rawId: string,
    body: PatchedUserRequest,
    query: UserPresentationQuery,
  ): Promise<UserResponse> {
    const id = parseUserId(rawId);
    await this.dataSource.transaction(async (manager) => {
      const current = await this.scoped(principal, manager)
        .select('u.is_active', 'is_active')
        .addSelect('u.type', 'type')
        .andWhere('u.id = :id', { id })
        .setLock('pessimistic_write')
        .getRawOne<{ is_active: boolean; type: UserType }>();
      if (!current || !principal) throw noMatch('User');
      requirePermissionOn(principal, UserPermissions.change, String(id));
      checkType(body.type, current.type);
      if (body.groups !== undefined) {
        const rows: { id: string }[] = await manager.query(
          'SELECT group_id::text AS id FROM user_groups WHERE user_id = $1',
          [id],
        );
        const groups = await checkGroupsOfUser(
          manager,
          principal,
          body.groups,
          rows.map((row) => row.id),
        );
        await replaceGroups(manager, id, groups);
      }
      if (current.is_active && body.is_active === false) {
        await this.revocation.revokeUserGrants(id, undefined, manager);
      }
      const values = userValues(body);
      if (Object.keys(values).length > 0) {
        await manager
          .createQueryBuilder()
          .update(User)
          .set(values)
          .where('id = :id', { id })
          .execute();
      }
    });
    return this.load(id, query);
  }

  /** Needs `delete_user` on the user; its grants and tokens go with it (foreign keys cascade). */
  async destroy(principal: Principal | null, rawId: string): Promise<void> {
    const id = await this.requireVisible(principal, rawId, UserPermissions.delete);
    await deleteRowById(this.dataSource, User, id, 'User');
  }

  /** Needs `reset_user_password` on the user (as authentik); stored as an argon2id hash. */
  async setPassword(principal: Principal, rawId: string, body: UserPasswordSetRequest) {
    const id = await this.requireVisible(principal, rawId, UserPermissions.resetPassword);
    const passwordHash = await hashPassword(body.password);
    const result = await this.dataSource
      .createQueryBuilder()
      .update(User)
      .set({ passwordHash })
      .where('id = :id', { id })
      .execute();
    if (!result.affected) throw noMatch('User');
  }

  /** The id of a user `principal` sees (else 404) and holds `permission` on (else 403). */
  private async requireVisible(
    principal: Principal | null,
    rawId: string,
    permission: string,
  ): Promise<number> {
    const id = parseUserId(rawId);
    const row = await this.scoped(principal)
      .select('u.id', 'id')
      .andWhere('u.id = :id', { id })
      .getRawOne();
    if (!row || !principal) throw noMatch('User');
    requirePermissionOn(principal, permission, String(id));
    return id;
  }

  /** One user as the API shows it, whoever may see it (the answer to a write). */
  private async load(id: number, query: UserPresentationQuery): Promise<UserResponse> {
    const row = await this.withColumns(this.dataSource.createQueryBuilder().from('users', 'u'))
      .where('u.id = :id', { id })
      .getRawOne<UserRow>();
    if (!row) throw noMatch('User');
    const [item] = await this.present([row], includesGroups(query));
    return item!;
  }

  /** The users `principal` may see. */
  private scoped(
    principal: Principal | null,
    manager: EntityManager = this.dataSource.manager,
  ): SelectQueryBuilder<Record<string, unknown>> {
    return whereVisibleUser(manager.createQueryBuilder().from('users', 'u'), principal);
  }

  private withColumns(qb: SelectQueryBuilder<Record<string, unknown>>) {
    return selectColumns(qb, userColumns('u', ''));
  }

  /** Users as the API shows them, also nested in tokens and grants: one query for all groups. */
  async present(rows: UserRow[], withGroups: boolean): Promise<UserResponse[]> {
    const memberships = await this.memberships(rows.map((row) => row.id));
    const presentation = {
      installId: this.install.installId,
      avatarModes: this.avatarModes,
      includeGroups: withGroups,
    };
    return rows.map((row) => toUserResponse(row, memberships.get(row.id), presentation));
  }
}
