/**
 * /api/v3/providers/oauth2/ (issue 4): CRUD of the full OAuth2Provider of contract §5.1, its
 * validation, filters, search, ordering, permissions, secret redaction and cascades.
 */
import {
  OAuth2ProviderFromJSON,
  PaginatedOAuth2ProviderListFromJSON,
  ProvidersApi,
  ResponseError,
} from '@goauthentik/api';
import { startTestApp, type TestApp } from '../support/app.js';
import {
  APPLICATIONS,
  as,
  CODES,
  DENIED,
  generatedClientConfig,
  keysRead,
  keysSent,
  NOT_PROVIDED,
  pks,
  ProviderPerms,
  PROVIDERS,
} from '../support/provider-fixtures.js';

const item = (id: number | string) => `${PROVIDERS}${id}/`;
const NO_MATCH = { detail: 'No OAuth2Provider matches the given query.' };
const UUID_1 = '6f1f8a52-3c44-4c1e-9a1b-3b8f4f0e2a10';
const UUID_2 = '0b7d3c2e-8f6a-4d59-b1c4-5e2f7a9d8c31';
const UUID_3 = 'c2a4e6f8-1b3d-4f5a-8c7e-9d0b2a4c6e81';

/** The keys of the nested provider of contract §5.1, in order. */
const PROVIDER_KEYS = [
  'pk',
  'name',
  'authentication_flow',
  'authorization_flow',
  'invalidation_flow',
  'property_mappings',
  'component',
  'assigned_application_slug',
  'assigned_application_name',
  'assigned_backchannel_application_slug',
  'assigned_backchannel_application_name',
  'verbose_name',
  'verbose_name_plural',
  'meta_model_name',
  'client_type',
  'client_id',
  'client_secret',
  'access_code_validity',
  'access_token_validity',
  'refresh_token_validity',
  'include_claims_in_id_token',
  'signing_key',
  'encryption_key',
  'redirect_uris',
  'sub_mode',
  'issuer_mode',
  'jwks_sources',
];

const FULL_BODY = {
  name: 'Full provider',
  authentication_flow: UUID_1,
  authorization_flow: UUID_2,
  invalidation_flow: UUID_3,
  property_mappings: [UUID_1, UUID_2],
  client_type: 'public',
  client_id: 'full-client',
  client_secret: 'full-secret',
  access_code_validity: 'minutes=5',
  access_token_validity: 'hours=2;minutes=30',
  refresh_token_validity: 'days=7',
  include_claims_in_id_token: false,
  signing_key: UUID_3,
  encryption_key: UUID_1,
  redirect_uris: 'https://full.example/cb\ncom.example.app:/oauth2redirect',
  sub_mode: 'user_email',
  issuer_mode: 'global',
  jwks_sources: [UUID_2],
};

