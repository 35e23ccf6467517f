/**
 * Issue 7 §1, contract §2/§4/§6: thousands of generated hostile query strings against every list.
 * Every answer is 200, 400 or 404 with a contract body, never a 500, a stack trace or SQL. On the
 * grant lists an independent oracle (list-oracle.ts, over the rows this file created) says which
 * answer is right, row for row. On the admin lists, junk must not change the answer: the same
 * request reduced to the parameters the endpoint reads answers the same.
 *
 * Knobs: HOSTILE_RUNS (runs per grant list, default 250; admin lists get half), FC_SEED (replay a
 * failure with the seed fast-check printed).
 */
import fc from 'fast-check';
import { GRANT_KINDS } from '../../src/grants/grant-kinds.js';
import {
  CLIENT_TYPES,
  ISSUER_MODES,
  SUB_MODES,
} from '../../src/oauth2-providers/oauth2-provider.entity.js';
import { TOKEN_INTENTS } from '../../src/tokens/token.entity.js';
import { USER_TYPES } from '../../src/users/user.entity.js';
import { startTestApp, type TestApp } from '../support/app.js';
import {
  encode,
  flagValue,
  hostileNumber,
  hostileQuery,
  hostileText,
  idValue,
  orderingValue,
  pageSizeValue,
  pageValue,
  propertyRuns,
  substringOf,
  type Vocabulary,
} from '../support/hostile-input.js';
import {
  expectedGrantList,
  parseQuery,
  type GrantWorld,
  type OracleGrant,
} from '../support/list-oracle.js';
import { rawClient, type RawClient, type RawResponse } from '../support/raw-http.js';

const RUNS = Number(process.env.HOSTILE_RUNS ?? 250);
const SEED = process.env.FC_SEED === undefined ? undefined : Number(process.env.FC_SEED);
const PAGINATION = { defaultPageSize: 20, maxPageSize: 100 };
/** Per list: generous for a busy two-core machine, and for shrinking a failure. */
const TIMEOUT = 60_000 + RUNS * 500;

/** What must never reach a client: stack frames, driver errors, SQL error text. */
const INTERNALS =
  /\n\s+at |node_modules|QueryFailedError|syntax error at or near|invalid input syntax|violates [a-z ]*constraint|duplicate key|current transaction is aborted|\bERROR:|TypeError|ReferenceError/;

const ITEM_KEYS = ['pk', 'provider', 'user', 'is_expired', 'expires', 'scope'];
const ENVELOPE_KEYS = [
  'next',
  'previous',
  'count',
  'current',
  'total_pages',
  'start_index',
  'end_index',
];

/** Status 200/400/404, a JSON body of the contract's shape, nothing internal (contract §6). */
function expectContractShaped(res: RawResponse, request: string): void {
  const context = `${request} → ${res.status} ${res.text.slice(0, 300)}`;
  if (![200, 400, 404].includes(res.status)) throw new Error(`unexpected status: ${context}`);
  if (!res.contentType.startsWith('application/json')) throw new Error(`not JSON: ${context}`);
  if (INTERNALS.test(res.text)) throw new Error(`internals in the body: ${context}`);
  const body = res.body as Record<string, unknown> | unknown[];
  if (res.status === 200) {
    const page = body as { pagination?: Record<string, unknown>; results?: unknown[] };
    expect(Object.keys(page)).toEqual(['pagination', 'results']);
    expect(Object.keys(page.pagination!)).toEqual(ENVELOPE_KEYS);
    const p = page.pagination as Record<string, number>;
    for (const key of ENVELOPE_KEYS) expect(Number.isInteger(p[key]) && p[key]! >= 0).toBe(true);
    const shown = p.count === 0 ? 0 : p.end_index! - p.start_index! + 1;
    if (page.results!.length !== shown || p.end_index! > p.count! || p.current! > p.total_pages!) {
      throw new Error(`inconsistent envelope: ${context}`);
    }
    expect(p.next).toBe(p.current! < p.total_pages! ? p.current! + 1 : 0);
    expect(p.previous).toBe(p.current! > 1 ? p.current! - 1 : 0);
  } else if (res.status === 400) {
    // DRF's field errors `{"field": ["message"]}` or a bare list `["message"]`.
    const messages = Array.isArray(body) ? [body] : Object.values(body);
    const wellFormed =
      messages.length > 0 &&
      messages.every(
        (list) =>
          Array.isArray(list) &&
          list.length > 0 &&
          list.every((message) => typeof message === 'string'),
      );
    if (!wellFormed) throw new Error(`not a DRF 400 body: ${context}`);
  } else {
    const keys = Object.keys(body);
    if (keys.length !== 1 || typeof (body as { detail?: unknown }).detail !== 'string') {
      throw new Error(`not a {"detail": ...} body: ${context}`);
    }
  }
}

