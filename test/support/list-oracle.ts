/**
 * An independent model of what a list answers (contract §2, §4), computed from the raw query
 * string and the fixture rows a test created: written from the contract and Django's/DRF's
 * documented behaviour, sharing no code with the service.
 */

export const INVALID_CHOICE =
  'Select a valid choice. That choice is not one of the available choices.';
export const NULL_CHARACTERS = 'Null characters are not allowed.';

/**
 * One query-string component as Django's QueryDict reads it: `+` is a space, `%XX` a byte, any
 * other `%` literal; the bytes are UTF-8 with invalid sequences replaced (U+FFFD), a BOM kept.
 */
export function decodeComponent(raw: string): string {
  const text = raw.replaceAll('+', ' ');
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const hex = text.slice(i + 1, i + 3);
    if (text[i] === '%' && /^[0-9a-fA-F]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(text[i]!, 'utf8'));
    }
  }
  return new TextDecoder('utf-8', { ignoreBOM: true }).decode(Uint8Array.from(bytes));
}

/** The (key, value) pairs of a raw query string, in order; `a` alone is `a` with value ''. */
export function parseQuery(raw: string): [string, string][] {
  return raw
    .split('&')
    .filter((pair) => pair !== '')
    .map((pair) => {
      const at = pair.indexOf('=');
      return at < 0
        ? [decodeComponent(pair), '']
        : [decodeComponent(pair.slice(0, at)), decodeComponent(pair.slice(at + 1))];
    });
}

/** A repeated key: the last value wins (contract §2). */
export function lastValue(pairs: [string, string][], key: string): string | undefined {
  return pairs.filter(([k]) => k === key).at(-1)?.[1];
}

/** An integer as the contract reads one: ASCII digits only (no sign, spaces, dots or exponents). */
export const asInteger = (value: string): bigint | undefined =>
  /^[0-9]+$/.test(value) ? BigInt(value) : undefined;

/** Python's str.strip() whitespace, which DRF's OrderingFilter strips from each term. */
const PY_SPACE =
  '[\\t\\n\\x0b\\x0c\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]';
const pyStrip = (s: string) => s.replace(new RegExp(`^${PY_SPACE}+|${PY_SPACE}+$`, 'gu'), '');

export interface OrderTerm {
  field: string;
  descending: boolean;
}

/**
 * `ordering` (contract §2): comma-separated terms, `-` for descending, unknown terms dropped,
 * none left → the default; `pk` ends every ordering.
 */
export function orderingTerms(
  raw: string | undefined,
  allowed: readonly string[],
  defaults: readonly string[],
): OrderTerm[] {
  const parse = (term: string): OrderTerm => ({
    field: term.startsWith('-') ? term.slice(1) : term,
    descending: term.startsWith('-'),
  });
  let terms = (raw ?? '')
    .split(',')
    .map(pyStrip)
    .map(parse)
    .filter((term) => allowed.includes(term.field));
  if (terms.length === 0) terms = defaults.map(parse);
  return [...terms, { field: 'pk', descending: false }];
}

/**
 * Compares two rows by `terms`; `value` gives a field's value (numbers, booleans or null).
 * NULLs sort last ascending and first descending (PostgreSQL's default, contract §2).
 */
export function compareBy<T>(
  terms: OrderTerm[],
  value: (row: T, field: string) => number | boolean | null,
): (a: T, b: T) => number {
  return (a, b) => {
    for (const { field, descending } of terms) {
      const x = value(a, field);
      const y = value(b, field);
      if (x === y) continue;
      let order: number;
      if (x === null) order = 1;
      else if (y === null) order = -1;
      else order = Number(x) < Number(y) ? -1 : 1;
      return descending ? -order : order;
    }
    return 0;
  };
}

export interface PageSettings {
  defaultPageSize: number;
  maxPageSize: number;
}

/** `page_size` (contract §2): never an error; 0, negative or not an integer → the default. */
export function pageSizeOf(raw: string | undefined, settings: PageSettings): number {
  const size = raw === undefined ? undefined : asInteger(raw);
  if (size === undefined || size === 0n) return settings.defaultPageSize;
  return size > BigInt(settings.maxPageSize) ? settings.maxPageSize : Number(size);
}

export interface Envelope {
  next: number;
  previous: number;
  count: number;
  current: number;
  total_pages: number;
  start_index: number;
  end_index: number;
}