describe('providers/oauth2 (issue 4)', () => {
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
  /** Creates a provider through the API as the superuser; returns its body. */
  const create = async (body: Record<string, unknown> = {}) => {
    const res = await su().post(PROVIDERS, { name: unique('provider'), ...body });
    expect(res.status).toBe(201);
    return res.body;
  };
  const rowCount = async (sql: string, params: unknown[] = []) =>
    (await t.fixtures.db.query(`SELECT count(*)::int AS count FROM ${sql}`, params))[0].count;

  describe('create, retrieve, update, destroy', () => {
    it('creates with defaults: random 40-char client id, 128-char secret, validity defaults', async () => {
      const res = await su().post(PROVIDERS, { name: 'Minimal' });
      expect(res.status).toBe(201);
      expect(Object.keys(res.body)).toEqual(PROVIDER_KEYS);
      expect(res.body).toEqual({
        pk: expect.any(Number),
        name: 'Minimal',
        authentication_flow: null,
        authorization_flow: null,
        invalidation_flow: null,
        property_mappings: [],
        component: 'ak-provider-oauth2-form',
        assigned_application_slug: null,
        assigned_application_name: null,
        assigned_backchannel_application_slug: null,
        assigned_backchannel_application_name: null,
        verbose_name: 'OAuth2/OpenID Provider',
        verbose_name_plural: 'OAuth2/OpenID Providers',
        meta_model_name: 'authentik_providers_oauth2.oauth2provider',
        client_type: 'confidential',
        client_id: expect.stringMatching(/^[A-Za-z0-9]{40}$/),
        client_secret: expect.stringMatching(/^[A-Za-z0-9]{128}$/),
        access_code_validity: 'minutes=1',
        access_token_validity: 'hours=1',
        refresh_token_validity: 'days=30',
        include_claims_in_id_token: true,
        signing_key: null,
        encryption_key: null,
        redirect_uris: '',
        sub_mode: 'hashed_user_id',
        issuer_mode: 'per_provider',
        jwks_sources: [],
      });
      const [row] = await t.fixtures.db.query(
        'SELECT client_id, client_secret FROM oauth2_providers WHERE id = $1',
        [res.body.pk],
      );
      expect(row).toEqual({ client_id: res.body.client_id, client_secret: res.body.client_secret });
      const retrieved = await su().get(item(res.body.pk));
      expect(retrieved.status).toBe(200);
      expect(retrieved.body).toEqual(res.body);
    });

    it('generates a different client id and secret every time', async () => {
      const [a, b] = [await create(), await create()];
      expect(a.client_id).not.toBe(b.client_id);
      expect(a.client_secret).not.toBe(b.client_secret);
    });

    it('stores every writable field', async () => {
      const created = await create(FULL_BODY);
      expect(created).toMatchObject({ ...FULL_BODY, component: 'ak-provider-oauth2-form' });
      expect((await su().get(item(created.pk))).body).toEqual(created);
    });

    it('accepts an empty client secret (public clients)', async () => {
      const created = await create({ client_type: 'public', client_secret: '' });
      expect(created.client_secret).toBe('');
    });

    it('replaces the given fields on PUT, requires the name and keeps what is not sent', async () => {
      const created = await create({ ...FULL_BODY, name: unique('put'), client_id: unique('put') });
      const missing = await su().put(item(created.pk), { client_type: 'confidential' });
      expect(missing.status).toBe(400);
      expect(missing.body).toEqual({ name: ['This field is required.'] });

      const res = await su().put(item(created.pk), {
        name: 'Replaced',
        client_type: 'confidential',
        authentication_flow: null,
        property_mappings: [],
        redirect_uris: 'https://replaced.example/cb',
      });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        ...created,
        name: 'Replaced',
        client_type: 'confidential',
        authentication_flow: null,
        property_mappings: [],
        redirect_uris: 'https://replaced.example/cb',
      });
      expect((await su().get(item(created.pk))).body).toEqual(res.body);
    });

    it('changes only the given fields on PATCH (an empty PATCH changes nothing)', async () => {
      const created = await create();
      const res = await su().patch(item(created.pk), { access_token_validity: 'minutes=10' });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ ...created, access_token_validity: 'minutes=10' });
      const empty = await su().patch(item(created.pk), {});
      expect(empty.status).toBe(200);
      expect(empty.body).toEqual(res.body);
    });

    it('destroys with 204 and an empty body; then 404', async () => {
      const created = await create();
      const res = await su().delete(item(created.pk));
      expect(res.status).toBe(204);
      expect(res.text).toBe('');
      expect(await rowCount('oauth2_providers WHERE id = $1', [created.pk])).toBe(0);
      for (const again of [await su().get(item(created.pk)), await su().delete(item(created.pk))]) {
        expect(again.status).toBe(404);
        expect(again.body).toEqual(NO_MATCH);
      }
    });

    it('answers 404 "Not found." for a non-numeric id and the model 404 for impossible ones', async () => {
      const notNumeric = await su().get(item('abc'));
      expect(notNumeric.status).toBe(404);
      expect(notNumeric.body).toEqual({ detail: 'Not found.' });
      for (const id of ['0', '-1', '99999999999', '2147483648']) {
        const res = await su().get(item(id));
        expect(res.status).toBe(404);
        expect(res.body).toEqual(NO_MATCH);
      }
    });

    it('answers without the trailing slash exactly as with it', async () => {
      const created = await create();
      const detail = await su().get(item(created.pk).slice(0, -1));
      expect(detail.status).toBe(200);
      expect(detail.body).toEqual(created);
      const list = await su().get(PROVIDERS.slice(0, -1));
      expect(list.body).toEqual((await su().get(PROVIDERS)).body);
    });

    it('renders exactly the provider the grant lists nest', async () => {
      const provider = await t.fixtures.provider({ clientSecret: 'nested-secret' });
      const user = await t.fixtures.user();
      const code = await t.fixtures.code({ user, provider });
      await t.fixtures.application({ name: 'Nest', slug: unique('nest'), provider });
      const nested = (await su().get(`${CODES}${code}/`)).body.provider;
      const own = await su().get(item(provider));
      expect(own.text).toBe(JSON.stringify(nested));
    });
  });

  describe('validation', () => {
    it.each([
      ['hours=1;minutes=2;seconds=3'],
      ['weeks=1'],
      ['days=0.5'],
      ['microseconds=10;milliseconds=5;seconds=0'],
      ['minutes=1;hours=2;days=3;weeks=4'],
    ])('accepts the validity %p', async (validity) => {
      const created = await create({
        access_code_validity: validity,
        access_token_validity: validity,
        refresh_token_validity: validity,
      });
      expect(created).toMatchObject({
        access_code_validity: validity,
        access_token_validity: validity,
        refresh_token_validity: validity,
      });
    });

    it.each([
      ['hours'],
      ['hours=abc'],
      ['hour=1'],
      ['HOURS=1'],
      ['hours=1;'],
      [';hours=1'],
      ['hours=1;hours=2'],
      ['hours=-1'],
      ['hours= 1'],
      ['hours=1,minutes=2'],
      ['hours=1e3'],
      ['=1'],
    ])('refuses the validity %p with the contract message', async (validity) => {
      const message = [`${validity} is not in the correct format of 'hours=3;minutes=1'.`];
      for (const field of [
        'access_code_validity',
        'access_token_validity',
        'refresh_token_validity',
      ]) {
        const res = await su().post(PROVIDERS, { name: unique('validity'), [field]: validity });
        expect(res.status).toBe(400);
        expect(res.body).toEqual({ [field]: message });
      }
      const all = await su().post(PROVIDERS, {
        name: unique('validity'),
        access_code_validity: validity,
        access_token_validity: validity,
        refresh_token_validity: validity,
      });
      expect(all.body).toEqual({
        access_code_validity: message,
        access_token_validity: message,
        refresh_token_validity: message,
      });
    });

    it('validates the validity on PATCH too, and keeps the stored value', async () => {
      const created = await create();
      const res = await su().patch(item(created.pk), { refresh_token_validity: 'forever' });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        refresh_token_validity: ["forever is not in the correct format of 'hours=3;minutes=1'."],
      });
      expect((await su().get(item(created.pk))).body.refresh_token_validity).toBe('days=30');
    });

    it('refuses blank validity strings as DRF does', async () => {
      const res = await su().post(PROVIDERS, { name: unique('blank'), access_code_validity: '' });
      expect(res.body).toEqual({ access_code_validity: ['This field may not be blank.'] });
    });

    it.each([
      ['https://a.example/cb'],
      ['http://localhost:8080/callback?x=1'],
      ['https://a.example/cb\nhttps://b.example/cb'],
      ['https://a.example/cb\r\nhttp://[::1]/cb\n\n'],
      ['com.example.app:/oauth2redirect'],
      ['myapp://callback'],
      ['urn:ietf:wg:oauth:2.0:oob'],
      [''],
    ])('accepts the redirect URIs %p, stored as sent', async (uris) => {
      const created = await create({ redirect_uris: uris });
      expect(created.redirect_uris).toBe(uris);
    });

    it.each([
      ['not a uri', '"not a uri" is not an absolute URI.'],
      ['/relative/path', '"/relative/path" is not an absolute URI.'],
      ['example.com/cb', '"example.com/cb" is not an absolute URI.'],
      ['https:example.com', '"https:example.com" is not an absolute URI.'],
      ['https:///cb', '"https:///cb" is not an absolute URI.'],
      ['https://a.example/cb\nnope', '"nope" is not an absolute URI.'],
      [' https://a.example/cb', '" https://a.example/cb" is not an absolute URI.'],
      ['https://a.example/cb#frag', '"https://a.example/cb#frag" must not contain a fragment.'],
      ['javascript:alert(1)', '"javascript:alert(1)" uses a scheme that is not allowed.'],
      ['data:text/html,hi', '"data:text/html,hi" uses a scheme that is not allowed.'],
    ])('refuses the redirect URIs %p', async (uris, message) => {
      const res = await su().post(PROVIDERS, { name: unique('uris'), redirect_uris: uris });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ redirect_uris: [message] });
    });

    it.each([
      [{}, { name: ['This field is required.'] }],
      [{ name: null }, { name: ['This field may not be null.'] }],
      [{ name: '' }, { name: ['This field may not be blank.'] }],
      [{ name: '   ' }, { name: ['This field may not be blank.'] }],
      [{ name: 42 }, { name: ['Not a valid string.'] }],
      [{ name: 'a\u0000b' }, { name: ['Null characters are not allowed.'] }],
      [
        { client_id: 'x'.repeat(256) },
        { client_id: ['Ensure this field has no more than 255 characters.'] },
      ],
      [{ client_id: '' }, { client_id: ['This field may not be blank.'] }],
      [{ client_id: null }, { client_id: ['This field may not be null.'] }],
      [
        { client_secret: 'x'.repeat(256) },
        { client_secret: ['Ensure this field has no more than 255 characters.'] },
      ],
      [{ client_type: 'secret' }, { client_type: ['"secret" is not a valid choice.'] }],
      [{ sub_mode: 'user_nick' }, { sub_mode: ['"user_nick" is not a valid choice.'] }],
      [{ issuer_mode: null }, { issuer_mode: ['This field may not be null.'] }],
      [{ authorization_flow: 'flow' }, { authorization_flow: ['Must be a valid UUID.'] }],
      [{ signing_key: 12 }, { signing_key: ['Must be a valid UUID.'] }],
      [
        { property_mappings: UUID_1 },
        { property_mappings: ['Expected a list of items but got type "str".'] },
      ],
      [{ property_mappings: [UUID_1, 'x'] }, { property_mappings: ['Must be a valid UUID.'] }],
      [{ jwks_sources: null }, { jwks_sources: ['This field may not be null.'] }],
      [
        { include_claims_in_id_token: 'yes' },
        { include_claims_in_id_token: ['Must be a valid boolean.'] },
      ],
    ])('refuses %j', async (body, errors) => {
      const payload = Object.keys(body).length === 0 ? {} : { name: unique('invalid'), ...body };
      const res = await su().post(PROVIDERS, payload);
      expect(res.status).toBe(400);
      expect(res.body).toEqual(errors);
    });

    it('reports every invalid field at once, in field order', async () => {
      const res = await su().post(PROVIDERS, {
        jwks_sources: 'x',
        client_type: 'x',
        access_code_validity: 'x',
      });
      expect(res.status).toBe(400);
      expect(Object.keys(res.body)).toEqual([
        'name',
        'client_type',
        'access_code_validity',
        'jwks_sources',
      ]);
    });

    it('refuses a body that is not an object', async () => {
      const res = await su().post(PROVIDERS, [{ name: 'x' }]);
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        non_field_errors: ['Invalid data. Expected a dictionary, but got list.'],
      });
    });

    it('stores uuid lists as sets', async () => {
      const created = await create({ property_mappings: [UUID_1, UUID_1, UUID_2] });
      expect(created.property_mappings).toEqual([UUID_1, UUID_2]);
    });
  });

  describe('uniqueness', () => {
    it('refuses a duplicate name or client_id with 400, not 500', async () => {
      const existing = await create({ client_id: unique('taken-client') });
      const name = await su().post(PROVIDERS, { name: existing.name });
      expect(name.status).toBe(400);
      expect(name.body).toEqual({
        name: ['OAuth2/OpenID Provider with this name already exists.'],
      });
      const clientId = await su().post(PROVIDERS, {
        name: unique('other'),
        client_id: existing.client_id,
      });
      expect(clientId.status).toBe(400);
      expect(clientId.body).toEqual({
        client_id: ['OAuth2/OpenID Provider with this client id already exists.'],
      });
      const both = await su().post(PROVIDERS, {
        name: existing.name,
        client_id: existing.client_id,
      });
      expect(Object.keys(both.body)).toEqual(['name', 'client_id']);
    });

    it('refuses taking another provider name or client id on update, allows keeping its own', async () => {
      const [a, b] = [await create(), await create()];
      const taken = await su().patch(item(b.pk), { name: a.name });
      expect(taken.status).toBe(400);
      expect(taken.body).toEqual({
        name: ['OAuth2/OpenID Provider with this name already exists.'],
      });
      const takenId = await su().put(item(b.pk), { name: b.name, client_id: a.client_id });
      expect(takenId.status).toBe(400);
      expect(takenId.body).toEqual({
        client_id: ['OAuth2/OpenID Provider with this client id already exists.'],
      });
      const own = await su().put(item(b.pk), { name: b.name, client_id: b.client_id });
      expect(own.status).toBe(200);
    });

    it('maps a unique violation that slips past the check to the same 400', async () => {
      // Two concurrent creates of one name: the database constraint decides, never a 500.
      const name = unique('race');
      const results = await Promise.all(
        Array.from({ length: 4 }, () => su().post(PROVIDERS, { name })),
      );
      const statuses = results.map((res) => res.status).sort();
      expect(statuses).toEqual([201, 400, 400, 400]);
      for (const res of results.filter((r) => r.status === 400)) {
        expect(res.body).toEqual({
          name: ['OAuth2/OpenID Provider with this name already exists.'],
        });
      }
    });
  });

  describe('mass assignment', () => {
    it('ignores read-only fields on create', async () => {
      const res = await su().post(PROVIDERS, {
        name: unique('mass'),
        pk: 987654,
        id: 987654,
        component: 'evil',
        assigned_application_slug: 'evil',
        assigned_application_name: 'Evil',
        assigned_backchannel_application_slug: 'evil',
        verbose_name: 'evil',
        meta_model_name: 'evil',
        backchannel_application: '00000000-0000-0000-0000-000000000001',
        backchannel_application_id: '00000000-0000-0000-0000-000000000001',
      });
      expect(res.status).toBe(201);
      expect(res.body.pk).not.toBe(987654);
      expect(res.body).toMatchObject({
        component: 'ak-provider-oauth2-form',
        assigned_application_slug: null,
        assigned_application_name: null,
        assigned_backchannel_application_slug: null,
        verbose_name: 'OAuth2/OpenID Provider',
        meta_model_name: 'authentik_providers_oauth2.oauth2provider',
      });
      expect(await rowCount('oauth2_providers WHERE id = 987654')).toBe(0);
    });

    it('ignores read-only fields on update', async () => {
      const created = await create();
      const app = await t.fixtures.application({ slug: unique('mass-app') });
      const res = await su().patch(item(created.pk), {
        pk: 987655,
        assigned_application_slug: 'evil',
        backchannel_application_id: app,
        backchannel_application: app,
      });
      expect(res.status).toBe(200);
      expect(res.body).toEqual(created);
      const [row] = await t.fixtures.db.query(
        'SELECT backchannel_application_id FROM oauth2_providers WHERE id = $1',
        [created.pk],
      );
      expect(row.backchannel_application_id).toBeNull();
    });
  });

  describe('list: filters, search, ordering', () => {
    let ids: Record<string, number>;
    const page = (query: Record<string, string>) =>
      su().get(PROVIDERS, { page_size: '100', ...query });
    /** The fixture providers among a page's results (other tests add their own). */
    const ours = (body: { results: { pk: number }[] }) =>
      pks(body).filter((pk) => Object.values(ids).includes(pk as number));

    beforeAll(async () => {
      ids = {};
      for (const [key, body] of Object.entries({
        alpha: {
          name: '~lst Alpha',
          client_id: '~lst-alpha',
          client_type: 'public',
          sub_mode: 'user_id',
        },
        beta: { name: '~lst Beta', client_id: '~lst-beta_client', issuer_mode: 'global' },
        gamma: {
          name: '~lst Gamma 100%',
          client_id: '~lst-gamma',
          sub_mode: 'user_id',
          issuer_mode: 'global',
        },
      })) {
        ids[key] = (await create(body)).pk;
      }
    });

    it('pages with the envelope', async () => {
      const res = await su().get(PROVIDERS, { page_size: '2', search: '~lst' });
      expect(res.status).toBe(200);
      expect(res.body.pagination).toEqual({
        next: 2,
        previous: 0,
        count: 3,
        current: 1,
        total_pages: 2,
        start_index: 1,
        end_index: 2,
      });
      const last = await su().get(PROVIDERS, { page_size: '2', search: '~lst', page: 'last' });
      expect(pks(last.body)).toEqual([ids.gamma]);
      const invalid = await su().get(PROVIDERS, { page: '9', search: '~lst' });
      expect(invalid.status).toBe(404);
      expect(invalid.body).toEqual({ detail: 'Invalid page.' });
    });

    it.each([
      [{ name: '~lst Beta' }, ['beta']],
      [{ name: '~lst beta' }, []],
      [{ client_id: '~lst-gamma' }, ['gamma']],
      [{ client_type: 'public' }, ['alpha']],
      [{ client_type: 'confidential' }, ['beta', 'gamma']],
      [{ issuer_mode: 'global' }, ['beta', 'gamma']],
      [{ sub_mode: 'user_id' }, ['alpha', 'gamma']],
      [{ sub_mode: 'user_id', issuer_mode: 'global' }, ['gamma']],
      [{ name: '', client_type: '' }, ['alpha', 'beta', 'gamma']],
      [{ search: 'ALPHA' }, ['alpha']],
      [{ search: 'beta_cl' }, ['beta']],
      [{ search: '_' }, ['beta']],
      [{ search: '100%' }, ['gamma']],
      [{ search: '%' }, ['gamma']],
      [{ search: '~LST-' }, ['alpha', 'beta', 'gamma']],
      [{ search: 'nothing-like-it' }, []],
    ])('filters %j', async (query, expected) => {
      const res = await page({ ordering: 'name', ...query });
      expect(res.status).toBe(200);
      expect(ours(res.body)).toEqual(expected.map((key) => ids[key]));
    });

    it.each([
      ['client_type', 'secret'],
      ['issuer_mode', 'nowhere'],
      ['sub_mode', 'nick'],
    ])('refuses an unknown %s choice', async (key, value) => {
      const res = await page({ [key]: value });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        [key]: [`Select a valid choice. ${value} is not one of the available choices.`],
      });
    });

    it('refuses NUL characters in filters and search', async () => {
      const name = await page({ name: 'a\u0000' });
      expect(name.status).toBe(400);
      expect(name.body).toEqual({ name: ['Null characters are not allowed.'] });
      const search = await page({ search: 'a\u0000' });
      expect(search.status).toBe(400);
      expect(search.body).toEqual(['Null characters are not allowed.']);
    });

    it.each([
      ['name', ['alpha', 'beta', 'gamma']],
      ['-name', ['gamma', 'beta', 'alpha']],
      ['pk', ['alpha', 'beta', 'gamma']],
      ['-pk', ['gamma', 'beta', 'alpha']],
      ['client_id,unknown', ['alpha', 'beta', 'gamma']],
      ['', ['alpha', 'beta', 'gamma']],
    ])('orders by %p', async (ordering, expected) => {
      const res = await page({ ordering, search: '~lst' });
      expect(pks(res.body)).toEqual(expected.map((key) => ids[key]));
    });

    it('orders by name by default, as PostgreSQL collates', async () => {
      const res = await page({});
      const expected = await t.fixtures.db.query(
        'SELECT id FROM oauth2_providers ORDER BY name, id LIMIT 100',
      );
      expect(pks(res.body)).toEqual(expected.map((row: { id: number }) => row.id));
    });

    it('needs a constant number of queries whatever the page holds', async () => {
      const count = async (size: string) => {
        t.queries.reset();
        expect((await page({ page_size: size })).status).toBe(200);
        return t.queries.count;
      };
      const one = await count('1');
      expect(await count('100')).toBe(one);
      // Caller, count, page.
      expect(one).toBe(3);
    });

    it('applies the filters and search to the detail routes too', async () => {
      expect((await su().get(item(ids.alpha!), { client_type: 'public' })).status).toBe(200);
      const filtered = await su().get(item(ids.alpha!), { client_type: 'confidential' });
      expect(filtered.status).toBe(404);
      expect(filtered.body).toEqual(NO_MATCH);
      expect((await su().patch(item(ids.alpha!), {}).query({ search: 'beta' })).status).toBe(404);
      expect((await su().delete(item(ids.alpha!)).query({ name: 'other' })).status).toBe(404);
      expect((await su().get(item(ids.alpha!))).status).toBe(200);
    });
  });

  describe('permissions', () => {
    let mine: number;
    let other: number;

    beforeAll(async () => {
      mine = (await create({ client_secret: 'mine-secret' })).pk;
      other = (await create({ client_secret: 'other-secret' })).pk;
    });

    const caller = (permissions: (string | [string, string])[] = []) =>
      t.fixtures.caller(permissions).then(({ auth }) => as(t, auth));

    it('refuses anonymous callers with 403 on every route', async () => {
      const anonymous = as(t);
      for (const res of [
        await anonymous.get(PROVIDERS),
        await anonymous.post(PROVIDERS, { name: unique('anon') }),
        await anonymous.get(item(mine)),
        await anonymous.put(item(mine), { name: 'x' }),
        await anonymous.patch(item(mine), { name: 'x' }),
        await anonymous.delete(item(mine)),
        await anonymous.get(`${item(mine)}used_by/`),
        await anonymous.post(item(mine)),
      ]) {
        expect(res.status).toBe(403);
        expect(res.body).toEqual(NOT_PROVIDED);
      }
      expect(await rowCount('oauth2_providers WHERE id = $1', [mine])).toBe(1);
    });

    it('shows a caller without permissions nothing: empty list, 404 on details, 403 on create', async () => {
      const plain = await caller();
      const list = await plain.get(PROVIDERS);
      expect(list.status).toBe(200);
      expect(list.body.pagination.count).toBe(0);
      for (const res of [
        await plain.get(item(mine)),
        await plain.patch(item(mine), { name: 'x' }),
        await plain.put(item(mine), { name: 'x' }),
        await plain.delete(item(mine)),
        await plain.get(`${item(mine)}used_by/`),
      ]) {
        expect(res.status).toBe(404);
        expect(res.body).toEqual(NO_MATCH);
      }
      const created = await plain.post(PROVIDERS, { name: unique('plain') });
      expect(created.status).toBe(403);
      expect(created.body).toEqual(DENIED);
    });

    it('refuses create without add before validating the body', async () => {
      const viewer = await caller([ProviderPerms.view]);
      const res = await viewer.post(PROVIDERS, { client_type: 'nope' });
      expect(res.status).toBe(403);
      expect(res.body).toEqual(DENIED);
    });

    it('shows everything with the secrets to a global viewer, who may not change or delete', async () => {
      const viewer = await caller([ProviderPerms.view]);
      const list = await viewer.get(PROVIDERS, { page_size: '100' });
      expect(list.body.pagination.count).toBe(await rowCount('oauth2_providers'));
      const one = await viewer.get(item(mine));
      expect(one.status).toBe(200);
      expect(one.body.client_secret).toBe('mine-secret');
      for (const res of [
        await viewer.patch(item(mine), { name: 'x' }),
        await viewer.put(item(mine), { name: 'x' }),
        await viewer.delete(item(mine)),
      ]) {
        expect(res.status).toBe(403);
        expect(res.body).toEqual(DENIED);
      }
      expect((await viewer.get(`${item(mine)}used_by/`)).status).toBe(200);
    });

    it('shows an object-level viewer that one provider only, with its secret', async () => {
      const viewer = await caller([[ProviderPerms.view, String(mine)]]);
      const list = await viewer.get(PROVIDERS);
      expect(pks(list.body)).toEqual([mine]);
      expect(list.body.results[0].client_secret).toBe('mine-secret');
      expect((await viewer.get(item(mine))).status).toBe(200);
      expect((await viewer.get(item(other))).body).toEqual(NO_MATCH);
      expect((await viewer.patch(item(mine), { name: 'x' })).body).toEqual(DENIED);
    });

    it('lets a global adder create; its answer follows the secret rule (no view: "")', async () => {
      const adder = await caller([ProviderPerms.add]);
      const res = await adder.post(PROVIDERS, { name: unique('added'), client_secret: 's' });
      expect(res.status).toBe(201);
      expect(res.body.client_secret).toBe('');
      const [row] = await t.fixtures.db.query(
        'SELECT client_secret FROM oauth2_providers WHERE id = $1',
        [res.body.pk],
      );
      expect(row.client_secret).toBe('s');
      expect((await adder.get(item(res.body.pk))).status).toBe(404);

      const adderViewer = await caller([ProviderPerms.add, ProviderPerms.view]);
      const seen = await adderViewer.post(PROVIDERS, { name: unique('added') });
      expect(seen.body.client_secret).toMatch(/^[A-Za-z0-9]{128}$/);
    });

    it('lets a global changer who can see a provider update it, not delete it', async () => {
      const changer = await caller([ProviderPerms.view, ProviderPerms.change]);
      const res = await changer.patch(item(mine), { redirect_uris: 'https://changed.example/cb' });
      expect(res.status).toBe(200);
      expect(res.body.redirect_uris).toBe('https://changed.example/cb');
      expect((await changer.delete(item(mine))).status).toBe(403);
    });

    it('answers 404, not 403, to a changer or deleter who cannot see the provider', async () => {
      const blind = await caller([ProviderPerms.change, ProviderPerms.delete]);
      for (const res of [
        await blind.patch(item(mine), { name: 'x' }),
        await blind.delete(item(mine)),
      ]) {
        expect(res.status).toBe(404);
        expect(res.body).toEqual(NO_MATCH);
      }
    });

    it('honours object-level change and delete on the one provider', async () => {
      const victim = (await create()).pk;
      const holder = await caller([
        [ProviderPerms.view, String(victim)],
        [ProviderPerms.change, String(victim)],
        [ProviderPerms.delete, String(victim)],
        [ProviderPerms.view, String(other)],
      ]);
      expect((await holder.patch(item(victim), { name: unique('renamed') })).status).toBe(200);
      expect((await holder.patch(item(other), { name: unique('renamed') })).status).toBe(403);
      expect((await holder.delete(item(other))).status).toBe(403);
      expect((await holder.delete(item(victim))).status).toBe(204);
    });

    it('lets a global deleter who can see providers delete them', async () => {
      const victim = (await create()).pk;
      const deleter = await caller([ProviderPerms.view, ProviderPerms.delete]);
      expect((await deleter.delete(item(victim))).status).toBe(204);
    });

    it('redacts the secret in the grants for callers without view_oauth2provider', async () => {
      const owner = await t.fixtures.caller();
      await t.fixtures.code({ user: owner.id, provider: mine });
      const res = await as(t, owner.auth).get(CODES);
      expect(res.body.results[0].provider.client_secret).toBe('');
      expect(
        (await su().get(CODES, { user: String(owner.id) })).body.results[0].provider.client_secret,
      ).toBe('mine-secret');
    });
  });

  describe('cascades and application fields', () => {
    it('deleting a provider deletes its grants and unassigns its application', async () => {
      const provider = (await create()).pk;
      const survivor = (await create()).pk;
      const user = await t.fixtures.user();
      const codes = [
        await t.fixtures.code({ user, provider }),
        await t.fixtures.code({ user, provider }),
      ];
      const kept = await t.fixtures.code({ user, provider: survivor });
      const slug = unique('cascade');
      await t.fixtures.application({ slug, provider });
      const before = await su().get(CODES, { user: String(user), ordering: 'pk' });
      expect(pks(before.body)).toEqual([...codes, kept]);

      expect((await su().delete(item(provider))).status).toBe(204);

      const after = await su().get(CODES, { user: String(user) });
      expect(pks(after.body)).toEqual([kept]);
      expect((await su().get(`${CODES}${codes[0]}/`)).status).toBe(404);
      const application = await su().get(`${APPLICATIONS}${slug}/`);
      expect(application.status).toBe(200);
      expect(application.body.provider).toBeNull();
      expect(application.body.provider_obj).toBeNull();
    });

    it('reports the application and backchannel application of a provider', async () => {
      const provider = (await create()).pk;
      const slug = unique('assigned');
      await t.fixtures.application({ name: 'Assigned App', slug, provider });
      const backchannel = await t.fixtures.application({ name: 'Sync App', slug: unique('sync') });
      await t.fixtures.db.query(
        'UPDATE oauth2_providers SET backchannel_application_id = $1 WHERE id = $2',
        [backchannel, provider],
      );
      const res = await su().get(item(provider));
      expect(res.body).toMatchObject({
        assigned_application_slug: slug,
        assigned_application_name: 'Assigned App',
        assigned_backchannel_application_slug: expect.stringMatching(/^sync-/),
        assigned_backchannel_application_name: 'Sync App',
      });
    });
  });

  describe('used_by', () => {
    it('lists the applications using the provider that the caller can see', async () => {
      const provider = (await create()).pk;
      expect((await su().get(`${item(provider)}used_by/`)).body).toEqual([]);
      const app = await t.fixtures.application({
        name: 'User App',
        slug: unique('used'),
        provider,
      });
      const res = await su().get(`${item(provider)}used_by/`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual([
        {
          app: 'authentik_core',
          model_name: 'application',
          pk: app,
          name: 'User App',
          action: 'set_null',
        },
      ]);
      const viewer = await t.fixtures.caller([ProviderPerms.view]);
      expect((await as(t, viewer.auth).get(`${item(provider)}used_by/`)).body).toEqual([]);
    });
  });

  describe('405', () => {
    it.each([
      ['put', PROVIDERS, 'PUT'],
      ['patch', PROVIDERS, 'PATCH'],
      ['delete', PROVIDERS, 'DELETE'],
      ['post', 'detail', 'POST'],
      ['post', 'used_by', 'POST'],
      ['delete', 'used_by', 'DELETE'],
    ] as const)('answers %s on %s with 405', async (method, where, name) => {
      const created = await create();
      const url =
        where === 'detail'
          ? item(created.pk)
          : where === 'used_by'
            ? `${item(created.pk)}used_by/`
            : where;
      const res = await su()[method](url);
      expect(res.status).toBe(405);
      expect(res.body).toEqual({ detail: `Method "${name}" not allowed.` });
    });
  });

  describe("authentik's generated client (@goauthentik/api 2024.8.3)", () => {
    let api: ProvidersApi;
    beforeAll(async () => {
      api = new ProvidersApi(await generatedClientConfig(t, admin.auth));
    });

    it('creates, reads, updates, lists and destroys', async () => {
      const created = await api.providersOauth2Create({
        oAuth2ProviderRequest: {
          name: unique('client'),
          authorizationFlow: UUID_1,
          invalidationFlow: UUID_2,
          clientType: 'public' as never,
          redirectUris: 'https://client.example/cb',
        },
      });
      expect(created.clientId).toMatch(/^[A-Za-z0-9]{40}$/);
      expect(created.authorizationFlow).toBe(UUID_1);
      expect(created.clientType).toBe('public');
      const patched = await api.providersOauth2PartialUpdate({
        id: created.pk,
        patchedOAuth2ProviderRequest: { accessCodeValidity: 'minutes=2' },
      });
      expect(patched.accessCodeValidity).toBe('minutes=2');
      const updated = await api.providersOauth2Update({
        id: created.pk,
        oAuth2ProviderRequest: {
          name: `${created.name}-updated`,
          authorizationFlow: UUID_1,
          invalidationFlow: UUID_2,
        },
      });
      expect(updated.name).toBe(`${created.name}-updated`);
      expect(updated.accessCodeValidity).toBe('minutes=2');
      const page = await api.providersOauth2List({ name: updated.name, ordering: 'pk' });
      expect(page.results.map((p) => p.pk)).toEqual([created.pk]);
      expect(await api.providersOauth2UsedByList({ id: created.pk })).toEqual([]);
      await api.providersOauth2Destroy({ id: created.pk });
      const error = await api.providersOauth2Retrieve({ id: created.pk }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ResponseError);
      expect((error as ResponseError).response.status).toBe(404);
    });

    it('reads exactly the keys we send, no more and no fewer', async () => {
      const created = await create({ redirect_uris: 'https://k.example/cb' });
      const raw = (await su().get(PROVIDERS, { name: created.name })).body;
      expect(keysRead(PaginatedOAuth2ProviderListFromJSON, raw)).toEqual(keysSent(raw));
      expect(keysRead(OAuth2ProviderFromJSON, created)).toEqual(keysSent(created));
    });
  });

  describe('OpenAPI', () => {
    it("documents the operations with authentik's ids and component names", async () => {
      const document = (await t.http.get('/api/v3/schema/')).body;
      const operations = Object.fromEntries(
        Object.entries(document.paths as Record<string, Record<string, { operationId: string }>>)
          .filter(([path]) => path.startsWith('/providers/oauth2/'))
          .flatMap(([path, methods]) =>
            Object.entries(methods).map(([method, op]) => [op.operationId, `${method} ${path}`]),
          ),
      );
      expect(operations).toEqual({
        providers_oauth2_list: 'get /providers/oauth2/',
        providers_oauth2_create: 'post /providers/oauth2/',
        providers_oauth2_retrieve: 'get /providers/oauth2/{id}/',
        providers_oauth2_update: 'put /providers/oauth2/{id}/',
        providers_oauth2_partial_update: 'patch /providers/oauth2/{id}/',
        providers_oauth2_destroy: 'delete /providers/oauth2/{id}/',
        providers_oauth2_used_by_list: 'get /providers/oauth2/{id}/used_by/',
      });
      const schemas = document.components.schemas;
      for (const name of [
        'OAuth2Provider',
        'OAuth2ProviderRequest',
        'PatchedOAuth2ProviderRequest',
        'PaginatedOAuth2ProviderList',
        'ClientTypeEnum',
        'SubModeEnum',
        'IssuerModeEnum',
      ]) {
        expect(schemas).toHaveProperty(name);
      }
      expect(schemas.OAuth2ProviderRequest.required).toEqual(['name']);
      expect(schemas.PatchedOAuth2ProviderRequest.required ?? []).toEqual([]);
      expect(Object.keys(schemas.OAuth2ProviderRequest.properties)).toEqual(
        PROVIDER_KEYS.filter(
          (key) =>
            ![
              'pk',
              'component',
              'assigned_application_slug',
              'assigned_application_name',
              'assigned_backchannel_application_slug',
              'assigned_backchannel_application_name',
              'verbose_name',
              'verbose_name_plural',
              'meta_model_name',
            ].includes(key),
        ),
      );
    });
  });
});
