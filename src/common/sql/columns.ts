/** A selected column: [SQL expression, result alias]. */
export type Column = [expression: string, alias: string];

/** The columns selected under `prefix` read back out of a raw result row, prefix removed. */
export function unprefixed<T>(row: Record<string, unknown>, prefix: string): T {
  const picked: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) {
    if (key.startsWith(prefix)) picked[key.slice(prefix.length)] = value;
  }
  return picked as T;
}