/** The envelope of page `page` (contract §4), or undefined when `page` is not a page (404). */
export function envelopeOf(
  rawPage: string | undefined,
  count: number,
  pageSize: number,
): Envelope | undefined {
  const totalPages = Math.max(1, Math.ceil(count / pageSize));
  let page: number;
  if (rawPage === undefined || rawPage === '') page = 1;
  else if (rawPage === 'last') page = totalPages;
  else {
    const n = asInteger(rawPage);
    if (n === undefined || n < 1n || n > BigInt(totalPages)) return undefined;
    page = Number(n);
  }
  return {
    next: page < totalPages ? page + 1 : 0,
    previous: page > 1 ? page - 1 : 0,
    count,
    current: page,
    total_pages: totalPages,
    start_index: count === 0 ? 0 : (page - 1) * pageSize + 1,
    end_index: count === 0 ? 0 : Math.min(page * pageSize, count),
  };
}

/**
 * Case-insensitive substring match as PostgreSQL's ILIKE does it: each character lower-cased on
 * its own (no context-dependent final sigma, `İ` → `i`).
 */
const fold = (s: string) =>
  [...s].map((c) => String.fromCodePoint(c.toLowerCase().codePointAt(0)!)).join('');
export const containsFolded = (haystack: string, needle: string) =>
  fold(haystack).includes(fold(needle));

// ---------------------------------------------------------------------------------------------
// Grant lists

export interface OracleUser {
  id: number;
  username: string;
  name: string;
  email: string;
}
export interface OracleProvider {
  id: number;
  name: string;
  clientId: string;
}
export interface OracleGrant {
  id: number;
  user: number;
  provider: number;
  /** Epoch milliseconds, or null. */
  expires: number | null;
  revoked: boolean;
}

export interface GrantWorld {
  /** Every user and provider in the database (filters accept any existing row). */
  users: Map<number, OracleUser>;
  providers: Map<number, OracleProvider>;
  grants: OracleGrant[];
}

export type Expected =
  | { status: 400; body: unknown }
  | { status: 404; body: { detail: string } }
  | { status: 200; envelope: Envelope; pks: number[]; groupsIncluded: boolean };

/**
 * What a grant list answers to `pairs` for a caller who sees `visible` rows: the order of checks
 * is filters (400) → search (400) → page (404) (contract §2).
 */
export function expectedGrantList(
  world: GrantWorld,
  visible: (grant: OracleGrant) => boolean,
  pairs: [string, string][],
  options: PageSettings & { orderable: readonly string[] },
): Expected {
  const filterErrors: Record<string, string[]> = {};
  const filters: { user?: number; provider?: number } = {};
  for (const field of ['user', 'provider'] as const) {
    const raw = lastValue(pairs, field);
    if (raw === undefined || raw === '') continue;
    const id = asInteger(raw);
    const rows = field === 'user' ? world.users : world.providers;
    if (id === undefined || id > BigInt(Number.MAX_SAFE_INTEGER) || !rows.has(Number(id))) {
      filterErrors[field] = [INVALID_CHOICE];
    } else {
      filters[field] = Number(id);
    }
  }
  if (Object.keys(filterErrors).length > 0) return { status: 400, body: filterErrors };

  const search = lastValue(pairs, 'search') ?? '';
  if (search.includes('\0')) return { status: 400, body: [NULL_CHARACTERS] };

  const matches = (grant: OracleGrant) => {
    if (filters.user !== undefined && grant.user !== filters.user) return false;
    if (filters.provider !== undefined && grant.provider !== filters.provider) return false;
    if (search === '') return true;
    const user = world.users.get(grant.user)!;
    const provider = world.providers.get(grant.provider)!;
    return [user.username, user.name, user.email, provider.name, provider.clientId].some((field) =>
      containsFolded(field, search),
    );
  };
  const rows = world.grants.filter((grant) => visible(grant) && matches(grant));
  const terms = orderingTerms(lastValue(pairs, 'ordering'), options.orderable, [
    'provider',
    'expires',
  ]);
  rows.sort(
    compareBy<OracleGrant>(terms, (grant, field) => {
      switch (field) {
        case 'pk':
          return grant.id;
        case 'user':
          return grant.user;
        case 'provider':
          return grant.provider;
        case 'expires':
          return grant.expires;
        case 'revoked':
          return grant.revoked;
        default:
          throw new Error(`no field ${field}`);
      }
    }),
  );
  const pageSize = pageSizeOf(lastValue(pairs, 'page_size'), options);
  const envelope = envelopeOf(lastValue(pairs, 'page'), rows.length, pageSize);
  if (!envelope) return { status: 404, body: { detail: 'Invalid page.' } };
  const offset = (envelope.current - 1) * pageSize;
  const includeGroups = lastValue(pairs, 'include_groups');
  return {
    status: 200,
    envelope,
    pks: rows.slice(offset, offset + pageSize).map((grant) => grant.id),
    groupsIncluded: includeGroups === undefined || includeGroups.toLowerCase() === 'true',
  };
}
