import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { deleteRowById } from '../common/sql/rows.js';
import { noMatch, notFound } from '../common/errors/api-errors.js';
import { parseOrdering } from '../common/pagination/ordering.js';
import { parsePageSize, parseRequestedPage, resolvePage } from '../common/pagination/page.js';
import type { OrderingRules } from '../common/pagination/paginate.js';
import { Paginated } from '../common/pagination/paginated.js';
import {
  hasGlobalPermission,
  objectPksWith,
  requireOwnerOrPermissionOn,
  type Principal,
} from '../common/auth/principal.js';
import { confirmReferences } from '../common/validation/references.js';
import { unprefixed } from '../common/sql/columns.js';
import { formatIsoUtc } from '../common/sql/timestamps.js';
import { queryRows } from '../database/pool-query.js';
import type { RuntimeConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';
import {
  toProviderResponse,
  type ProviderRow,
} from '../oauth2-providers/oauth2-provider.mapper.js';
import type { OAuth2ProviderResponse } from '../oauth2-providers/dto/oauth2-provider.response.js';
import { revealsSecretOf } from '../oauth2-providers/oauth2-providers.service.js';
import { includesGroups } from '../users/dto/user-list.query.js';
import type { UserRow } from '../users/user.mapper.js';
import { UsersService } from '../users/users.service.js';
import type { GrantFilterQuery, GrantListQuery } from './dto/grant-list.query.js';
import type { GrantResponse } from './dto/grant.response.js';
import type { TokenGrantResponse } from './dto/token-grant.response.js';
import { formatIdToken } from './id-token.js';
import type { GrantKind } from './grant-kind.js';
import { GrantQuery, type Statement } from './grant-queries.js';

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
    const page = new GrantQuery(kind, principal, query).page(terms, window.offset, window.pageSize);
    const rows = await this.rows(page);
    const items = await this.present(kind, rows, principal, query);
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
    const { text, values } = new GrantQuery(kind, principal, query).count();
    return this.counted(text, values);
  }

  private async counted(sql: string, parameters: unknown[]): Promise<number> {
    const [row] = await queryRows<{ count: string }>(this.dataSource, sql, parameters);
    return Number(row!.count);
  }

  private rows(statement: Statement): Promise<Record<string, unknown>[]> {
    return queryRows(this.dataSource, statement.text, statement.values);
  }

  async retrieve(
    kind: GrantKind,
    principal: Principal | null,
    rawId: string,
    query: GrantFilterQuery,
  ): Promise<GrantResponse | TokenGrantResponse> {
    const id = parseId(rawId, kind);
    const [row] = await this.rows(new GrantQuery(kind, principal, query).item(id));
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
    const [row] = await this.rows(new GrantQuery(kind, principal, query).owner(id));
    if (!row || !principal) throw await this.noMatch(kind, query);
    requireOwnerOrPermissionOn(principal, row.user_id as number, kind.deletePermission, id);
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
    const [row] = await this.rows(new GrantQuery(kind, principal, query).owner(id));
    if (!row) throw await this.noMatch(kind, query);
    return [];
  }

  /** 404 for a row the filters exclude, unless a filter names no row at all: that is a 400. */
  private async noMatch(kind: GrantKind, query: GrantFilterQuery): Promise<Error> {
    await confirmReferences(this.dataSource, query);
    return noMatch(kind.modelName);
  }

  /**
   * Items from rows. A page shows few distinct providers and often one user many times: each is
   * built once per page, and its items share it (it is only serialised).
   */
  private async present(
    kind: GrantKind,
    rows: Record<string, unknown>[],
    principal: Principal | null,
    query: GrantFilterQuery,
  ): Promise<(GrantResponse | TokenGrantResponse)[]> {
    const userRows = new Map<number, UserRow>();
    for (const row of rows) {
      const id = row.u_id as number;
      if (!userRows.has(id)) userRows.set(id, unprefixed<UserRow>(row, 'u_'));
    }
    const presented = await this.users.present([...userRows.values()], includesGroups(query));
    const users = new Map(presented.map((user) => [user.pk, user]));
    const providers = new Map<number, OAuth2ProviderResponse>();
    const providerOf = (row: Record<string, unknown>) => {
      const id = row.p_id as number;
      let response = providers.get(id);
      if (!response) {
        response = toProviderResponse(
          unprefixed<ProviderRow>(row, 'p_'),
          revealsSecretOf(principal, id),
        );
        providers.set(id, response);
      }
      return response;
    };
    return rows.map((row) => {
      const item: GrantResponse = {
        pk: Number(row.g_id),
        provider: providerOf(row),
        user: users.get(row.u_id as number)!,
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
