/**
 * Contract §2 and §4: pagination, ordering, search, filters, include_groups and the envelope
 * of every grant list, plus the number of SQL statements per request.
 */
import { GRANT_KINDS } from '../../src/grants/grant-kinds.js';
import { startTestApp, type TestApp } from '../support/app.js';

const INVALID_CHOICE = ['Select a valid choice. That choice is not one of the available choices.'];

interface Row {
  pk: number;
  provider: { pk: number };
  user: { pk: number; groups: string[]; groups_obj: unknown[] | null };
  expires: string | null;
  revoked?: boolean;
}

describe.each(GRANT_KINDS)('$modelName list (§2, §4)', (kind) => {
  const LIST = `/api/v3/${kind.routes.path}/`;
  let t: TestApp;
  let admin: { id: number; auth: string };
  let providers: number[];
  let users: number[];

  const get = (query: Record<string, unknown> = {}, auth = admin.auth) =>
    t.http.get(LIST).query(query).set('Authorization', auth);

  /** Every row, walking the pages with `query`. */
  async function walk(query: Record<string, unknown>): Promise<Row[]> {
    const rows: Row[] = [];
    for (let page = 1; ; page++) {
      const res = await get({ ...query, page });
      expect(res.status).toBe(200);
      rows.push(...res.body.results);
      if (res.body.pagination.next === 0) return rows;
      expect(res.body.pagination.next).toBe(page + 1);
    }
  }

  beforeAll(async () => {
    t = await startTestApp();
    admin = await t.fixtures.superCaller({ username: 'zz-admin' });
    providers = [
      await t.fixtures.provider({ name: 'Grafana', clientId: 'grafana-client' }),
      await t.fixtures.provider({ name: 'Wiki', clientId: 'wiki_100%' }),
    ];
    users = [
      await t.fixtures.user({
        username: 'alice',
        name: 'Alice Liddell',
        email: 'alice@wonder.land',
      }),
      await t.fixtures.user({ username: 'bob', name: 'Robert Tables', email: 'bob@example.org' }),
      await t.fixtures.user({ username: 'carol', name: 'Carol Jones', email: 'c@example.net' }),
    ];
    // 25 codes: several share an expiry (ties), some never expire (NULL), one already expired.
    const base = Date.parse('2030-01-01T00:00:00Z');
    for (let i = 0; i < 25; i++) {
      await t.fixtures.grant(kind, {
        user: users[i % 3]!,
        provider: providers[i % 2]!,
        expires: i % 7 === 0 ? null : new Date(base + (i % 4) * 60_000).toISOString(),
        expiring: i % 7 !== 0,
        revoked: i % 5 === 0,
      });
    }
  });
  afterAll(() => t.close());

  describe('pagination', () => {
    it('answers an empty result with one empty page 1', async () => {
      const res = await get({ user: admin.id });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        pagination: {
          next: 0,
          previous: 0,
          count: 0,
          current: 1,
          total_pages: 1,
          start_index: 0,
          end_index: 0,
        },
        results: [],
      });
      expect(Object.keys(res.body.pagination)).toEqual([
        'next',
        'previous',
        'count',
        'current',
        'total_pages',
        'start_index',
        'end_index',
      ]);
    });

    it('pages with the default size of 20', async () => {
      const res = await get();
      expect(res.body.pagination).toEqual({
        next: 2,
        previous: 0,
        count: 25,
        current: 1,
        total_pages: 2,
        start_index: 1,
        end_index: 20,
      });
      expect(res.body.results).toHaveLength(20);
    });

    it('serves the last page, by number and as page=last', async () => {
      const byNumber = await get({ page: 2 });
      const byName = await get({ page: 'last' });
      expect(byNumber.body).toEqual(byName.body);
      expect(byName.body.pagination).toEqual({
        next: 0,
        previous: 1,
        count: 25,
        current: 2,
        total_pages: 2,
        start_index: 21,
        end_index: 25,
      });
      expect(byName.body.results).toHaveLength(5);
    });

    it.each([['0'], ['abc'], ['3'], ['-1'], ['1.5'], ['99999999999999999999']])(
      'answers page=%s with 404 "Invalid page."',
      async (page) => {
        const res = await get({ page });
        expect(res.status).toBe(404);
        expect(res.body).toEqual({ detail: 'Invalid page.' });
      },
    );

    it('treats an empty page as page 1', async () => {
      const res = await get({ page: '' });
      expect(res.body.pagination.current).toBe(1);
    });

    it.each([
      ['0', 20],
      ['abc', 20],
      ['-5', 20],
      ['', 20],
      ['7', 7],
      ['1000', 100],
    ])('reads page_size=%s as %d', async (pageSize, expected) => {
      const res = await get({ page_size: pageSize });
      expect(res.status).toBe(200);
      expect(res.body.results).toHaveLength(Math.min(expected, 25));
      expect(res.body.pagination.total_pages).toBe(Math.ceil(25 / expected));
    });

    it('answers page=last on an empty result with page 1', async () => {
      const res = await get({ page: 'last', user: admin.id });
      expect(res.status).toBe(200);
      expect(res.body.pagination.current).toBe(1);
    });

    it('takes the last value of a repeated key', async () => {
      const res = await t.http
        .get(`${LIST}?page_size=2&page_size=5&page=9&page=2`)
        .set('Authorization', admin.auth);
      expect(res.status).toBe(200);
      expect(res.body.pagination).toMatchObject({ current: 2, start_index: 6, end_index: 10 });
    });

    it('reads page numbers and sizes with leading zeros or too many digits as Django does', async () => {
      const padded = await get({ page: '00000000000000000000002', page_size: '0005' });
      expect(padded.body.pagination).toMatchObject({ current: 2, start_index: 6, end_index: 10 });
      // A size beyond the maximum clamps, however many digits it has.
      const huge = await get({ page_size: '9223372036854775808' });
      expect(huge.body.pagination).toMatchObject({ total_pages: 1, end_index: 25 });
      const far = await get({ page: '99999999999999999999' });
      expect(far.status).toBe(404);
      expect(far.body).toEqual({ detail: 'Invalid page.' });
    });

    it('ignores unknown parameters', async () => {
      const res = await get({ frobnicate: 'yes', 'filter[where]': 'x' });
      expect(res.status).toBe(200);
      expect(res.body.pagination.count).toBe(25);
    });
  });

  describe('ordering', () => {
    const compare = (a: string | null, b: string | null, descending: boolean) => {
      // NULL expires sort last ascending, first descending.
      if (a === b) return 0;
      if (a === null) return descending ? -1 : 1;
      if (b === null) return descending ? 1 : -1;
      return (a < b ? -1 : 1) * (descending ? -1 : 1);
    };
    const key: Record<string, (r: Row) => number | string | null> = {
      pk: (r) => r.pk,
      provider: (r) => r.provider.pk,
      user: (r) => r.user.pk,
      expires: (r) => r.expires,
      revoked: (r) => Number(r.revoked),
    };
    const terms = ['pk', 'provider', 'user', 'expires', ...(kind.issuedToken ? ['revoked'] : [])];

    function expectOrdered(rows: Row[], terms: string[]) {
      const all = [...terms, 'pk'];
      for (let i = 1; i < rows.length; i++) {
        let verdict = 0;
        for (const term of all) {
          const descending = term.startsWith('-');
          const read = key[descending ? term.slice(1) : term]!;
          const [a, b] = [read(rows[i - 1]!), read(rows[i]!)];
          verdict =
            typeof a === 'number' && typeof b === 'number'
              ? (a - b) * (descending ? -1 : 1)
              : compare(a as string | null, b as string | null, descending);
          if (verdict !== 0) break;
        }
        expect(verdict).toBeLessThan(0);
      }
    }

    it.each(terms.flatMap((term) => [term, `-${term}`]))(
      'orders by %s with pk as the tie-breaker, across all pages without gaps or repeats',
      async (ordering) => {
        const rows = await walk({ ordering, page_size: 4 });
        expect(rows).toHaveLength(25);
        expect(new Set(rows.map((r) => r.pk)).size).toBe(25);
        expectOrdered(rows, [ordering]);
      },
    );

    if (!kind.issuedToken) {
      it('has no revoked term: ordering=revoked falls back to the default', async () => {
        expectOrdered(await walk({ ordering: 'revoked', page_size: 25 }), ['provider', 'expires']);
      });
    }

    it('orders by provider,expires by default', async () => {
      const rows = await walk({ page_size: 6 });
      expectOrdered(rows, ['provider', 'expires']);
    });

    it('combines several terms', async () => {
      const rows = await walk({ ordering: '-user,expires', page_size: 10 });
      expectOrdered(rows, ['-user', 'expires']);
    });

    it('drops unknown terms, and falls back to the default when none is left', async () => {
      const onlyUnknown = await walk({ ordering: 'password,;DROP TABLE users', page_size: 25 });
      expectOrdered(onlyUnknown, ['provider', 'expires']);
      const mixed = await walk({ ordering: 'nonsense,-expires,,scope', page_size: 25 });
      expectOrdered(mixed, ['-expires']);
    });
  });

  describe('search', () => {
    const count = async (search: string) => (await get({ search })).body.pagination.count;
    const codesOf = async (where: string, params: unknown[]) =>
      Number(
        (
          await t.fixtures.db.query(
            `SELECT count(*) AS c FROM ${kind.table} g JOIN users u ON u.id = g.user_id JOIN oauth2_providers p ON p.id = g.provider_id WHERE ${where}`,
            params,
          )
        )[0].c,
      );

    it.each([
      ['username', 'ALIC', 'u.username = $1', 'alice'],
      ['user name', 'robert tab', 'u.username = $1', 'bob'],
      ['user email', 'EXAMPLE.NET', 'u.username = $1', 'carol'],
      ['provider name', 'grafan', 'p.name = $1', 'Grafana'],
      ['provider client_id', 'A-CLIEN', 'p.client_id = $1', 'grafana-client'],
    ])('matches the %s case-insensitively as a substring', async (_, search, where, value) => {
      const expected = await codesOf(where, [value]);
      expect(expected).toBeGreaterThan(0);
      expect(await count(search)).toBe(expected);
    });

    it('lists a row matching by its user and by its provider once, in order, on every page', async () => {
      // `grafan` matches a provider, `a` every user (alice, Robert Tables, Carol) and Grafana.
      const expected = await t.fixtures.db.query(
        `SELECT g.id FROM ${kind.table} g JOIN users u ON u.id = g.user_id
         JOIN oauth2_providers p ON p.id = g.provider_id
         WHERE u.username ILIKE '%a%' OR u.name ILIKE '%a%' OR u.email ILIKE '%a%'
            OR p.name ILIKE '%a%' OR p.client_id ILIKE '%a%'
         ORDER BY g.expires DESC, g.id`,
      );
      const seen: number[] = [];
      for (const page of [1, 2, 3]) {
        const res = await get({ search: 'a', ordering: '-expires', page_size: 10, page });
        expect(res.body.pagination.count).toBe(expected.length);
        seen.push(...(res.body.results as Row[]).map((row) => row.pk));
      }
      expect(seen).toEqual(expected.map((row: { id: string }) => Number(row.id)));
      const grafana = await get({ search: 'grafan', user: users[0] });
      expect(grafana.body.pagination.count).toBe(
        await codesOf('p.name = $1 AND u.id = $2', ['Grafana', users[0]]),
      );
    });

    it('treats LIKE wildcards literally', async () => {
      expect(await count('100%')).toBe(await codesOf('p.client_id = $1', ['wiki_100%']));
      expect(await count('%')).toBe(await codesOf('p.client_id = $1', ['wiki_100%']));
      expect(await count('_')).toBe(await codesOf('p.client_id = $1', ['wiki_100%']));
    });

    it('returns nothing for a term nobody matches, and everything for an empty term', async () => {
      expect(await count('no-such-thing')).toBe(0);
      expect(await count('')).toBe(25);
    });

    it('answers a NUL character with a bare-array 400', async () => {
      const res = await get({ search: 'ali\0ce' });
      expect(res.status).toBe(400);
      expect(res.body).toEqual(['Null characters are not allowed.']);
    });

    it('combines search with visibility: a plain user only finds their own codes', async () => {
      const carolAuth = `Bearer ${await t.fixtures.apiToken(users[2]!)}`;
      const res = await get({ search: 'alice' }, carolAuth);
      expect(res.body.results).toEqual([]);
      const own = await get({ search: 'example.net' }, carolAuth);
      expect(own.body.pagination.count).toBe(await codesOf('u.username = $1', ['carol']));
    });
  });

  describe('filters', () => {
    it('filters by user and by provider, and by both', async () => {
      const byUser = await walk({ user: users[0], page_size: 100 });
      expect(byUser.length).toBeGreaterThan(0);
      expect(byUser.every((r) => r.user.pk === users[0])).toBe(true);
      const byProvider = await walk({ provider: providers[1], page_size: 100 });
      expect(byProvider.every((r) => r.provider.pk === providers[1])).toBe(true);
      const both = await walk({ user: users[0], provider: providers[1], page_size: 100 });
      expect(both).toEqual(byUser.filter((r) => r.provider.pk === providers[1]));
    });

    it('ignores empty filter values', async () => {
      const res = await get({ user: '', provider: '' });
      expect(res.status).toBe(200);
      expect(res.body.pagination.count).toBe(25);
    });

    it('reads a filter with leading zeros as its number', async () => {
      const plain = await get({ user: users[0] });
      const padded = await get({ user: `000000000000000000000${users[0]}` });
      expect(padded.status).toBe(200);
      expect(padded.body).toEqual(plain.body);
    });

    it.each([
      ['abc'],
      ['1.5'],
      ['-1'],
      ['999999'],
      ['2147483648'],
      ['99999999999999999999999'],
      [' 1'],
    ])('answers user=%s with a 400 naming the field', async (user) => {
      const res = await get({ user });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ user: INVALID_CHOICE });
    });

    it('answers a non-existent provider with a 400 naming the field', async () => {
      const res = await get({ provider: 424242 });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ provider: INVALID_CHOICE });
    });

    it('reports several invalid filters in one body, user before provider', async () => {
      const res = await t.http.get(`${LIST}?provider=x&user=y`).set('Authorization', admin.auth);
      expect(res.status).toBe(400);
      expect(Object.keys(res.body)).toEqual(['user', 'provider']);
    });

    it('checks authentication before filters, filters before search, search before page', async () => {
      expect((await t.http.get(LIST).query({ user: 'x' })).status).toBe(403);
      expect((await get({ user: 'x', search: '\0' })).body).toEqual({ user: INVALID_CHOICE });
      expect((await get({ search: '\0', page: 'abc' })).body).toEqual([
        'Null characters are not allowed.',
      ]);
    });

    it('applies filters and search on retrieve', async () => {
      const [row] = (await get({ user: users[0], page_size: 1 })).body.results as Row[];
      const path = `${LIST}${row!.pk}/`;
      expect(
        (await t.http.get(path).query({ user: users[0] }).set('Authorization', admin.auth)).status,
      ).toBe(200);
      const other = await t.http
        .get(path)
        .query({ user: users[1] })
        .set('Authorization', admin.auth);
      expect(other.status).toBe(404);
      expect(other.body).toEqual({ detail: `No ${kind.modelName} matches the given query.` });
      expect(
        (await t.http.get(path).query({ search: 'nobody-at-all' }).set('Authorization', admin.auth))
          .status,
      ).toBe(404);
      expect(
        (await t.http.get(path).query({ provider: 'x' }).set('Authorization', admin.auth)).status,
      ).toBe(400);
      const missing = await t.http
        .get(path)
        .query({ provider: 424242 })
        .set('Authorization', admin.auth);
      expect(missing.status).toBe(400);
      expect(missing.body).toEqual({ provider: INVALID_CHOICE });
    });

    it('answers a filter naming no row with a 400 on every route, before the page number', async () => {
      const [row] = (await get({ page_size: 1 })).body.results as Row[];
      expect((await get({ user: 999999, page: 2 })).body).toEqual({ user: INVALID_CHOICE });
      const destroyed = await t.http
        .delete(`${LIST}${row!.pk}/`)
        .query({ user: 999999 })
        .set('Authorization', admin.auth);
      expect(destroyed.status).toBe(400);
      expect(destroyed.body).toEqual({ user: INVALID_CHOICE });
      const usedBy = await t.http
        .get(`${LIST}${row!.pk}/used_by/`)
        .query({ user: 999999 })
        .set('Authorization', admin.auth);
      expect(usedBy.body).toEqual({ user: INVALID_CHOICE });
      // Nothing was deleted by the rejected request.
      const kept = await t.http.get(`${LIST}${row!.pk}/`).set('Authorization', admin.auth);
      expect(kept.status).toBe(200);
    });
  });

  describe('include_groups', () => {
    let groupedUser: number;
    beforeAll(async () => {
      const parent = await t.fixtures.group({ name: 'Engineering' });
      const child = await t.fixtures.group({ name: 'Platform', parent });
      groupedUser = await t.fixtures.user({ groups: [child] });
      await t.fixtures.grant(kind, { user: groupedUser, provider: providers[0]! });
    });
    afterAll(async () => {
      await t.fixtures.db.query('DELETE FROM users WHERE id = $1', [groupedUser]);
    });

    it('includes groups_obj by default and with include_groups=TRUE', async () => {
      for (const query of [{}, { include_groups: 'TRUE' }, { include_groups: 'true' }]) {
        const [row] = (await get({ ...query, user: groupedUser })).body.results;
        expect(row.user.groups_obj).toEqual([
          expect.objectContaining({
            name: 'Platform',
            parent_name: 'Engineering',
            is_superuser: false,
          }),
        ]);
        expect(row.user.groups).toEqual([row.user.groups_obj[0].pk]);
      }
    });

    it.each([['false'], [''], ['1'], ['yes']])(
      'sets every groups_obj to null for include_groups=%s',
      async (value) => {
        const res = await get({ include_groups: value, user: groupedUser });
        const [row] = res.body.results;
        expect(row.user.groups_obj).toBeNull();
        expect(row.user.groups).toHaveLength(1);
      },
    );

    it('nests the user exactly as the users API answers it (groups by name, superuser by ancestry)', async () => {
      // Superuser through a grandparent, groups out of name order, attributes, and a parent cycle.
      const root = await t.fixtures.group({ name: 'zz-root', isSuperuser: true });
      const middle = await t.fixtures.group({ name: 'zz-middle', parent: root });
      const leaf = await t.fixtures.group({ name: 'aa-leaf', parent: middle });
      const loopA = await t.fixtures.group({ name: 'mm-loop-a' });
      const loopB = await t.fixtures.group({ name: 'mm-loop-b', parent: loopA });
      await t.fixtures.db.query('UPDATE groups SET parent_id = $1 WHERE id = $2', [loopB, loopA]);
      await t.fixtures.db.query(
        `UPDATE groups SET attributes = '{"b": 1.0, "a": [null, "é"]}' WHERE id = $1`,
        [leaf],
      );
      const nobody = await t.fixtures.user({ username: 'zz-nobody' });
      const looped = await t.fixtures.user({ username: 'zz-looped', groups: [loopB, loopA] });
      const superuser = await t.fixtures.user({
        username: 'zz-super',
        groups: [middle, loopA, leaf],
      });
      try {
        for (const user of [nobody, looped, superuser]) {
          await t.fixtures.grant(kind, { user, provider: providers[1]! });
          for (const query of [{}, { include_groups: 'false' }]) {
            const expected = await t.http
              .get(`/api/v3/core/users/${user}/`)
              .query(query)
              .set('Authorization', admin.auth);
            expect(expected.status).toBe(200);
            const listed = await get({ ...query, user });
            expect(listed.body.results).toHaveLength(1);
            expect(listed.body.results[0].user).toEqual(expected.body);
            const retrieved = await t.http
              .get(`${LIST}${listed.body.results[0].pk}/`)
              .query(query)
              .set('Authorization', admin.auth);
            expect(retrieved.body.user).toEqual(expected.body);
          }
        }
        const [superRow] = (await get({ user: superuser })).body.results;
        expect(superRow.user.is_superuser).toBe(true);
        expect(superRow.user.groups_obj.map((g: { name: string }) => g.name)).toEqual([
          'aa-leaf',
          'mm-loop-a',
          'zz-middle',
        ]);
        const [loopedRow] = (await get({ user: looped })).body.results;
        expect(loopedRow.user.is_superuser).toBe(false);
      } finally {
        await t.fixtures.db.query('DELETE FROM users WHERE id = ANY($1)', [
          [nobody, looped, superuser],
        ]);
      }
    });
  });

  describe('queries per request', () => {
    it('counts a named user, and a plain user’s own rows, from the per-user counters', async () => {
      const carolAuth = `Bearer ${await t.fixtures.apiToken(users[2]!)}`;
      const cases: [Record<string, unknown>, string | undefined, string, unknown[]][] = [
        [{ user: users[0] }, undefined, 'g.user_id = $1', [users[0]]],
        [
          { user: users[0], provider: providers[1] },
          undefined,
          'g.user_id = $1 AND g.provider_id = $2',
          [users[0], providers[1]],
        ],
        [{}, carolAuth, 'g.user_id = $1', [users[2]]],
        [
          { provider: providers[0] },
          carolAuth,
          'g.user_id = $1 AND g.provider_id = $2',
          [users[2], providers[0]],
        ],
      ];
      for (const [query, auth, where, parameters] of cases) {
        t.queries.reset();
        const res = await get(query, auth);
        expect(res.status).toBe(200);
        // Constant time: the counters, never a COUNT(*) over the user's rows.
        const sent = [...t.queries.statements];
        expect(sent.some((sql) => sql.includes('grant_user_counts'))).toBe(true);
        expect(sent.filter((sql) => /count\(\*\)/i.test(sql))).toEqual([]);
        const [{ n }] = await t.fixtures.db.query(
          `SELECT count(*)::int AS n FROM ${kind.table} g WHERE ${where}`,
          parameters,
        );
        expect(res.body.pagination.count).toBe(n);
      }
      // A plain user naming someone else sees nothing, without counting anything.
      const other = await get({ user: users[0] }, carolAuth);
      expect(other.body.pagination.count).toBe(0);
    });

    it('does not grow with page_size (auth, count, page, groups)', async () => {
      const measure = async (pageSize: number) => {
        t.queries.reset();
        const res = await get({ page_size: pageSize });
        expect(res.status).toBe(200);
        return t.queries.count;
      };
      const small = await measure(1);
      const large = await measure(100);
      expect(large).toBe(small);
      expect(large).toBeLessThanOrEqual(4);
    });

    it('checks filtered rows exist without an extra query when something matched', async () => {
      t.queries.reset();
      const res = await get({ user: users[0], provider: providers[0] });
      expect(res.body.pagination.count).toBeGreaterThan(0);
      expect(t.queries.count).toBeLessThanOrEqual(4);
    });

    it('an empty filtered result costs the existence check, not a page query', async () => {
      t.queries.reset();
      const res = await get({ user: users[0], provider: providers[0], search: 'zz-no-such-name' });
      expect(res.status).toBe(200);
      expect(res.body.results).toEqual([]);
      // auth, count, the check that the user and the provider exist
      expect(t.queries.count).toBeLessThanOrEqual(3);
    });

    it('retrieves with at most three queries (auth, row, groups)', async () => {
      const [row] = (await get({ page_size: 1 })).body.results;
      t.queries.reset();
      await t.http.get(`${LIST}${row.pk}/`).set('Authorization', admin.auth);
      expect(t.queries.count).toBeLessThanOrEqual(3);
    });
  });
});
