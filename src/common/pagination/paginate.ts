import type { SelectQueryBuilder } from 'typeorm';
import { parseOrdering } from './ordering.js';
import { parsePageSize, parseRequestedPage, resolvePage } from './page.js';

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