let t: TestApp;
let client: RawClient;
let admin: { id: number; auth: string };
/** A caller who sees only its own grants and the few it holds an object permission on. */
let restricted: { id: number; auth: string };
const world: GrantWorld & { byKind: Map<string, OracleGrant[]> } = {
  users: new Map(),
  providers: new Map(),
  grants: [],
  byKind: new Map(),
};
const objectViews = new Map<string, Set<number>>();
const groupIds: string[] = [];
const roleIds: string[] = [];

const PEOPLE = [
  { username: 'alice', name: 'Alice Liddell', email: 'alice@example.com' },
  { username: 'Bob_Builder', name: 'Bob the Builder', email: 'bob@builders.example' },
  { username: 'zoë', name: 'Zoë Ündercase', email: 'zoe@example.org' },
  { username: 'percent%user', name: '100% Real', email: 'pct@example.com' },
  { username: 'under_score', name: 'Under Score', email: 'u_s@example.com' },
  { username: 'back\\slash', name: 'O\'Brien "Quotes"', email: 'quote@example.com' },
  { username: 'sisyphus', name: 'Σίσυφος', email: 'rock@hill.example' },
  { username: 'istanbul', name: 'İstanbul Straße', email: 'ist@example.tr' },
  { username: 'rtl', name: 'שלום مرحبا', email: 'rtl@example.com' },
];
const PROVIDERS = [
  { name: 'Grafana', clientId: 'grafana-client' },
  { name: 'Wiki 名前', clientId: 'wiki_client' },
  { name: '50% off', clientId: 'percent-client' },
  { name: 'Zulip', clientId: 'ZULIP' },
];

beforeAll(async () => {
  t = await startTestApp();
  client = await rawClient(t);
  admin = await t.fixtures.superCaller({ username: 'hq_admin' });
  restricted = await t.fixtures.caller([], { username: 'hq_restricted' });
  const people = [restricted.id];
  for (const person of PEOPLE) people.push(await t.fixtures.user(person));
  const providers: number[] = [];
  for (const provider of PROVIDERS) providers.push(await t.fixtures.provider(provider));
  // A few shared timestamps, so that ordering by expires has ties only pk can break.
  const base = Date.UTC(2031, 0, 1);
  const instants = [
    null,
    base,
    base,
    base + 1_000,
    base - 86_400_000,
    Date.UTC(2001, 0, 1),
    base + 7,
  ];
  for (const kind of GRANT_KINDS) {
    const rows: OracleGrant[] = [];
    for (let i = 0; i < 37; i++) {
      const user = people[(i * 7 + kind.table.length) % people.length]!;
      const provider = providers[(i * 3 + Math.floor(i / 5)) % providers.length]!;
      const expires = instants[(i * 5) % instants.length]!;
      const revoked = kind.issuedToken && i % 4 === 0;
      const id = await t.fixtures.grant(kind, {
        user,
        provider,
        expires: expires === null ? null : new Date(expires).toISOString(),
        revoked,
      });
      rows.push({ id, user, provider, expires, revoked });
    }
    world.byKind.set(kind.table, rows);
    // Object permissions on three rows of others (and one on a row that does not exist).
    const others = rows.filter((row) => row.user !== restricted.id).slice(0, 3);
    objectViews.set(kind.table, new Set(others.map((row) => row.id)));
    const role = await t.fixtures.role([
      ...others.map((row): [string, string] => [kind.viewPermission, String(row.id)]),
      [kind.viewPermission, '999999999'],
    ]);
    roleIds.push(role);
    const group = await t.fixtures.group({ roles: [role] });
    groupIds.push(group);
    await t.fixtures.addToGroup(restricted.id, group);
  }
  groupIds.push(await t.fixtures.group({ name: 'Parent', isSuperuser: false }));
  await t.fixtures.application({ name: 'Grafana app', slug: 'grafana', provider: providers[0] });
  await t.fixtures.application({ name: 'Wiki', slug: 'wiki', provider: providers[1] });
  for (const id of people.slice(0, 4)) await t.fixtures.apiToken(id);

  for (const row of await t.fixtures.db.query('SELECT id, username, name, email FROM users')) {
    world.users.set(row.id, row);
  }
  for (const row of await t.fixtures.db.query(
    'SELECT id, name, client_id AS "clientId" FROM oauth2_providers',
  )) {
    world.providers.set(row.id, row);
  }
});
afterAll(async () => {
  client?.close();
  await t?.close();
});

