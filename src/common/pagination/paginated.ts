/** What a list service returns; the PaginationInterceptor turns it into the envelope. */
export class Paginated<T> {
  constructor(
    readonly items: T[],
    readonly count: number,
    readonly page: number,
    readonly pageSize: number,
  ) {}
}

export interface Pagination {
  next: number;
  previous: number;
  count: number;
  current: number;
  total_pages: number;
  start_index: number;
  end_index: number;
}

/** The envelope's `pagination` object, keys in the contract's order. */
export function paginationOf({ count, page, pageSize }: Paginated<unknown>): Pagination {
  const pages = Math.max(1, Math.ceil(count / pageSize));
  const start = count === 0 ? 0 : (page - 1) * pageSize + 1;
  return {
    next: page < pages ? page + 1 : 0,
    previous: page > 1 ? page - 1 : 0,
    count,
    current: page,
    total_pages: pages,
    start_index: start,
    end_index: count === 0 ? 0 : Math.min(page * pageSize, count),
  };
}
