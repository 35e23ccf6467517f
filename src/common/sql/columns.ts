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

/** The columns selected under `prefix` read back out of a raw result row, prefix removed. */
export function unprefixed<T>(row: Record<string, unknown>, prefix: string): T {
  const picked: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) {
    if (key.startsWith(prefix)) picked[key.slice(prefix.length)] = value;
  }
  return picked as T;
}

/** The [alias, field] pairs of the `columns` selected under `prefix`, for `pickFields`. */
export function prefixedFields(columns: readonly Column[], prefix: string): [string, string][] {
  return columns
    .filter(([, alias]) => alias.startsWith(prefix))
    .map(([, alias]) => [alias, alias.slice(prefix.length)]);
}

/** What `unprefixed` reads, for columns known in advance (`prefixedFields`): no key scan. */
export function pickFields<T>(row: Record<string, unknown>, fields: [string, string][]): T {
  const picked: Record<string, unknown> = {};
  for (const [alias, field] of fields) picked[field] = row[alias];
  return picked as T;
}
