import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type SelectQueryBuilder } from 'typeorm';
import { noMatch, notFound, permissionDenied } from '../common/errors/api-errors.js';
import { paginate, type OrderingRules } from '../common/pagination/paginate.js';
import { Paginated } from '../common/pagination/paginated.js';
import {
  hasGlobalPermission,
  hasPermissionOn,
  objectPksWith,
  type Principal,
} from '../common/auth/principal.js';
import { Permissions } from '../common/auth/permissions.js';
import { unprefixed, type Column } from '../common/sql/columns.js';
import { formatIsoUtc, isoUtcSql } from '../common/sql/timestamps.js';
import type { RuntimeConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { InstallService } from '../install/install.service.js';
import {
  providerColumns,
  toProviderResponse,
  type ProviderRow,
} from '../oauth2-providers/oauth2-provider.mapper.js';
import { toUserResponse, userColumns, type UserRow } from '../users/user.mapper.js';
import { UsersService } from '../users/users.service.js';
import type { GrantFilterQuery, GrantListQuery } from './dto/grant-list.query.js';
import type { GrantResponse } from './dto/grant.response.js';
import type { TokenGrantResponse } from './dto/token-grant.response.js';
import { formatIdToken } from './id-token.js';
import type { GrantKind } from './grant-kind.js';

const GRANT_ORDERING = {
  pk: 'g.id',
  provider: 'g.provider_id',
  user: 'g.user_id',
  expires: 'g.expires',
};
const orderingOf = (kind: GrantKind): OrderingRules => ({
  allowed: kind.issuedToken ? { ...GRANT_ORDERING, revoked: 'g.revoked' } : GRANT_ORDERING,
  defaults: ['provider', 'expires'],
  primaryKey: 'g.id',
});
const MAX_BIGINT = 2n ** 63n - 1n;

const ITEM_COLUMNS: Column[] = [
  ['g.id', 'g_id'],
  ['g.user_id', 'g_user_id'],
  ['g.provider_id', 'g_provider_id'],
  ['(g.expiring AND g.expires IS NOT NULL AND g.expires < now())', 'g_is_expired'],
  [isoUtcSql('g.expires'), 'g_expires'],
  ['g.scope', 'g_scope'],
  ...providerColumns('p', 'app', 'backchannel', 'p_'),
  ...userColumns('u', 'u_'),
];
const ISSUED_TOKEN_COLUMNS: Column[] = [
  ['g.id_token', 'g_id_token'],
  ['g.revoked', 'g_revoked'],
];

const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/** A row id from the path: non-integers are 404 "Not found.", impossible integers match nothing. */
function parseId(raw: string, kind: GrantKind): string {
  if (!/^-?\d+$/.test(raw)) throw notFound();
  const id = BigInt(raw);
  if (id < 1n || id > MAX_BIGINT) throw noMatch(kind.modelName);
  return id.toString();
}

/**
 * List, retrieve, destroy and used_by for every grant kind (contract §1–§5): one query for the
 * page, one count, one batched query for the users' groups.
 */
@Injectable()
export class GrantsService {
  private readonly avatarModes: readonly string[];

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: RuntimeConfig,
    private readonly users: UsersService,
    private readonly install: InstallService,
  ) {
    this.avatarModes = config.avatars.split(',');
  }

  async list(
    kind: GrantKind,
    principal: Principal,
    query: GrantListQuery,
  ): Promise<Paginated<GrantResponse | TokenGrantResponse>> {
    const page = await paginate<Record<string, unknown>>(
      this.scoped(kind, principal, query, { joins: !!query.search }),
      this.withItemColumns(kind, this.scoped(kind, principal, query)),
      query,
      this.config.pagination,
      orderingOf(kind),
    );
    const items = await this.present(kind, page.rows, principal, query);
    return new Paginated(items, page.count, page.page, page.pageSize);
  }

  async retrieve(
    kind: GrantKind,
    principal: Principal | null,
    rawId: string,
    query: GrantFilterQuery,
  ): Promise<GrantResponse | TokenGrantResponse> {
    const id = parseId(rawId, kind);
    const row = await this.withItemColumns(kind, this.scoped(kind, principal, query))
      .andWhere('g.id = :id', { id })
      .getRawOne<Record<string, unknown>>();
    if (!row) throw noMatch(kind.modelName);
    const [item] = await this.present(kind, [row], principal, query);
    return item!;
  }

  /** Owners may revoke their own grants; others need `delete_<model>` globally or on the row. */
  async destroy(
    kind: GrantKind,
    principal: Principal | null,
    rawId: string,
    query: GrantFilterQuery,
  ): Promise<void> {
    const id = parseId(rawId, kind);
    const row = await this.scoped(kind, principal, query, { joins: !!query.search })
      .select('g.user_id', 'user_id')
      .andWhere('g.id = :id', { id })
      .getRawOne<{ user_id: number }>();
    if (!row || !principal) throw noMatch(kind.modelName);
    const owner = row.user_id === principal.userId;
    if (!owner && !hasPermissionOn(principal, kind.deletePermission, id)) throw permissionDenied();
    const result = await this.dataSource
      .createQueryBuilder()
      .delete()
      .from(kind.table)
      .where('id = :id', { id })
      .execute();
    // A concurrent request may have deleted it between the two statements.
    if (!result.affected) throw noMatch(kind.modelName);
  }

  /** Nothing references a grant: always `[]`, once the grant is visible. */
  async usedBy(
    kind: GrantKind,
    principal: Principal,
    rawId: string,
    query: GrantFilterQuery,
  ): Promise<never[]> {
    const id = parseId(rawId, kind);
    const row = await this.scoped(kind, principal, query, { joins: !!query.search })
      .select('g.id', 'id')
      .andWhere('g.id = :id', { id })
      .getRawOne();
    if (!row) throw noMatch(kind.modelName);
    return [];
  }

  /** The rows `principal` may see (contract §3) that match the filters and search. */
  private scoped(
    kind: GrantKind,
    principal: Principal | null,
    query: GrantFilterQuery,
    { joins } = { joins: true },
  ): SelectQueryBuilder<Record<string, unknown>> {
    const qb = this.dataSource.createQueryBuilder().from(kind.table, 'g');
    if (joins) {
      qb.innerJoin('users', 'u', 'u.id = g.user_id').innerJoin(
        'oauth2_providers',
        'p',
        'p.id = g.provider_id',
      );
    }
    if (!principal) {
      qb.where('FALSE');
    } else if (!hasGlobalPermission(principal, kind.viewPermission)) {
      const objectPks = objectPksWith(principal, kind.viewPermission).filter((pk) =>
        /^\d{1,18}$/.test(pk),
      );
      qb.where(
        objectPks.length > 0 ? '(g.user_id = :me OR g.id IN (:...objectPks))' : 'g.user_id = :me',
        { me: principal.userId, objectPks },
      );
    }
    if (query.user) qb.andWhere('g.user_id = :user', { user: query.user });
    if (query.provider) qb.andWhere('g.provider_id = :provider', { provider: query.provider });
    if (query.search) {
      qb.andWhere(
        `(u.username ILIKE :pattern OR u.name ILIKE :pattern OR u.email ILIKE :pattern
          OR p.name ILIKE :pattern OR p.client_id ILIKE :pattern)`,
        { pattern: `%${escapeLike(query.search)}%` },
      );
    }
    return qb;
  }

  private withItemColumns(kind: GrantKind, qb: SelectQueryBuilder<Record<string, unknown>>) {
    qb.leftJoin('applications', 'app', 'app.provider_id = p.id').leftJoin(
      'applications',
      'backchannel',
      'backchannel.id = p.backchannel_application_id',
    );
    const columns = kind.issuedToken ? [...ITEM_COLUMNS, ...ISSUED_TOKEN_COLUMNS] : ITEM_COLUMNS;
    const [[firstExpression, firstAlias], ...rest] = columns;
    qb.select(firstExpression!, firstAlias);
    for (const [expression, alias] of rest) qb.addSelect(expression, alias);
    return qb;
  }

  private async present(
    kind: GrantKind,
    rows: Record<string, unknown>[],
    principal: Principal | null,
    query: GrantFilterQuery,
  ): Promise<(GrantResponse | TokenGrantResponse)[]> {
    const memberships = await this.users.memberships(rows.map((row) => row.g_user_id as number));
    const presentation = {
      installId: this.install.installId,
      avatarModes: this.avatarModes,
      includeGroups:
        query.include_groups === undefined || query.include_groups.toLowerCase() === 'true',
    };
    return rows.map((row) => {
      const provider = unprefixed<ProviderRow>(row, 'p_');
      const revealSecret =
        !!principal &&
        hasPermissionOn(principal, Permissions.viewOAuth2Provider, String(provider.id));
      const item: GrantResponse = {
        pk: Number(row.g_id),
        provider: toProviderResponse(provider, revealSecret),
        user: toUserResponse(
          unprefixed<UserRow>(row, 'u_'),
          memberships.get(row.g_user_id as number),
          presentation,
        ),
        is_expired: row.g_is_expired as boolean,
        expires: formatIsoUtc(row.g_expires as string | null),
        scope: (row.g_scope as string).split(' ').filter(Boolean),
      };
      if (!kind.issuedToken) return item;
      return {
        ...item,
        id_token: formatIdToken(row.g_id_token as Record<string, unknown> | null),
        revoked: row.g_revoked as boolean,
      } satisfies TokenGrantResponse;
    });
  }
}