const runs = <T>(n: number) => propertyRuns<T>(n, SEED);

/** Queries every run tries first, whatever the seed: edge cases of contract §2. */
const EXAMPLES = [
  '',
  'page=last&page_size=7',
  'page=2&page_size=0',
  'page=0',
  'page=00000000000000000000001',
  'page_size=9223372036854775808',
  'page_size=-5&ordering=-expires,,pk',
  'ordering=--pk,%20-user%20,expires',
  'search=%00',
  'search=%25&user=abc&provider=-1',
  'search=%C0%AF%zz&include_groups=TRUE',
  'user=&provider=&search=&page=&include_groups=',
  'user[]=1&provider[x]=1&__proto__=1&constructor=x',
];

describe.each(GRANT_KINDS)('$modelName list under hostile query strings', (kind) => {
  const LIST = `/api/v3/${kind.routes.path}/`;
  const orderable = kind.issuedToken
    ? ['pk', 'provider', 'user', 'expires', 'revoked']
    : ['pk', 'provider', 'user', 'expires'];

  it(
    'answers every query as the oracle says: 200 with exactly the right rows, 400 or 404',
    async () => {
      const rows = world.byKind.get(kind.table)!;
      const userIds = [...world.users.keys()];
      const providerIds = [...world.providers.keys()];
      const texts = [...world.users.values()]
        .flatMap((u) => [u.username, u.name, u.email])
        .concat([...world.providers.values()].flatMap((p) => [p.name, p.clientId]));
      const vocabulary: Vocabulary = {
        values: {
          user: fc.oneof(idValue(userIds), fc.constantFrom('0', '999999', '-1', '')),
          provider: fc.oneof(idValue(providerIds), fc.constantFrom('0', '999999', '-1', '')),
          search: fc.oneof({ weight: 3, arbitrary: substringOf(texts) }, hostileText),
          ordering: orderingValue(orderable),
          page: pageValue,
          page_size: pageSizeValue,
          include_groups: flagValue,
        },
      };
      const visibleTo = {
        admin: () => true,
        restricted: (grant: OracleGrant) =>
          grant.user === restricted.id || objectViews.get(kind.table)!.has(grant.id),
      };

      await fc.assert(
        fc.asyncProperty(
          hostileQuery(vocabulary),
          fc.constantFrom('admin', 'restricted' as const),
          async (query, who) => {
            const path = `${LIST}?${query}`;
            const caller = who === 'admin' ? admin : restricted;
            const res = await client.request('GET', path, caller.auth);
            expectContractShaped(res, path);
            const expected = expectedGrantList(
              { ...world, grants: rows },
              visibleTo[who],
              parseQuery(query),
              { ...PAGINATION, orderable },
            );
            const context = `GET ${path.slice(0, 400)} as ${who}`;
            expect({ context, status: res.status }).toEqual({ context, status: expected.status });
            if (expected.status !== 200) {
              expect({ context, body: res.body }).toEqual({ context, body: expected.body });
              return;
            }
            const page = res.body as {
              pagination: unknown;
              results: { pk: number; user: { groups_obj: unknown } }[];
            };
            expect({ context, pagination: page.pagination }).toEqual({
              context,
              pagination: expected.envelope,
            });
            expect({ context, pks: page.results.map((r) => r.pk) }).toEqual({
              context,
              pks: expected.pks,
            });
            for (const item of page.results) {
              expect(Object.keys(item)).toEqual(
                kind.issuedToken ? [...ITEM_KEYS, 'id_token', 'revoked'] : ITEM_KEYS,
              );
              expect({ context, groups: Array.isArray(item.user.groups_obj) }).toEqual({
                context,
                groups: expected.groupsIncluded,
              });
            }
          },
        ),
        // The examples run first, then RUNS generated queries.
        {
          ...runs<[string, 'admin' | 'restricted']>(RUNS + 2 * EXAMPLES.length),
          examples: EXAMPLES.flatMap((query): [string, 'admin' | 'restricted'][] => [
            [query, 'admin'],
            [query, 'restricted'],
          ]),
        },
      );
    },
    TIMEOUT,
  );
});

