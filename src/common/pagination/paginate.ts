import type { SelectQueryBuilder } from 'typeorm';
import { containsPattern } from '../sql/like.js';
import { listRulesOf, type ListRulesOptions } from './list-query.js';
import { parseOrdering } from './ordering.js';
import { parsePageSize, parseRequestedPage, resolvePage } from './page.js';
import { Paginated } from './paginated.js';

export interface PageParameters {
  ordering?: string;
  page?: string;
  page_size?: string;
}

export interface PageSizes {
  defaultPageSize: number;
  maxPageSize: number;
}

export interface OrderingRules {
  /** Ordering term → SQL expression (the whitelist; nothing else reaches ORDER BY). */
  allowed: Readonly<Record<string, string>>;
  defaults: readonly string[];
  /** SQL expression of the primary key: the final tie-breaker of every ordering. */
  primaryKey: string;
}

export interface Page<Row> {
  rows: Row[];
  count: number;
  page: number;
  pageSize: number;
}

/**
 * Counts, resolves the requested page (404 "Invalid page." when out of range), orders with the
 * primary key as tie-breaker and fetches one page with LIMIT/OFFSET. `count` and `rows` are two
 * builders over the same rows: the count may skip joins that only the page's columns need.
 */
export async function paginate<Row>(
  count: SelectQueryBuilder<object>,
  rows: SelectQueryBuilder<object>,
  parameters: PageParameters,
  sizes: PageSizes,
  ordering: OrderingRules,
): Promise<Page<Row>> {
  const pageSize = parsePageSize(parameters.page_size, sizes.defaultPageSize, sizes.maxPageSize);
  const counted = await count.select('COUNT(*)::int', 'count').getRawOne<{ count: number }>();
  const total = counted?.count ?? 0;
  const window = resolvePage(parseRequestedPage(parameters.page), total, pageSize);
  const terms = parseOrdering(
    parameters.ordering,
    ordering.allowed,
    ordering.defaults,
    ordering.primaryKey,
  );
  for (const term of terms) rows.addOrderBy(term.expression, term.descending ? 'DESC' : 'ASC');
  const found = await rows.offset(window.offset).limit(window.pageSize).getRawMany<Row>();
  return { rows: found, count: total, page: window.page, pageSize: window.pageSize };
}

/** Turns a page's raw rows into its items (one batched query for to-many data, if any). */
export type Presenter<Row, Item> = (rows: Row[]) => Item[] | Promise<Item[]>;

/**
 * A whole list from one query builder and its query DTO: the DTO's `@ListRules` filters and
 * search narrow `qb`, then `paginate` counts, orders and fetches the page (raw rows, as `qb`
 * selects them). Filters and search values are bound parameters; only the declared SQL
 * expressions reach the query text.
 */
export async function paginateList<Row, Item = Row>(
  qb: SelectQueryBuilder<object>,
  query: PageParameters & { search?: string },
  sizes: PageSizes,
  present?: Presenter<Row, Item>,
  rules: ListRulesOptions = listRulesOf(query),
): Promise<Paginated<Item>> {
  const values = query as Record<string, unknown>;
  Object.entries(rules.filters ?? {}).forEach(([name, expression], i) => {
    const value = values[name];
    if (typeof value === 'string' && value !== '') {
      qb.andWhere(`${expression} = :list_filter_${i}`, { [`list_filter_${i}`]: value });
    }
  });
  if (rules.search?.length && query.search) {
    const matches = rules.search.map((expression) => `${expression} ILIKE :list_search`);
    qb.andWhere(`(${matches.join(' OR ')})`, { list_search: containsPattern(query.search) });
  }
  const page = await paginate<Row>(qb.clone(), qb, query, sizes, {
    allowed: rules.ordering,
    defaults: rules.defaultOrdering ?? [],
    primaryKey: rules.primaryKey,
  });
  const items = present ? await present(page.rows) : (page.rows as unknown as Item[]);
  return new Paginated(items, page.count, page.page, page.pageSize);
}
