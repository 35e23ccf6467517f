import { containsPattern } from '../common/sql/like.js';
import { deleteRowById } from '../common/sql/rows.js';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type SelectQueryBuilder } from 'typeorm';
import { Models, modelPermissions } from '../common/auth/permissions.js';
import { requirePermissionOn, type Principal } from '../common/auth/principal.js';
import { whereVisible } from '../common/auth/visibility.js';
import { noMatch, notFound } from '../common/errors/api-errors.js';
import { paginate, type OrderingRules } from '../common/pagination/paginate.js';
import { Paginated } from '../common/pagination/paginated.js';
import type { RuntimeConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { isUuid } from '../common/validation/primary-keys.js';
import type { RoleFilterQuery, RoleListQuery } from './dto/role-list.query.js';
import type { PatchedRoleRequest, RoleRequest } from './dto/role.request.js';
import type { RoleResponse } from './dto/role.response.js';
import { Role } from './role.entity.js';
import { toRoleResponse, type RoleRow } from './role.mapper.js';

export const RolePermissions = modelPermissions(Models.role);

const ORDERING: OrderingRules = {
  allowed: { name: 'r.name', pk: 'r.id' },
  defaults: ['name'],
  primaryKey: 'r.id',
};

/** A role id from the path: anything but a UUID is 404 "Not found.". */
export function parseRoleId(raw: string): string {
  if (!isUuid(raw)) throw notFound();
  return raw.toLowerCase();
}

/**
 * rbac/roles/: superusers and holders of global `view_role` see every role, everyone else the
 * roles they hold an object-level `view_role` on. Changing and deleting need `change_role` /
 * `delete_role` globally or on the role; creating needs global `add_role` (checked by @Access).
 */
@Injectable()
export class RolesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: RuntimeConfig,
  ) {}

  async list(principal: Principal, query: RoleListQuery): Promise<Paginated<RoleResponse>> {
    const page = await paginate<RoleRow>(
      this.scoped(principal, query),
      this.withColumns(this.scoped(principal, query)),
      query,
      this.config.pagination,
      ORDERING,
    );
    return new Paginated(page.rows.map(toRoleResponse), page.count, page.page, page.pageSize);
  }

  async retrieve(
    principal: Principal | null,
    rawId: string,
    query: RoleFilterQuery,
  ): Promise<RoleResponse> {
    return toRoleResponse(await this.find(principal, rawId, query));
  }

  async create(body: RoleRequest): Promise<RoleResponse> {
    const result = await this.dataSource
      .createQueryBuilder()
      .insert()
      .into(Role)
      .values({ name: body.name })
      .returning(['id', 'name'])
      .execute();
    return toRoleResponse(result.raw[0] as RoleRow);
  }

  /** PUT and PATCH: the body DTO decides which fields are required. */
  async update(
    principal: Principal | null,
    rawId: string,
    query: RoleFilterQuery,
    body: PatchedRoleRequest,
  ): Promise<RoleResponse> {
    const row = await this.find(principal, rawId, query);
    requirePermissionOn(principal!, RolePermissions.change, row.id);
    if (body.name === undefined) return toRoleResponse(row);
    const result = await this.dataSource
      .createQueryBuilder()
      .update(Role)
      .set({ name: body.name })
      .where('id = :id', { id: row.id })
      .returning(['id', 'name'])
      .execute();
    const updated = (result.raw as RoleRow[])[0];
    // Deleted by a concurrent request between the two statements.
    if (!updated) throw noMatch('Role');
    return toRoleResponse(updated);
  }

  async destroy(principal: Principal | null, rawId: string, query: RoleFilterQuery) {
    const row = await this.find(principal, rawId, query);
    requirePermissionOn(principal!, RolePermissions.delete, row.id);
    await deleteRowById(this.dataSource, Role, row.id, 'Role');
  }

  /** The visible role `rawId`, or 404 (anonymous callers see none). */
  private async find(
    principal: Principal | null,
    rawId: string,
    query: RoleFilterQuery,
  ): Promise<RoleRow> {
    const id = parseRoleId(rawId);
    const row = await this.withColumns(this.scoped(principal, query))
      .andWhere('r.id = :id', { id })
      .getRawOne<RoleRow>();
    if (!row) throw noMatch('Role');
    return row;
  }

  private scoped(
    principal: Principal | null,
    query: RoleFilterQuery,
  ): SelectQueryBuilder<Record<string, unknown>> {
    const qb = whereVisible(this.dataSource.createQueryBuilder().from('roles', 'r'), principal, {
      permission: RolePermissions.view,
      key: 'r.id',
      keyKind: 'uuid',
    });
    if (query.search) {
      qb.andWhere('r.name ILIKE :pattern', { pattern: containsPattern(query.search) });
    }
    return qb;
  }

  private withColumns(qb: SelectQueryBuilder<Record<string, unknown>>) {
    return qb.select('r.id', 'id').addSelect('r.name', 'name');
  }
}