/** Parameters each admin list reads; repeatable ones keep every value, the others the last. */
interface AdminList {
  path: string;
  repeatable?: string[];
  values: () => Record<string, fc.Arbitrary<string>>;
}

const page = { page: pageValue, page_size: pageSizeValue };
const ADMIN_LISTS: AdminList[] = [
  {
    path: '/api/v3/core/users/',
    repeatable: ['groups_by_pk', 'groups_by_name', 'type'],
    values: () => ({
      ...page,
      search: fc.oneof(substringOf(PEOPLE.map((p) => p.username)), hostileText),
      ordering: orderingValue(['username', 'name', 'last_login', 'date_joined', 'pk']),
      username: fc.oneof(fc.constantFrom(...PEOPLE.map((p) => p.username)), hostileText),
      email: fc.constantFrom(...PEOPLE.map((p) => p.email)),
      name: fc.constantFrom(...PEOPLE.map((p) => p.name)),
      is_active: fc.constantFrom('true', 'false', '1', '0', 'TRUE', 'maybe'),
      is_superuser: fc.constantFrom('true', 'false', 'yes'),
      path: fc.constantFrom('users', 'other'),
      groups_by_pk: fc.oneof(fc.constantFrom(...groupIds), fc.uuid(), hostileText),
      groups_by_name: fc.constantFrom('Parent', 'nope'),
      type: fc.oneof(fc.constantFrom(...USER_TYPES), hostileText),
      include_groups: flagValue,
    }),
  },
  {
    path: '/api/v3/core/groups/',
    repeatable: ['members_by_pk', 'members_by_username'],
    values: () => ({
      ...page,
      search: fc.oneof(fc.constantFrom('Parent', 'group', 'a'), hostileText),
      ordering: orderingValue(['name', 'is_superuser', 'pk']),
      name: fc.constantFrom('Parent', 'x'),
      is_superuser: fc.constantFrom('true', 'false', '0', 'nope'),
      members_by_pk: fc.oneof(idValue([...world.users.keys()]), hostileText),
      members_by_username: fc.constantFrom(...PEOPLE.map((p) => p.username)),
      include_users: flagValue,
    }),
  },
  {
    path: '/api/v3/rbac/roles/',
    values: () => ({
      ...page,
      search: fc.oneof(fc.constantFrom('role', 'ROLE_', '_'), hostileText),
      ordering: orderingValue(['name', 'pk']),
    }),
  },
  {
    path: '/api/v3/rbac/permissions/',
    values: () => ({
      ...page,
      search: fc.oneof(fc.constantFrom('view', 'token', 'oauth2'), hostileText),
      ordering: orderingValue([
        'id',
        'name',
        'codename',
        'content_type__model',
        'content_type__app_label',
      ]),
      codename: fc.constantFrom('view_authorizationcode', 'delete_user', 'nope'),
      content_type__app_label: fc.constantFrom('authentik_core', 'authentik_providers_oauth2'),
      content_type__model: fc.constantFrom('user', 'authorizationcode', 'nope'),
      role: fc.oneof(fc.constantFrom(...roleIds), fc.uuid(), hostileText),
    }),
  },
  {
    path: '/api/v3/providers/oauth2/',
    values: () => ({
      ...page,
      search: fc.oneof(substringOf(PROVIDERS.map((p) => p.name)), hostileText),
      ordering: orderingValue(['name', 'pk']),
      name: fc.constantFrom(...PROVIDERS.map((p) => p.name)),
      client_id: fc.constantFrom(...PROVIDERS.map((p) => p.clientId)),
      client_type: fc.oneof(fc.constantFrom(...CLIENT_TYPES), hostileText),
      issuer_mode: fc.constantFrom(...ISSUER_MODES, 'nope'),
      sub_mode: fc.constantFrom(...SUB_MODES, 'nope'),
    }),
  },
  {
    path: '/api/v3/core/applications/',
    values: () => ({
      ...page,
      search: fc.oneof(fc.constantFrom('grafana', 'WIKI', 'app'), hostileText),
      ordering: orderingValue(['name', 'slug', 'group', 'pk']),
      name: fc.constantFrom('Grafana app', 'Wiki'),
      slug: fc.oneof(fc.constantFrom('grafana', 'wiki'), hostileText),
      group: fc.constantFrom('', 'x'),
      meta_launch_url: fc.constantFrom('', 'https://example.com'),
    }),
  },
  {
    path: '/api/v3/core/tokens/',
    values: () => ({
      ...page,
      search: fc.oneof(fc.constantFrom('token', 'alice', '_'), hostileText),
      ordering: orderingValue([
        'pk',
        'identifier',
        'intent',
        'user',
        'user__username',
        'description',
        'expires',
        'expiring',
        'managed',
      ]),
      identifier: fc.oneof(fc.constantFrom('token_1'), hostileText),
      intent: fc.oneof(fc.constantFrom(...TOKEN_INTENTS), hostileText),
      user__username: fc.constantFrom(...PEOPLE.map((p) => p.username)),
      description: fc.constantFrom('', 'x'),
      expires: fc.oneof(
        fc.constantFrom('2030-01-01T00:00:00Z', '2030-01-01', 'not a date', '2030-13-45T99:99:99Z'),
        hostileNumber,
      ),
      expiring: fc.constantFrom('true', 'false', '1', 'x'),
      managed: fc.constantFrom('', 'goauthentik.io/x'),
    }),
  },
];

