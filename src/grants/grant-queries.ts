import { visibleRowsSql } from '../common/auth/visibility.js';
import type { Principal } from '../common/auth/principal.js';
import type { OrderTerm } from '../common/pagination/ordering.js';
import type { Column } from '../common/sql/columns.js';
import { containsPattern } from '../common/sql/like.js';
import { isoUtcSql } from '../common/sql/timestamps.js';
import { providerColumns } from '../oauth2-providers/oauth2-provider.mapper.js';
import { userColumns } from '../users/user.mapper.js';
import type { GrantFilterQuery } from './dto/grant-list.query.js';
import type { GrantKind } from './grant-kind.js';

/**
 * The grant resources' statements, written out (these run on every list and retrieve: building
 * them with TypeORM's query builder cost more CPU than anything else the service does per
 * request). Values are always bound as parameters; only identifiers from the kinds, column lists
 * and ordering whitelists here, and the page's integer limit and offset, become SQL text.
 */

/** A statement and its parameter values ($1, $2, … in the order they were bound). */
export interface Statement {
  text: string;
  values: unknown[];
}

/** What an item shows: the grant `g`, its user `u`, provider `p` and the provider's applications. */
const ITEM_COLUMNS: Column[] = [
  ['g.id', 'g_id'],
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

const selectList = (columns: Column[]) =>
  columns.map(([expression, alias]) => `${expression} AS "${alias}"`).join(', ');
const ITEM_SELECT = selectList(ITEM_COLUMNS);
const ISSUED_TOKEN_SELECT = selectList([...ITEM_COLUMNS, ...ISSUED_TOKEN_COLUMNS]);
const itemSelect = (kind: GrantKind) => (kind.issuedToken ? ISSUED_TOKEN_SELECT : ITEM_SELECT);

const ITEM_JOINS = `JOIN users u ON u.id = g.user_id
JOIN oauth2_providers p ON p.id = g.provider_id
LEFT JOIN applications app ON app.provider_id = p.id
LEFT JOIN applications backchannel ON backchannel.id = p.backchannel_application_id`;

/** `search` matches a grant's user by username, name or email, its provider by name or client id. */
const userMatches = (pattern: string) =>
  `(u.username ILIKE ${pattern} OR u.name ILIKE ${pattern} OR u.email ILIKE ${pattern})`;
const providerMatches = (pattern: string) =>
  `(p.name ILIKE ${pattern} OR p.client_id ILIKE ${pattern})`;

const where = (conditions: string[]) =>
  conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
const orderBy = (terms: OrderTerm[]) =>
  `ORDER BY ${terms.map((t) => `${t.expression} ${t.descending ? 'DESC' : 'ASC'}`).join(', ')}`;

/** Builds one statement (one instance each) about the rows of `kind` a caller asks for. */
export class GrantQuery {
  private readonly values: unknown[] = [];

  constructor(
    private readonly kind: GrantKind,
    private readonly principal: Principal | null,
    private readonly query: GrantFilterQuery,
  ) {}

  private readonly bind = (value: unknown): string => `$${this.values.push(value)}`;

  private statement(text: string): Statement {
    return { text, values: this.values };
  }

  /** The rows `principal` may see (contract §3) that match the `user` and `provider` filters. */
  private filters(): string[] {
    const conditions: string[] = [];
    const visible = visibleRowsSql(
      this.principal,
      {
        permission: this.kind.viewPermission,
        key: 'g.id',
        keyKind: 'bigint',
        owner: 'g.user_id',
      },
      this.bind,
    );
    if (visible) conditions.push(visible);
    if (this.query.user) conditions.push(`g.user_id = ${this.bind(this.query.user)}`);
    if (this.query.provider) conditions.push(`g.provider_id = ${this.bind(this.query.provider)}`);
    return conditions;
  }

  /** As `filters`, and the search when there is one (a row looked up by id). */
  private scoped(): string[] {
    const conditions = this.filters();
    if (this.query.search) {
      const pattern = this.bind(containsPattern(this.query.search));
      conditions.push(`(g.user_id IN (SELECT u.id FROM users u WHERE ${userMatches(pattern)})
  OR g.provider_id IN (SELECT p.id FROM oauth2_providers p WHERE ${providerMatches(pattern)}))`);
    }
    return conditions;
  }

  /**
   * The rows of a list, as the FROM item `g` with the columns lists order by. With a search, the
   * union of two disjoint parts: the rows of the matching users, then the rows of the matching
   * providers whose user does not match. Each part is driven by the users or providers that match
   * (the planner estimates an ILIKE on those small tables well) and read from the grant table's
   * (user_id, provider_id, expires, id) index, so its cost follows the matches, not the table.
   */
  private listed(): string {
    const { table, issuedToken } = this.kind;
    if (!this.query.search) return `${table} g ${where(this.filters())}`;
    const pattern = this.bind(containsPattern(this.query.search));
    const filters = this.filters();
    const columns = `g.id, g.user_id, g.provider_id, g.expires${issuedToken ? ', g.revoked' : ''}`;
    const byUser = `SELECT ${columns} FROM ${table} g JOIN users u ON u.id = g.user_id
  ${where([...filters, userMatches(pattern)])}`;
    const byProvider = `SELECT ${columns} FROM ${table} g
  JOIN oauth2_providers p ON p.id = g.provider_id JOIN users u ON u.id = g.user_id
  ${where([...filters, providerMatches(pattern), `${userMatches(pattern)} IS NOT TRUE`])}`;
    return `(${byUser} UNION ALL ${byProvider}) g`;
  }

  /** The exact number of rows a list shows, counted on the grant table's indexes. */
  count(): Statement {
    return this.statement(`SELECT count(*) AS count FROM ${this.listed()}`);
  }

  /**
   * One page by deferred join: the page's ids come from the grant table's indexes alone (however
   * deep the offset), and only those rows are joined with their users, providers and applications.
   */
  page(terms: OrderTerm[], offset: number, limit: number): Statement {
    const ids = `SELECT g.id FROM ${this.listed()} ${orderBy(terms)}
  LIMIT ${Math.trunc(limit)} OFFSET ${Math.trunc(offset)}`;
    return this.statement(`SELECT ${itemSelect(this.kind)}
FROM (${ids}) page
JOIN ${this.kind.table} g ON g.id = page.id
${ITEM_JOINS}
${orderBy(terms)}`);
  }

  /** Row `id` as an item, if the caller sees it and it matches the filters and search. */
  item(id: string): Statement {
    const conditions = this.scoped();
    conditions.push(`g.id = ${this.bind(id)}`);
    return this.statement(`SELECT ${itemSelect(this.kind)}
FROM ${this.kind.table} g
${ITEM_JOINS}
${where(conditions)}`);
  }

  /** Row `id`'s owner, if the caller sees it and it matches the filters and search. */
  owner(id: string): Statement {
    const conditions = this.scoped();
    conditions.push(`g.id = ${this.bind(id)}`);
    return this.statement(`SELECT g.user_id FROM ${this.kind.table} g ${where(conditions)}`);
  }
}
