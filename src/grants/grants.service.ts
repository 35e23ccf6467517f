import { containsPattern } from '../common/sql/like.js';
import { deleteRowById } from '../common/sql/rows.js';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type SelectQueryBuilder } from 'typeorm';
import { noMatch, notFound } from '../common/errors/api-errors.js';
import { parseOrdering, type OrderTerm } from '../common/pagination/ordering.js';
import { parsePageSize, parseRequestedPage, resolvePage } from '../common/pagination/page.js';
import type { OrderingRules } from '../common/pagination/paginate.js';
import { Paginated } from '../common/pagination/paginated.js';
import {
  hasGlobalPermission,
  objectPksWith,
  requireOwnerOrPermissionOn,
  type Principal,
} from '../common/auth/principal.js';
import { whereVisible } from '../common/auth/visibility.js';
import { confirmReferences } from '../common/validation/references.js';
import { selectColumns, unprefixed, type Column } from '../common/sql/columns.js';
import { formatIsoUtc, isoUtcSql } from '../common/sql/timestamps.js';
import type { RuntimeConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';
import {
  providerColumns,
  toProviderResponse,
  type ProviderRow,
} from '../oauth2-providers/oauth2-provider.mapper.js';
import { revealsSecretOf } from '../oauth2-providers/oauth2-providers.service.js';
import { includesGroups } from '../users/dto/user-list.query.js';
import { userColumns, type UserRow } from '../users/user.mapper.js';
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

/** The trigger-kept counters (migrations ScalableLists and UserGrantCounts). */
const PROVIDER_COUNT_SQL = `SELECT COALESCE(sum(n), 0)::bigint AS count FROM grant_counts
  WHERE grant_table = $1 AND ($2::int IS NULL OR provider_id = $2)`;
const USER_COUNT_SQL = `SELECT COALESCE(sum(n), 0)::bigint AS count FROM grant_user_counts
  WHERE grant_table = $1 AND user_id = $2::int AND ($3::int IS NULL OR provider_id = $3)`;

/** `search` matches a grant's user by username, name or email, its provider by name or client id. */
const USER_MATCHES = 'u.username ILIKE :pattern OR u.name ILIKE :pattern OR u.email ILIKE :pattern';
const PROVIDER_MATCHES = 'p.name ILIKE :pattern OR p.client_id ILIKE :pattern';

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

/** A row id from the path: non-integers are 404 "Not found.", impossible integers match nothing. */
function parseId(raw: string, kind: GrantKind): string {
  if (!/^-?\d+$/.test(raw)) throw notFound();
  const id = BigInt(raw);
  if (id < 1n || id > MAX_BIGINT) throw noMatch(kind.modelName);
  return id.toString();
}

/**
 * List, retrieve, destroy and used_by for every grant kind (contract §1–§5): one count, one query
 * for the page, one batched query for the users' groups — whatever the page size or table size.
 * Only an empty result costs one more: the check that the filtered user or provider exists.
 */
@Injectable()
export class GrantsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: RuntimeConfig,
    private readonly users: UsersService,
  ) {}

  async list(
    kind: GrantKind,
    principal: Principal,
    query: GrantListQuery,
  ): Promise<Paginated<GrantResponse | TokenGrantResponse>> {
    const { defaultPageSize, maxPageSize } = this.config.pagination;
    const pageSize = parsePageSize(query.page_size, defaultPageSize, maxPageSize);
    const count = await this.count(kind, principal, query);
    if (count === 0) await confirmReferences(this.dataSource, query);
    const window = resolvePage(parseRequestedPage(query.page), count, pageSize);
    if (count === 0) return new Paginated([], count, window.page, window.pageSize);
    const ordering = orderingOf(kind);
    const terms = parseOrdering(query.ordering, ordering.allowed, ordering.defaults, 'g.id');

    // Deferred join: the page's ids come from the grant table's indexes alone (however deep the
    // offset), and only those rows are joined with their users, providers and applications.
    const ids = this.listed(kind, principal, query).select('g.id', 'id');
    const rows = this.withItemColumns(
      kind,
      this.dataSource
        .createQueryBuilder()
        .from(
          `(${this.ordered(ids, terms).offset(window.offset).limit(window.pageSize).getQuery()})`,
          'page',
        )
        .innerJoin(kind.table, 'g', 'g.id = page.id')
        .setParameters(ids.getParameters()),
    );
    const found = await this.ordered(rows, terms).getRawMany<Record<string, unknown>>();
    const items = await this.present(kind, found, principal, query);
    return new Paginated(items, count, window.page, window.pageSize);
  }

  /**
   * Exact count of the rows a list shows. Without a search, trigger-maintained counters answer in
   * constant time: per provider when the caller sees every row and no user is named, per user
   * (and provider) when a user is named or when the caller sees only their own rows. Otherwise
   * (search, object permissions) the count runs on the grant table's indexes and grows with the
   * result, not the table.
   */
  private async count(
    kind: GrantKind,
    principal: Principal,
    query: GrantListQuery,
  ): Promise<number> {
    if (!query.search) {
      const provider = query.provider || null;
      if (hasGlobalPermission(principal, kind.viewPermission)) {
        return query.user
          ? this.counted(USER_COUNT_SQL, [kind.table, query.user, provider])
          : this.counted(PROVIDER_COUNT_SQL, [kind.table, provider]);
      }
      if (objectPksWith(principal, kind.viewPermission).length === 0) {
        // Their own rows only: a user filter naming someone else matches nothing.
        if (query.user && Number(query.user) !== principal.userId) return 0;
        return this.counted(USER_COUNT_SQL, [kind.table, principal.userId, provider]);
      }
    }
    const counted = await this.listed(kind, principal, query)
      .select('COUNT(*)', 'count')
      .getRawOne<{ count: string }>();
    return Number(counted?.count ?? 0);
  }

  private async counted(sql: string, parameters: unknown[]): Promise<number> {
    const [row] = await this.dataSource.query(sql, parameters);
    return Number(row.count);
  }

  private ordered<T extends SelectQueryBuilder<Record<string, unknown>>>(
    qb: T,
    terms: OrderTerm[],
  ): T {
    for (const term of terms) qb.addOrderBy(term.expression, term.descending ? 'DESC' : 'ASC');
    return qb;
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
    if (!row) throw await this.noMatch(kind, query);
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
    const row = await this.scoped(kind, principal, query)
      .select('g.user_id', 'user_id')
      .andWhere('g.id = :id', { id })
      .getRawOne<{ user_id: number }>();
    if (!row || !principal) throw await this.noMatch(kind, query);
    requireOwnerOrPermissionOn(principal, row.user_id, kind.deletePermission, id);
    await deleteRowById(this.dataSource, kind.table, id, kind.modelName);
  }

  /** Nothing references a grant: always `[]`, once the grant is visible. */
  async usedBy(
    kind: GrantKind,
    principal: Principal,
    rawId: string,
    query: GrantFilterQuery,
  ): Promise<never[]> {
    const id = parseId(rawId, kind);
    const row = await this.scoped(kind, principal, query)
      .select('g.id', 'id')
      .andWhere('g.id = :id', { id })
      .getRawOne();
    if (!row) throw await this.noMatch(kind, query);
    return [];
  }

  /** 404 for a row the filters exclude, unless a filter names no row at all: that is a 400. */
  private async noMatch(kind: GrantKind, query: GrantFilterQuery): Promise<Error> {
    await confirmReferences(this.dataSource, query);
    return noMatch(kind.modelName);
  }

  /** The rows `principal` may see (contract §3) that match the filters and search. */
  private scoped(
    kind: GrantKind,
    principal: Principal | null,
    query: GrantFilterQuery,
  ): SelectQueryBuilder<Record<string, unknown>> {
    const qb = this.filtered(kind, principal, query);
    if (query.search) {
      qb.andWhere(
        `(g.user_id IN (SELECT u.id FROM users u WHERE ${USER_MATCHES})
          OR g.provider_id IN (SELECT p.id FROM oauth2_providers p WHERE ${PROVIDER_MATCHES}))`,
        { pattern: containsPattern(query.search) },
      );
    }
    return qb;
  }

  /** The visible rows that match the `user` and `provider` filters (no search). */
  private filtered(
    kind: GrantKind,
    principal: Principal | null,
    query: GrantFilterQuery,
  ): SelectQueryBuilder<Record<string, unknown>> {
    const qb = whereVisible(this.dataSource.createQueryBuilder().from(kind.table, 'g'), principal, {
      permission: kind.viewPermission,
      key: 'g.id',
      keyKind: 'bigint',
      owner: 'g.user_id',
    });
    if (query.user) qb.andWhere('g.user_id = :user', { user: query.user });
    if (query.provider) qb.andWhere('g.provider_id = :provider', { provider: query.provider });
    return qb;
  }

  /**
   * The rows of a list, as `g` with the columns lists order by. With a search, the union of two
   * disjoint parts: the rows of the matching users, then the rows of the matching providers whose
   * user does not match. Each part is driven by the users or providers that match (the planner
   * estimates an ILIKE on those small tables well) and read from the grant table's (user_id,
   * provider_id, expires, id) index, so its cost follows the number of matches, not the table.
   */
  private listed(
    kind: GrantKind,
    principal: Principal | null,
    query: GrantFilterQuery,
  ): SelectQueryBuilder<Record<string, unknown>> {
    if (!query.search) return this.filtered(kind, principal, query);
    const columns: Column[] = ['id', 'user_id', 'provider_id', 'expires'].map((c) => [`g.${c}`, c]);
    if (kind.issuedToken) columns.push(['g.revoked', 'revoked']);
    const pattern = containsPattern(query.search);
    const byUser = selectColumns(
      this.filtered(kind, principal, query)
        .innerJoin('users', 'u', 'u.id = g.user_id')
        .andWhere(`(${USER_MATCHES})`, { pattern }),
      columns,
    );
    const byProvider = selectColumns(
      this.filtered(kind, principal, query)
        .innerJoin('oauth2_providers', 'p', 'p.id = g.provider_id')
        .innerJoin('users', 'u', 'u.id = g.user_id')
        .andWhere(`(${PROVIDER_MATCHES})`, { pattern })
        .andWhere(`(${USER_MATCHES}) IS NOT TRUE`),
      columns,
    );
    return this.dataSource
      .createQueryBuilder()
      .from(`(${byUser.getQuery()} UNION ALL ${byProvider.getQuery()})`, 'g')
      .setParameters({ ...byUser.getParameters(), ...byProvider.getParameters() });
  }

  /** Joins and selects what an item shows; `qb` is over the grant table as `g`. */
  private withItemColumns(kind: GrantKind, qb: SelectQueryBuilder<Record<string, unknown>>) {
    qb.innerJoin('users', 'u', 'u.id = g.user_id')
      .innerJoin('oauth2_providers', 'p', 'p.id = g.provider_id')
      .leftJoin('applications', 'app', 'app.provider_id = p.id')
      .leftJoin('applications', 'backchannel', 'backchannel.id = p.backchannel_application_id');
    return selectColumns(
      qb,
      kind.issuedToken ? [...ITEM_COLUMNS, ...ISSUED_TOKEN_COLUMNS] : ITEM_COLUMNS,
    );
  }

  private async present(
    kind: GrantKind,
    rows: Record<string, unknown>[],
    principal: Principal | null,
    query: GrantFilterQuery,
  ): Promise<(GrantResponse | TokenGrantResponse)[]> {
    const users = await this.users.present(
      rows.map((row) => unprefixed<UserRow>(row, 'u_')),
      includesGroups(query),
    );
    return rows.map((row, i) => {
      const provider = unprefixed<ProviderRow>(row, 'p_');
      const item: GrantResponse = {
        pk: Number(row.g_id),
        provider: toProviderResponse(provider, revealsSecretOf(principal, provider.id)),
        user: users[i]!,
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