/** The request reduced to what the endpoint reads: known keys, last (or every) value, re-encoded. */
function canonical(list: AdminList, known: string[], query: string): string {
  const pairs = parseQuery(query);
  const kept: string[] = [];
  for (const key of known) {
    const values = pairs.filter(([k]) => k === key).map(([, v]) => v);
    const chosen = list.repeatable?.includes(key) ? values : values.slice(-1);
    for (const value of chosen)
      kept.push(`${encode(key, () => true)}=${encode(value, () => true)}`);
  }
  return kept.join('&');
}

describe.each(ADMIN_LISTS)('$path under hostile query strings', (list) => {
  it(
    'answers 200, 400 or 404 in contract shape, and junk never changes the answer',
    async () => {
      const values = list.values();
      const known = Object.keys(values);
      await fc.assert(
        fc.asyncProperty(hostileQuery({ values }), async (query) => {
          const path = `${list.path}?${query}`;
          const res = await client.request('GET', path, admin.auth);
          expectContractShaped(res, path);
          const reduced = `${list.path}?${canonical(list, known, query)}`;
          // Re-encoding may lengthen a 10 kB value past Node's request-line limit (431, before
          // the app): such a request says nothing about the app.
          if (reduced.length > 15_000) return;
          const again = await client.request('GET', reduced, admin.auth);
          const context = `GET ${path.slice(0, 400)} vs ${reduced.slice(0, 400)}`;
          expect({ context, status: res.status, body: res.body }).toEqual({
            context,
            status: again.status,
            body: again.body,
          });
        }),
        runs(Math.max(1, Math.round(RUNS / 2))),
      );
    },
    TIMEOUT,
  );
});

it('holds up against unknown-only and empty query strings on every list, anonymous or not', async () => {
  const paths = [
    ...GRANT_KINDS.map((kind) => `/api/v3/${kind.routes.path}/`),
    ...ADMIN_LISTS.map((l) => l.path),
  ];
  for (const path of paths) {
    for (const query of ['', '?', '?&', '?=', '?&&&', '?%', '?a', `?${'x'.repeat(10_000)}`]) {
      const res = await client.request('GET', `${path}${query}`, admin.auth);
      expect({ path, query, status: res.status }).toEqual({ path, query, status: 200 });
      expectContractShaped(res, `${path}${query}`);
    }
    // Anonymous callers get the 403 before any parameter is looked at (contract §2 order).
    const anonymous = await client.request('GET', `${path}?user=abc&page=-1&search=%00`);
    expect(anonymous.status).toBe(403);
    expect(anonymous.body).toEqual({ detail: 'Authentication credentials were not provided.' });
  }
});
