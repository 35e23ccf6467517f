/** A search term as a LIKE/ILIKE pattern matching it anywhere, wildcards taken literally. */
export function containsPattern(term: string): string {
  return `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
