/**
 * /api/v3/core/applications/ (issue 4): CRUD by slug, the provider and backchannel provider
 * rules, validation, filters, search, ordering, permissions, secret redaction of the nested
 * providers, and what the providers API shows of their applications.
 */
import {
  ApplicationFromJSON,
  CoreApi,
  PaginatedApplicationListFromJSON,
  ResponseError,
} from '@goauthentik/api';
import { startTestApp, type TestApp } from '../support/app.js';
import {
  ApplicationPerms,
  APPLICATIONS,
  as,
  DENIED,
  generatedClientConfig,
  keysRead,
  keysSent,
  NOT_PROVIDED,
  pks,
  ProviderPerms,
  PROVIDERS,
} from '../support/provider-fixtures.js';

const item = (slug: string) => `${APPLICATIONS}${slug}/`;
const NO_MATCH = { detail: 'No Application matches the given query.' };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const APPLICATION_KEYS = [
  'pk',
  'name',
  'slug',
  'provider',
  'provider_obj',
  'backchannel_providers',
  'backchannel_providers_obj',
  'open_in_new_tab',
  'meta_launch_url',
  'policy_engine_mode',
  'group',
];

describe('core/applications (issue 4)', () => {
  let t: TestApp;
  let admin: { id: number; auth: string };
  let sequence = 0;
  const unique = (stem: string) => `${stem}-${++sequence}`;

  beforeAll(async () => {
    t = await startTestApp();
    admin = await t.fixtures.superCaller();
  });
  afterAll(() => t.close());

  const su = () => as(t, admin.auth);
  /** Creates an application through the API as the superuser; returns its body. */
  const create = async (body: Record<string, unknown> = {}) => {
    const res = await su().post(APPLICATIONS, {
      name: unique('App'),
      slug: unique('app'),
      ...body,
    });
    expect(res.status).toBe(201);
    return res.body;
  };
  const provider = (secret?: string) =>
    t.fixtures.provider(secret === undefined ? {} : { clientSecret: secret });
  const providerBody = async (id: number) => (await su().get(`${PROVIDERS}${id}/`)).body;
  const backchannelOf = async (id: number) =>
    (
      await t.fixtures.db.query(
        'SELECT backchannel_application_id AS app FROM oauth2_providers WHERE id = $1',
        [id],
      )
    )[0].app;

  describe('create, retrieve, update, destroy', () => {
    it('creates with defaults and retrieves by slug', async () => {
      const res = await su().post(APPLICATIONS, { name: 'Minimal', slug: 'minimal' });
      expect(res.status).toBe(201);
      expect(Object.keys(res.body)).toEqual(APPLICATION_KEYS);
      expect(res.body).toEqual({
        pk: expect.stringMatching(UUID),
        name: 'Minimal',
        slug: 'minimal',
        provider: null,
        provider_obj: null,
        backchannel_providers: [],
        backchannel_providers_obj: [],
        open_in_new_tab: false,
        meta_launch_url: '',
        policy_engine_mode: 'any',
        group: '',
      });
      const retrieved = await su().get(item('minimal'));
      expect(retrieved.status).toBe(200);
      expect(retrieved.body).toEqual(res.body);
      const withoutSlash = await su().get(item('minimal').slice(0, -1));
      expect(withoutSlash.body).toEqual(res.body);
    });

    it('stores every writable field and nests its providers as the providers API shows them', async () => {
      const [main, back1, back2] = [await provider(), await provider(), await provider()];
      const created = await create({
        name: 'Full',
        slug: unique('full'),
        provider: main,
        backchannel_providers: [back2, back1, back2],
        open_in_new_tab: true,
        meta_launch_url: 'https://full.example/launch',
        policy_engine_mode: 'all',
        group: 'Tools',
      });
      expect(created).toMatchObject({
        name: 'Full',
        provider: main,
        backchannel_providers: [back1, back2],
        open_in_new_tab: true,
        meta_launch_url: 'https://full.example/launch',
        policy_engine_mode: 'all',
        group: 'Tools',
      });
      expect(created.provider_obj).toEqual(await providerBody(main));
      expect(created.provider_obj).toMatchObject({
        assigned_application_slug: created.slug,
        assigned_application_name: 'Full',
      });
      expect(created.backchannel_providers_obj).toEqual([
        await providerBody(back1),
        await providerBody(back2),
      ]);
      expect(created.backchannel_providers_obj[0]).toMatchObject({
        assigned_backchannel_application_slug: created.slug,
        assigned_backchannel_application_name: 'Full',
      });
      expect((await su().get(item(created.slug))).body).toEqual(created);
    });

    it('replaces on PUT (name and slug required), keeping what is not sent', async () => {
      const main = await provider();
      const created = await create({ provider: main, group: 'Keep', open_in_new_tab: true });
      const missing = await su().put(item(created.slug), { group: 'x' });
      expect(missing.status).toBe(400);
      expect(missing.body).toEqual({
        name: ['This field is required.'],
        slug: ['This field is required.'],
      });
      const newSlug = unique('renamed');
      const res = await su().put(item(created.slug), {
        name: 'Renamed',
        slug: newSlug,
        policy_engine_mode: 'all',
      });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        pk: created.pk,
        name: 'Renamed',
        slug: newSlug,
        provider: main,
        group: 'Keep',
        open_in_new_tab: true,
        policy_engine_mode: 'all',
      });
      expect((await su().get(item(created.slug))).status).toBe(404);
      expect((await su().get(item(newSlug))).body).toEqual(res.body);
    });

    it('changes only the given fields on PATCH; provider null unassigns', async () => {
      const main = await provider();
      const back = await provider();
      const created = await create({ provider: main, backchannel_providers: [back] });
      const renamed = await su().patch(item(created.slug), { group: 'Ops' });
      expect(renamed.status).toBe(200);
      expect(renamed.body).toEqual({ ...created, group: 'Ops' });
      const unassigned = await su().patch(item(created.slug), {
        provider: null,
        backchannel_providers: [],
      });
      expect(unassigned.status).toBe(200);
      expect(unassigned.body).toMatchObject({
        provider: null,
        provider_obj: null,
        backchannel_providers: [],
        backchannel_providers_obj: [],
      });
      expect(await backchannelOf(back)).toBeNull();
    });

    it('destroys with 204; its providers stay, unassigned', async () => {
      const main = await provider();
      const back = await provider();
      const created = await create({ provider: main, backchannel_providers: [back] });
      const res = await su().delete(item(created.slug));
      expect(res.status).toBe(204);
      expect(res.text).toBe('');
      for (const again of [
        await su().get(item(created.slug)),
        await su().delete(item(created.slug)),
      ]) {
        expect(again.status).toBe(404);
        expect(again.body).toEqual(NO_MATCH);
      }
      expect(await providerBody(main)).toMatchObject({
        assigned_application_slug: null,
        assigned_application_name: null,
      });
      expect(await providerBody(back)).toMatchObject({
        assigned_backchannel_application_slug: null,
        assigned_backchannel_application_name: null,
      });
    });

    it('answers 404 for slugs that name nothing, including impossible ones', async () => {
      for (const slug of ['nothing-here', 'a%20b', 'x'.repeat(51), '%C3%A9t%C3%A9']) {
        const res = await su().get(item(slug));
        expect(res.status).toBe(404);
        expect(res.body).toEqual(NO_MATCH);
      }
      // A NUL character can be in no stored key: every route answers such a path "Not found."
      const nul = await su().get(item('a%00b'));
      expect(nul.status).toBe(404);
      expect(nul.body).toEqual({ detail: 'Not found.' });
    });
  });

  describe('validation', () => {
    it.each([
      [{ slug: undefined }, { slug: ['This field is required.'] }],
      [{ name: undefined }, { name: ['This field is required.'] }],
      [{ name: '' }, { name: ['This field may not be blank.'] }],
      [{ name: null }, { name: ['This field may not be null.'] }],
      [
        { slug: 'has space' },
        { slug: ['Enter a valid "slug" consisting of letters, numbers, underscores or hyphens.'] },
      ],
      [
        { slug: 'ütf' },
        { slug: ['Enter a valid "slug" consisting of letters, numbers, underscores or hyphens.'] },
      ],
      [{ slug: 's'.repeat(51) }, { slug: ['Ensure this field has no more than 50 characters.'] }],
      [{ slug: '' }, { slug: ['This field may not be blank.'] }],
      [{ provider: 'abc' }, { provider: ['Incorrect type. Expected pk value, received str.'] }],
      [{ provider: 1.5 }, { provider: ['Incorrect type. Expected pk value, received float.'] }],
      [{ provider: 987654 }, { provider: ['Invalid pk "987654" - object does not exist.'] }],
      [{ provider: 0 }, { provider: ['Invalid pk "0" - object does not exist.'] }],
      [{ provider: 2 ** 40 }, { provider: [`Invalid pk "${2 ** 40}" - object does not exist.`] }],
      [
        { backchannel_providers: 'x' },
        { backchannel_providers: ['Expected a list of items but got type "str".'] },
      ],
      [
        { backchannel_providers: [true] },
        { backchannel_providers: ['Incorrect type. Expected pk value, received bool.'] },
      ],
      [
        { backchannel_providers: [987654, 987655] },
        {
          backchannel_providers: [
            'Invalid pk "987654" - object does not exist.',
            'Invalid pk "987655" - object does not exist.',
          ],
        },
      ],
      [{ policy_engine_mode: 'some' }, { policy_engine_mode: ['"some" is not a valid choice.'] }],
      [{ open_in_new_tab: 'yes' }, { open_in_new_tab: ['Must be a valid boolean.'] }],
      [{ meta_launch_url: 'not a url' }, { meta_launch_url: ['Enter a valid URL.'] }],
      [{ meta_launch_url: '/relative' }, { meta_launch_url: ['Enter a valid URL.'] }],
      [{ meta_launch_url: 'javascript:alert(1)' }, { meta_launch_url: ['Enter a valid URL.'] }],
      [{ group: 'a\u0000' }, { group: ['Null characters are not allowed.'] }],
      [{ group: null }, { group: ['This field may not be null.'] }],
    ])('refuses %j', async (override, errors) => {
      const res = await su().post(APPLICATIONS, {
        name: unique('Invalid'),
        slug: unique('invalid'),
        ...override,
      });
      expect(res.status).toBe(400);
      expect(res.body).toEqual(errors);
    });

    it.each([['https://app.example/'], ['http://intranet:8080/x?y=1#top'], ['myapp://open'], ['']])(
      'accepts the launch URL %p',
      async (url) => {
        expect((await create({ meta_launch_url: url })).meta_launch_url).toBe(url);
      },
    );

    it('accepts duplicate names (only slugs are unique)', async () => {
      const name = unique('Same');
      await create({ name });
      expect((await create({ name })).name).toBe(name);
    });

    it('refuses a duplicate slug with 400, not 500, on create and update', async () => {
      const [a, b] = [await create(), await create()];
      const duplicate = await su().post(APPLICATIONS, { name: 'x', slug: a.slug });
      expect(duplicate.status).toBe(400);
      expect(duplicate.body).toEqual({ slug: ['Application with this slug already exists.'] });
      const taken = await su().patch(item(b.slug), { slug: a.slug });
      expect(taken.status).toBe(400);
      expect(taken.body).toEqual({ slug: ['Application with this slug already exists.'] });
      expect((await su().patch(item(b.slug), { slug: b.slug })).status).toBe(200);
    });

    it('reports slug, provider and backchannel errors together, in field order', async () => {
      const existing = await create({ provider: await provider() });
      const res = await su().post(APPLICATIONS, {
        backchannel_providers: [987654],
        provider: existing.provider,
        slug: existing.slug,
        name: 'x',
      });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        slug: ['Application with this slug already exists.'],
        provider: ['Application with this provider already exists.'],
        backchannel_providers: ['Invalid pk "987654" - object does not exist.'],
      });
      expect((await su().get(APPLICATIONS, { name: 'x' })).body.pagination.count).toBe(0);
    });

    it('ignores read-only and unknown fields (mass assignment)', async () => {
      const main = await provider();
      const res = await su().post(APPLICATIONS, {
        name: 'Mass',
        slug: unique('mass'),
        pk: '00000000-0000-0000-0000-000000000001',
        id: '00000000-0000-0000-0000-000000000001',
        provider_id: main,
        provider_obj: { pk: main },
        backchannel_providers_obj: [{ pk: main }],
        launch_url: 'https://evil.example/',
      });
      expect(res.status).toBe(201);
      expect(res.body.pk).not.toBe('00000000-0000-0000-0000-000000000001');
      expect(res.body).toMatchObject({
        provider: null,
        provider_obj: null,
        backchannel_providers: [],
      });
      expect(res.body).not.toHaveProperty('launch_url');
      const patched = await su().patch(item(res.body.slug), {
        pk: '00000000-0000-0000-0000-000000000002',
        provider_obj: { pk: main },
      });
      expect(patched.body).toEqual(res.body);
    });
  });

  describe('provider and backchannel rules', () => {
    it('refuses a provider another application already uses; keeping its own is fine', async () => {
      const main = await provider();
      const owner = await create({ provider: main });
      const res = await su().post(APPLICATIONS, { name: 'x', slug: unique('x'), provider: main });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ provider: ['Application with this provider already exists.'] });
      const other = await create();
      const patch = await su().patch(item(other.slug), { provider: main });
      expect(patch.status).toBe(400);
      expect((await su().patch(item(owner.slug), { provider: main, name: 'Still' })).status).toBe(
        200,
      );
    });

    it('refuses a provider as both provider and backchannel provider', async () => {
      const p = await provider();
      const same = await su().post(APPLICATIONS, {
        name: 'x',
        slug: unique('x'),
        provider: p,
        backchannel_providers: [p],
      });
      expect(same.status).toBe(400);
      expect(same.body).toEqual({
        backchannel_providers: [
          `Provider ${p} cannot be both the provider and a backchannel provider.`,
        ],
      });
      // Its own backchannel provider, promoted without releasing it.
      const app = await create({ backchannel_providers: [p] });
      const promote = await su().patch(item(app.slug), { provider: p });
      expect(promote.status).toBe(400);
      expect(promote.body).toEqual({
        provider: [`Provider ${p} cannot be both the provider and a backchannel provider.`],
      });
      // Promoted and released in one request.
      const moved = await su().patch(item(app.slug), { provider: p, backchannel_providers: [] });
      expect(moved.status).toBe(200);
      expect(moved.body).toMatchObject({ provider: p, backchannel_providers: [] });
    });

    it("refuses another application's provider or backchannel provider as a backchannel", async () => {
      const main = await provider();
      const back = await provider();
      await create({ provider: main, backchannel_providers: [back] });
      const res = await su().post(APPLICATIONS, {
        name: 'x',
        slug: unique('x'),
        backchannel_providers: [main, back],
      });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        backchannel_providers: [
          `Provider ${main} is the provider of another application.`,
          `Provider ${back} is a backchannel provider of another application.`,
        ],
      });
      const asMain = await su().post(APPLICATIONS, {
        name: 'x',
        slug: unique('x'),
        provider: back,
      });
      expect(asMain.status).toBe(400);
      expect(asMain.body).toEqual({
        provider: [`Provider ${back} is a backchannel provider of another application.`],
      });
    });

    it('replaces the backchannel providers on update', async () => {
      const [a, b, c] = [await provider(), await provider(), await provider()];
      const app = await create({ backchannel_providers: [a, b] });
      const res = await su().patch(item(app.slug), { backchannel_providers: [b, c] });
      expect(res.status).toBe(200);
      expect(res.body.backchannel_providers).toEqual([b, c]);
      expect(await backchannelOf(a)).toBeNull();
      expect(await backchannelOf(c)).toBe(app.pk);
      const put = await su().put(item(app.slug), { name: app.name, slug: app.slug });
      expect(put.body.backchannel_providers).toEqual([b, c]);
    });

    it('lets only one of concurrent claims on a provider win, the rest 400', async () => {
      // Main and backchannel claims race on the same provider, several rounds.
      for (let round = 0; round < 8; round++) {
        const contested = await provider();
        const claims = await Promise.all(
          Array.from({ length: 4 }, (_, i) =>
            su().post(APPLICATIONS, {
              name: 'Claim',
              slug: unique('claim'),
              ...((i + round) % 2 === 0
                ? { provider: contested }
                : { backchannel_providers: [contested] }),
            }),
          ),
        );
        expect(claims.map((res) => res.status).sort()).toEqual([201, 400, 400, 400]);
        const [{ mains, backs }] = await t.fixtures.db.query(
          `SELECT (SELECT count(*)::int FROM applications WHERE provider_id = $1) AS mains,
                  (SELECT count(*)::int FROM oauth2_providers
                    WHERE id = $1 AND backchannel_application_id IS NOT NULL) AS backs`,
          [contested],
        );
        expect(mains + backs).toBe(1);
      }
    });

    it('never fails an edit on the providers an application already has', async () => {
      // A state the API refuses to create (written directly): main of one, backchannel of another.
      const shared = await provider();
      const mainSlug = unique('main');
      const backSlug = unique('back');
      await t.fixtures.application({ slug: mainSlug, provider: shared });
      const back = await t.fixtures.application({ slug: backSlug });
      await t.fixtures.db.query(
        'UPDATE oauth2_providers SET backchannel_application_id = $1 WHERE id = $2',
        [back, shared],
      );
      expect((await su().patch(item(mainSlug), { name: 'Renamed' })).status).toBe(200);
      const resent = await su().put(item(mainSlug), {
        name: 'Resent',
        slug: mainSlug,
        provider: shared,
      });
      expect(resent.status).toBe(200);
      const kept = await su().patch(item(backSlug), { backchannel_providers: [shared] });
      expect(kept.status).toBe(200);
      expect(kept.body.backchannel_providers).toEqual([shared]);
    });

    it('drops a deleted backchannel provider from the application', async () => {
      const [a, b] = [await provider(), await provider()];
      const app = await create({ backchannel_providers: [a, b] });
      expect((await su().delete(`${PROVIDERS}${a}/`)).status).toBe(204);
      const res = await su().get(item(app.slug));
      expect(res.body.backchannel_providers).toEqual([b]);
    });
  });

  describe("the provider's assigned_application_* follow the application", () => {
    it('through create, rename, re-slug, unassign and delete', async () => {
      const main = await provider();
      const back = await provider();
      const slug = unique('follow');
      await create({ name: 'Follow', slug, provider: main, backchannel_providers: [back] });
      expect(await providerBody(main)).toMatchObject({
        assigned_application_slug: slug,
        assigned_application_name: 'Follow',
        assigned_backchannel_application_slug: null,
      });
      expect(await providerBody(back)).toMatchObject({
        assigned_application_slug: null,
        assigned_backchannel_application_slug: slug,
        assigned_backchannel_application_name: 'Follow',
      });

      const newSlug = unique('followed');
      await su().patch(item(slug), { name: 'Followed', slug: newSlug });
      expect(await providerBody(main)).toMatchObject({
        assigned_application_slug: newSlug,
        assigned_application_name: 'Followed',
      });
      expect(await providerBody(back)).toMatchObject({
        assigned_backchannel_application_slug: newSlug,
        assigned_backchannel_application_name: 'Followed',
      });

      await su().patch(item(newSlug), { provider: null });
      expect(await providerBody(main)).toMatchObject({ assigned_application_slug: null });

      await su().delete(item(newSlug));
      expect(await providerBody(back)).toMatchObject({
        assigned_backchannel_application_slug: null,
      });
    });
  });

  describe('list: filters, search, ordering', () => {
    let slugs: Record<string, string>;
    const page = (query: Record<string, string>) =>
      su().get(APPLICATIONS, { page_size: '100', ...query });
    const bySlug = (body: { results: { slug: string }[] }) =>
      body.results
        .map((r) => r.slug)
        .filter((slug) => Object.values(slugs).includes(slug))
        .map((slug) => Object.entries(slugs).find(([, s]) => s === slug)![0]);

    beforeAll(async () => {
      slugs = { alpha: 'lst-alpha', beta: 'lst-beta', gamma: 'lst-gamma' };
      await create({
        name: '~lst Zeta',
        slug: slugs.alpha,
        group: 'B group',
        meta_launch_url: 'https://a.example/',
      });
      await create({ name: '~lst Eta', slug: slugs.beta, group: 'A group' });
      await create({
        name: '~lst Theta 100%',
        slug: slugs.gamma,
        group: 'B group',
        meta_launch_url: 'https://a.example/',
      });
    });

    it.each([
      [{ name: '~lst Eta' }, ['beta']],
      [{ name: '~lst eta' }, []],
      [{ slug: 'lst-gamma' }, ['gamma']],
      [{ group: 'B group' }, ['alpha', 'gamma']],
      [{ meta_launch_url: 'https://a.example/' }, ['alpha', 'gamma']],
      [{ group: 'B group', slug: 'lst-alpha' }, ['alpha']],
      [{ name: '', group: '' }, ['alpha', 'beta', 'gamma']],
      [{ search: '~LST' }, ['alpha', 'beta', 'gamma']],
      [{ search: 'lst-ALPHA' }, ['alpha']],
      [{ search: 'a group' }, ['beta']],
      [{ search: '100%' }, ['gamma']],
      [{ search: 'nothing-like-it' }, []],
    ])('filters %j', async (query, expected) => {
      const res = await page({ ordering: 'slug', ...query });
      expect(res.status).toBe(200);
      expect(bySlug(res.body)).toEqual(expected);
    });

    it.each([
      ['name', ['beta', 'gamma', 'alpha']],
      ['-name', ['alpha', 'gamma', 'beta']],
      ['slug', ['alpha', 'beta', 'gamma']],
      ['-slug', ['gamma', 'beta', 'alpha']],
      ['group,-slug', ['beta', 'gamma', 'alpha']],
      ['-group,slug', ['alpha', 'gamma', 'beta']],
      ['unknown', ['beta', 'gamma', 'alpha']],
    ])('orders by %p', async (ordering, expected) => {
      const res = await page({ ordering, search: '~lst' });
      expect(bySlug(res.body)).toEqual(expected);
    });

    it('orders by pk and by name by default, as PostgreSQL collates', async () => {
      const byPk = await page({ ordering: 'pk' });
      const expectedPk = await t.fixtures.db.query(
        'SELECT id FROM applications ORDER BY id LIMIT 100',
      );
      expect(pks(byPk.body)).toEqual(expectedPk.map((row: { id: string }) => row.id));
      const byDefault = await page({});
      const expectedName = await t.fixtures.db.query(
        'SELECT id FROM applications ORDER BY name, id LIMIT 100',
      );
      expect(pks(byDefault.body)).toEqual(expectedName.map((row: { id: string }) => row.id));
    });

    it('pages with the envelope', async () => {
      const res = await su().get(APPLICATIONS, {
        page_size: '2',
        search: '~lst',
        page: '2',
        ordering: 'slug',
      });
      expect(res.body.pagination).toEqual({
        next: 0,
        previous: 1,
        count: 3,
        current: 2,
        total_pages: 2,
        start_index: 3,
        end_index: 3,
      });
      expect(bySlug(res.body)).toEqual(['gamma']);
    });

    it('applies the filters to the detail routes too', async () => {
      expect((await su().get(item(slugs.alpha!), { group: 'B group' })).status).toBe(200);
      const filtered = await su().get(item(slugs.alpha!), { group: 'A group' });
      expect(filtered.status).toBe(404);
      expect(filtered.body).toEqual(NO_MATCH);
      expect((await su().delete(item(slugs.alpha!)).query({ search: 'theta' })).status).toBe(404);
      expect((await su().get(item(slugs.alpha!))).status).toBe(200);
    });

    it('refuses NUL characters in filters', async () => {
      const res = await page({ slug: 'a\u0000' });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ slug: ['Null characters are not allowed.'] });
    });

    it('needs a constant number of queries whatever the page holds', async () => {
      const count = async (size: string) => {
        t.queries.reset();
        const res = await page({ page_size: size });
        expect(res.status).toBe(200);
        return t.queries.count;
      };
      // Some applications with providers and backchannel providers on the page.
      for (let i = 0; i < 3; i++) {
        await create({
          provider: await provider(),
          backchannel_providers: [await provider(), await provider()],
        });
      }
      const one = await count('1');
      expect(await count('100')).toBe(one);
      // Caller, count, page, backchannel providers.
      expect(one).toBe(4);
    });
  });

  describe('permissions', () => {
    let mine: { slug: string; pk: string; provider: number };
    let other: { slug: string; pk: string };
    let mainProvider: number;
    let backProvider: number;

    beforeAll(async () => {
      mainProvider = await provider('main-secret');
      backProvider = await provider('back-secret');
      mine = await create({ provider: mainProvider, backchannel_providers: [backProvider] });
      other = await create();
    });

    const caller = (permissions: (string | [string, string])[] = []) =>
      t.fixtures.caller(permissions).then(({ auth }) => as(t, auth));

    it('refuses anonymous callers with 403 on every route', async () => {
      const anonymous = as(t);
      for (const res of [
        await anonymous.get(APPLICATIONS),
        await anonymous.post(APPLICATIONS, { name: 'x', slug: unique('anon') }),
        await anonymous.get(item(mine.slug)),
        await anonymous.put(item(mine.slug), { name: 'x', slug: 'x' }),
        await anonymous.patch(item(mine.slug), { name: 'x' }),
        await anonymous.delete(item(mine.slug)),
        await anonymous.post(item(mine.slug)),
      ]) {
        expect(res.status).toBe(403);
        expect(res.body).toEqual(NOT_PROVIDED);
      }
    });

    it('shows a caller without permissions nothing: empty list, 404, 403 on create', async () => {
      const plain = await caller();
      const list = await plain.get(APPLICATIONS);
      expect(list.body.pagination.count).toBe(0);
      for (const res of [
        await plain.get(item(mine.slug)),
        await plain.patch(item(mine.slug), { name: 'x' }),
        await plain.put(item(mine.slug), { name: 'x', slug: mine.slug }),
        await plain.delete(item(mine.slug)),
      ]) {
        expect(res.status).toBe(404);
        expect(res.body).toEqual(NO_MATCH);
      }
      const created = await plain.post(APPLICATIONS, { name: 'x', slug: unique('plain') });
      expect(created.status).toBe(403);
      expect(created.body).toEqual(DENIED);
    });

    it('shows everything to a global viewer, who may not change or delete', async () => {
      const viewer = await caller([ApplicationPerms.view]);
      const list = await viewer.get(APPLICATIONS, { page_size: '100' });
      const [{ count }] = await t.fixtures.db.query(
        'SELECT count(*)::int AS count FROM applications',
      );
      expect(list.body.pagination.count).toBe(count);
      for (const res of [
        await viewer.patch(item(mine.slug), { name: 'x' }),
        await viewer.put(item(mine.slug), { name: 'x', slug: mine.slug }),
        await viewer.delete(item(mine.slug)),
      ]) {
        expect(res.status).toBe(403);
        expect(res.body).toEqual(DENIED);
      }
    });

    it('redacts nested provider secrets unless the caller may view that provider', async () => {
      const secrets = (body: {
        provider_obj: { client_secret: string };
        backchannel_providers_obj: { client_secret: string }[];
      }) => [
        body.provider_obj.client_secret,
        ...body.backchannel_providers_obj.map((p) => p.client_secret),
      ];
      const appViewer = await caller([ApplicationPerms.view]);
      expect(secrets((await appViewer.get(item(mine.slug))).body)).toEqual(['', '']);
      const listed = (await appViewer.get(APPLICATIONS, { slug: mine.slug })).body.results[0];
      expect(secrets(listed)).toEqual(['', '']);

      const onMain = await caller([
        ApplicationPerms.view,
        [ProviderPerms.view, String(mainProvider)],
      ]);
      expect(secrets((await onMain.get(item(mine.slug))).body)).toEqual(['main-secret', '']);

      const global = await caller([ApplicationPerms.view, ProviderPerms.view]);
      expect(secrets((await global.get(item(mine.slug))).body)).toEqual([
        'main-secret',
        'back-secret',
      ]);
      expect(secrets((await su().get(item(mine.slug))).body)).toEqual([
        'main-secret',
        'back-secret',
      ]);
    });

    it('shows an object-level viewer that application only', async () => {
      const viewer = await caller([[ApplicationPerms.view, mine.pk]]);
      const list = await viewer.get(APPLICATIONS);
      expect(list.body.results.map((r: { slug: string }) => r.slug)).toEqual([mine.slug]);
      expect((await viewer.get(item(other.slug))).body).toEqual(NO_MATCH);
      expect((await viewer.patch(item(mine.slug), { name: 'x' })).body).toEqual(DENIED);
    });

    it('lets a global adder create (the response follows the secret rule)', async () => {
      const adder = await caller([ApplicationPerms.add]);
      const p = await provider('adder-secret');
      const res = await adder.post(APPLICATIONS, {
        name: 'Added',
        slug: unique('added'),
        provider: p,
      });
      expect(res.status).toBe(201);
      expect(res.body.provider_obj.client_secret).toBe('');
      expect((await adder.get(item(res.body.slug))).status).toBe(404);
    });

    it('refuses create without add before validating the body', async () => {
      const viewer = await caller([ApplicationPerms.view]);
      const res = await viewer.post(APPLICATIONS, { slug: 'not valid' });
      expect(res.status).toBe(403);
      expect(res.body).toEqual(DENIED);
    });

    it('lets a global changer who can see update, not delete', async () => {
      const changer = await caller([ApplicationPerms.view, ApplicationPerms.change]);
      const res = await changer.patch(item(other.slug), { group: 'Changed' });
      expect(res.status).toBe(200);
      expect(res.body.group).toBe('Changed');
      expect((await changer.delete(item(other.slug))).status).toBe(403);
    });

    it('answers 404 to a changer or deleter who cannot see the application', async () => {
      const blind = await caller([ApplicationPerms.change, ApplicationPerms.delete]);
      expect((await blind.patch(item(other.slug), { group: 'x' })).body).toEqual(NO_MATCH);
      expect((await blind.delete(item(other.slug))).body).toEqual(NO_MATCH);
    });

    it('honours object-level change and delete on the one application', async () => {
      const victim = await create();
      const holder = await caller([
        [ApplicationPerms.view, victim.pk],
        [ApplicationPerms.change, victim.pk],
        [ApplicationPerms.delete, victim.pk],
        [ApplicationPerms.view, other.pk],
      ]);
      expect((await holder.patch(item(victim.slug), { group: 'Held' })).status).toBe(200);
      expect((await holder.patch(item(other.slug), { group: 'x' })).status).toBe(403);
      expect((await holder.delete(item(other.slug))).status).toBe(403);
      expect((await holder.delete(item(victim.slug))).status).toBe(204);
    });

    it('lets a global deleter who can see delete', async () => {
      const victim = await create();
      const deleter = await caller([ApplicationPerms.view, ApplicationPerms.delete]);
      expect((await deleter.delete(item(victim.slug))).status).toBe(204);
    });

    it('lists in used_by of a provider only the applications the caller can see', async () => {
      const providerViewer = await caller([ProviderPerms.view, [ApplicationPerms.view, other.pk]]);
      expect((await providerViewer.get(`${PROVIDERS}${mainProvider}/used_by/`)).body).toEqual([]);
      const both = await caller([ProviderPerms.view, [ApplicationPerms.view, mine.pk]]);
      expect(
        (await both.get(`${PROVIDERS}${mainProvider}/used_by/`)).body.map(
          (u: { pk: string }) => u.pk,
        ),
      ).toEqual([mine.pk]);
    });
  });

  describe('405', () => {
    it.each([
      ['put', 'list', 'PUT'],
      ['patch', 'list', 'PATCH'],
      ['delete', 'list', 'DELETE'],
      ['post', 'detail', 'POST'],
    ] as const)('answers %s on the %s route with 405', async (method, where, name) => {
      const app = await create();
      const res = await su()[method](where === 'list' ? APPLICATIONS : item(app.slug));
      expect(res.status).toBe(405);
      expect(res.body).toEqual({ detail: `Method "${name}" not allowed.` });
    });
  });

  describe("authentik's generated client (@goauthentik/api 2024.8.3)", () => {
    let api: CoreApi;
    beforeAll(async () => {
      api = new CoreApi(await generatedClientConfig(t, admin.auth));
    });

    it('creates, reads, updates, lists and destroys', async () => {
      const main = await provider();
      const slug = unique('client');
      const created = await api.coreApplicationsCreate({
        applicationRequest: { name: 'Client App', slug, provider: main, group: 'G' },
      });
      expect(created.slug).toBe(slug);
      expect(created.providerObj.pk).toBe(main);
      expect(created.providerObj.assignedApplicationSlug).toBe(slug);
      expect(created.backchannelProvidersObj).toEqual([]);
      const patched = await api.coreApplicationsPartialUpdate({
        slug,
        patchedApplicationRequest: { openInNewTab: true },
      });
      expect(patched.openInNewTab).toBe(true);
      const updated = await api.coreApplicationsUpdate({
        slug,
        applicationRequest: { name: 'Client App 2', slug, policyEngineMode: 'all' as never },
      });
      expect(updated).toMatchObject({ name: 'Client App 2', policyEngineMode: 'all', group: 'G' });
      const page = await api.coreApplicationsList({ slug, search: 'client app' });
      expect(page.results.map((a) => a.pk)).toEqual([created.pk]);
      expect((await api.coreApplicationsRetrieve({ slug })).name).toBe('Client App 2');
      await api.coreApplicationsDestroy({ slug });
      const error = await api.coreApplicationsRetrieve({ slug }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ResponseError);
      expect((error as ResponseError).response.status).toBe(404);
    });

    it('decodes our answers; the keys it reads and we do not send are the unstored ones', async () => {
      const created = await create({
        provider: await provider(),
        backchannel_providers: [await provider()],
      });
      const raw = (await su().get(APPLICATIONS, { slug: created.slug })).body;
      for (const [decode, json] of [
        [PaginatedApplicationListFromJSON, raw],
        [ApplicationFromJSON, created],
      ] as const) {
        const read = keysRead(decode, json);
        const sent = keysSent(json);
        const prefix = decode === ApplicationFromJSON ? '' : '.results[]';
        // Icons, descriptions, publishers and launch URL templates are not stored here.
        expect([...read].filter((key) => !sent.has(key)).sort()).toEqual(
          ['.launch_url', '.meta_description', '.meta_icon', '.meta_publisher'].map(
            (key) => `${prefix}${key}`,
          ),
        );
        // The nested providers are full OAuth2Providers; the client's Provider reads a subset.
        const unread = [...sent].filter((key) => !read.has(key));
        expect(unread.length).toBeGreaterThan(0);
        expect(
          unread.every((key) => /\.(provider_obj|backchannel_providers_obj\[\])\./.test(key)),
        ).toBe(true);
      }
    });
  });

  describe('OpenAPI', () => {
    it("documents the operations with authentik's ids and component names", async () => {
      const document = (await t.http.get('/api/v3/schema/')).body;
      const operations = Object.fromEntries(
        Object.entries(document.paths as Record<string, Record<string, { operationId: string }>>)
          .filter(([path]) => path.startsWith('/core/applications/'))
          .flatMap(([path, methods]) =>
            Object.entries(methods).map(([method, op]) => [op.operationId, `${method} ${path}`]),
          ),
      );
      expect(operations).toEqual({
        core_applications_list: 'get /core/applications/',
        core_applications_create: 'post /core/applications/',
        core_applications_retrieve: 'get /core/applications/{slug}/',
        core_applications_update: 'put /core/applications/{slug}/',
        core_applications_partial_update: 'patch /core/applications/{slug}/',
        core_applications_destroy: 'delete /core/applications/{slug}/',
      });
      const schemas = document.components.schemas;
      for (const name of [
        'Application',
        'ApplicationRequest',
        'PatchedApplicationRequest',
        'PaginatedApplicationList',
        'PolicyEngineMode',
      ]) {
        expect(schemas).toHaveProperty(name);
      }
      expect(schemas.PolicyEngineMode.enum).toEqual(['all', 'any']);
      expect(schemas.ApplicationRequest.required).toEqual(['name', 'slug']);
      expect(Object.keys(schemas.Application.properties)).toEqual(APPLICATION_KEYS);
    });
  });
});
