import type { SelectQueryBuilder } from 'typeorm';

/** A selected column: [SQL expression, result alias]. */
export type Column = [expression: string, alias: string];

/** Makes `columns` the query's select list (in place of any columns selected before). */
export function selectColumns<T extends object>(
  qb: SelectQueryBuilder<T>,
  columns: readonly Column[],
): SelectQueryBuilder<T> {
  const [[firstExpression, firstAlias], ...rest] = columns;
  qb.select(firstExpression!, firstAlias);
  for (const [expression, alias] of rest) qb.addSelect(expression, alias);
  return qb;
}

/**
 * The columns selected under `prefix` read back out of a raw result row, prefix removed. (`for…in`
 * rather than Object.entries: no array per row; lists call this for every row they show.)
 */
export function unprefixed<T>(row: Record<string, unknown>, prefix: string): T {
  const picked: Record<string, unknown> = {};
  for (const key in row) {
    if (key.startsWith(prefix)) picked[key.slice(prefix.length)] = row[key];
  }
  return picked as T;
}
