export interface OrderTerm {
  /** SQL expression to order by (from the resource's whitelist, never from the client). */
  expression: string;
  descending: boolean;
}

/**
 * Reads `ordering` against a whitelist of terms → SQL expressions. Unknown terms are dropped,
 * repeated ones count once; nothing left → the default. The primary key always ends the list so
 * every page is stable.
 */
export function parseOrdering(
  raw: string | undefined,
  allowed: Readonly<Record<string, string>>,
  defaults: readonly string[],
  primaryKey: string,
): OrderTerm[] {
  const seen = new Set<string>();
  const terms: OrderTerm[] = [];
  const add = (term: string) => {
    const descending = term.startsWith('-');
    const name = descending ? term.slice(1) : term;
    const expression = Object.hasOwn(allowed, name) ? allowed[name] : undefined;
    if (expression === undefined || seen.has(expression)) return;
    seen.add(expression);
    terms.push({ expression, descending });
  };
  for (const term of (raw ?? '').split(',')) add(term.trim());
  if (terms.length === 0) defaults.forEach(add);
  if (!seen.has(primaryKey)) terms.push({ expression: primaryKey, descending: false });
  return terms;
}
