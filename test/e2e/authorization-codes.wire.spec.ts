/**
 * Contract §5: the exact item (keys, order, computed values, formats), checked against the seed's
 * example and read back by authentik's own generated client, @goauthentik/api 2024.8.3.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import {
  Configuration,
  ExpiringBaseGrantModelFromJSON,
  Oauth2Api,
  PaginatedExpiringBaseGrantModelListFromJSON,
  ResponseError,
} from '@goauthentik/api';
import { numPk } from '../../src/groups/group.mapper.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { keysRead, keysSent } from '../support/client-keys.js';

const LIST = '/api/v3/oauth2/authorization_codes/';
const example = JSON.parse(
  readFileSync(
    new URL('../fixtures/authorization-codes-list.example.json', import.meta.url),
    'utf8',
  ),
);
/** The seed page's example omits enum-typed fields; contract §5.1 places them here. */
const ENUM_KEYS_AFTER: Record<string, string> = {
  client_type: 'meta_model_name',
  sub_mode: 'redirect_uris',
  issuer_mode: 'sub_mode',
};
function withEnumKeys(keys: string[]): string[] {
  const result = [...keys];
  for (const [key, after] of Object.entries(ENUM_KEYS_AFTER))
    result.splice(result.indexOf(after) + 1, 0, key);
  return result;
}

describe('authorization code wire shape (§5)', () => {
  let t: TestApp;
  let admin: { id: number; auth: string };
  let user: number;
  let provider: number;
  let code: number;
  let parentGroup: string;
  let group: string;

  beforeAll(async () => {
    t = await startTestApp();
    admin = await t.fixtures.superCaller();
    provider = await t.fixtures.provider({
      name: 'Grafana',
      clientId: 'grafana',
      clientSecret: 's3cret',
      redirectUris: 'https://a.example/cb\nhttps://b.example/cb',
    });
    await t.fixtures.application({ name: 'Grafana App', slug: 'grafana', provider });
    const backchannel = await t.fixtures.application({ name: 'Sync', slug: 'sync' });
    await t.fixtures.db.query(
      'UPDATE oauth2_providers SET backchannel_application_id = $1 WHERE id = $2',
      [backchannel, provider],
    );
    parentGroup = await t.fixtures.group({ name: 'Staff' });
    group = await t.fixtures.group({ name: 'Ops', parent: parentGroup });
    await t.fixtures.db.query(`UPDATE groups SET attributes = '{"team": "ops"}' WHERE id = $1`, [
      group,
    ]);
    user = await t.fixtures.user({
      username: 'jdoe',
      name: 'Jane Doe',
      email: 'jane@example.com',
      attributes: { locale: 'en' },
      lastLogin: '2024-07-29T15:51:28.071123Z',
      groups: [group],
    });
    code = await t.fixtures.code({
      user,
      provider,
      expires: '2031-02-03T04:05:06Z',
      scope: 'openid email  profile',
    });
  });
  afterAll(() => t.close());

  const retrieve = async (id = code, auth = admin.auth) =>
    (await t.http.get(`${LIST}${id}/`).set('Authorization', auth)).body;

  it("sends exactly the seed example's keys, in its order", async () => {
    const res = await t.http.get(LIST).set('Authorization', admin.auth);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(Object.keys(res.body)).toEqual(Object.keys(example));
    const [row] = res.body.results;
    const [exampleRow] = example.results;
    expect(Object.keys(row)).toEqual(Object.keys(exampleRow));
    expect(Object.keys(row.provider)).toEqual(withEnumKeys(Object.keys(exampleRow.provider)));
    expect(Object.keys(row.user)).toEqual(Object.keys(exampleRow.user));
    expect(Object.keys(row.user.groups_obj[0])).toEqual(Object.keys(exampleRow.user.groups_obj[0]));
  });

  it('renders the item with its computed fields', async () => {
    const item = await retrieve();
    const [{ install_id: installId }] = await t.fixtures.db.query('SELECT install_id FROM install');
    const [{ uuid }] = await t.fixtures.db.query('SELECT uuid FROM users WHERE id = $1', [user]);
    expect(item).toEqual({
      pk: code,
      provider: {
        pk: provider,
        name: 'Grafana',
        authentication_flow: null,
        authorization_flow: null,
        invalidation_flow: null,
        property_mappings: [],
        component: 'ak-provider-oauth2-form',
        assigned_application_slug: 'grafana',
        assigned_application_name: 'Grafana App',
        assigned_backchannel_application_slug: 'sync',
        assigned_backchannel_application_name: 'Sync',
        verbose_name: 'OAuth2/OpenID Provider',
        verbose_name_plural: 'OAuth2/OpenID Providers',
        meta_model_name: 'authentik_providers_oauth2.oauth2provider',
        client_type: 'confidential',
        client_id: 'grafana',
        client_secret: 's3cret',
        access_code_validity: 'minutes=1',
        access_token_validity: 'hours=1',
        refresh_token_validity: 'days=30',
        include_claims_in_id_token: true,
        signing_key: null,
        encryption_key: null,
        redirect_uris: 'https://a.example/cb\nhttps://b.example/cb',
        sub_mode: 'hashed_user_id',
        issuer_mode: 'per_provider',
        jwks_sources: [],
      },
      user: {
        pk: user,
        username: 'jdoe',
        name: 'Jane Doe',
        is_active: true,
        last_login: '2024-07-29T15:51:28.071123Z',
        is_superuser: false,
        groups: [group],
        groups_obj: [
          {
            pk: group,
            num_pk: numPk(group),
            name: 'Ops',
            is_superuser: false,
            parent: parentGroup,
            parent_name: 'Staff',
            attributes: { team: 'ops' },
          },
        ],
        email: 'jane@example.com',
        avatar: expect.stringMatching(/^data:image\/svg\+xml;base64,/),
        attributes: { locale: 'en' },
        uid: createHash('sha256').update(`${user}-${installId}`).digest('hex'),
        path: 'users',
        type: 'internal',
        uuid,
      },
      is_expired: false,
      expires: '2031-02-03T04:05:06Z',
      scope: ['openid', 'email', 'profile'],
    });
  });

  it('computes num_pk from the first five digits of the uuid as a 128-bit integer', () => {
    expect(numPk('00000000-0000-0000-0000-000000000001')).toBe(1);
    expect(numPk('ffffffff-ffff-ffff-ffff-ffffffffffff')).toBe(34028);
    expect(numPk('3fa85f64-5717-4562-b3fc-2c963f66afa6')).toBe(
      Number(BigInt('0x3fa85f6457174562b3fc2c963f66afa6').toString().slice(0, 5)),
    );
  });

  it('draws the initials avatar from the name, without network access', async () => {
    const { avatar } = (await retrieve()).user;
    const svg = Buffer.from(avatar.split(',')[1], 'base64').toString('utf8');
    expect(svg).toContain('>JD</text>');
    expect(svg).not.toMatch(/https?:\/\/(?!www\.w3\.org)/);
  });

  it('keeps microseconds and prints them only when non-zero', async () => {
    const precise = await t.fixtures.code({
      user,
      provider,
      expires: '2031-02-03T04:05:06.000100Z',
    });
    expect((await retrieve(precise)).expires).toBe('2031-02-03T04:05:06.000100Z');
    const millis = await t.fixtures.code({ user, provider, expires: '2024-07-29T15:51:28.071Z' });
    expect((await retrieve(millis)).expires).toBe('2024-07-29T15:51:28.071000Z');
  });

  it('computes is_expired at response time from expiring and expires', async () => {
    const past = '2001-01-01T00:00:00Z';
    const expired = await t.fixtures.code({ user, provider, expires: past });
    const notExpiring = await t.fixtures.code({ user, provider, expires: past, expiring: false });
    const never = await t.fixtures.code({ user, provider, expires: null });
    expect((await retrieve(expired)).is_expired).toBe(true);
    expect((await retrieve(notExpiring)).is_expired).toBe(false);
    const nullExpiry = await retrieve(never);
    expect(nullExpiry.is_expired).toBe(false);
    expect(nullExpiry.expires).toBeNull();
  });

  it('renders an empty scope as []', async () => {
    const empty = await t.fixtures.code({ user, provider, scope: '' });
    expect((await retrieve(empty)).scope).toEqual([]);
  });

  it('computes is_superuser from the group ancestry of the nested user', async () => {
    const root = await t.fixtures.group({ isSuperuser: true });
    const boss = await t.fixtures.user({ groups: [await t.fixtures.group({ parent: root })] });
    const bossCode = await t.fixtures.code({ user: boss, provider });
    expect((await retrieve(bossCode)).user.is_superuser).toBe(true);
  });

  it('nulls the application fields of a provider no application uses', async () => {
    const lonely = await t.fixtures.provider();
    const item = await retrieve(await t.fixtures.code({ user, provider: lonely }));
    expect(item.provider).toMatchObject({
      assigned_application_slug: null,
      assigned_application_name: null,
      assigned_backchannel_application_slug: null,
      assigned_backchannel_application_name: null,
    });
  });

  it('never sends the code value, nonce, challenge or session', async () => {
    const res = await t.http.get(LIST).query({ page_size: 100 }).set('Authorization', admin.auth);
    const body = JSON.stringify(res.body);
    const [row] = await t.fixtures.db.query(
      "SELECT encode(code_digest, 'hex') AS digest, nonce FROM authorization_codes WHERE id = $1",
      [code],
    );
    expect(body).not.toContain(row.digest);
    expect(body).not.toContain(row.nonce);
    for (const key of [
      'code',
      'nonce',
      'code_challenge',
      'code_challenge_method',
      'session_id',
      'code_digest',
    ]) {
      expect(res.body.results[0]).not.toHaveProperty(key);
    }
  });

  it('answers without the trailing slash exactly as with it', async () => {
    const withSlash = await t.http.get(LIST).set('Authorization', admin.auth);
    const without = await t.http.get(LIST.slice(0, -1)).set('Authorization', admin.auth);
    expect(without.status).toBe(200);
    expect(without.body).toEqual(withSlash.body);
    const detail = await t.http.get(`${LIST}${code}`).set('Authorization', admin.auth);
    expect(detail.status).toBe(200);
    expect(detail.body.pk).toBe(code);
  });

  describe("read by authentik's generated client (@goauthentik/api 2024.8.3)", () => {
    let api: Oauth2Api;
    let basePath: string;
    beforeAll(async () => {
      const server = t.app.getHttpServer();
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      basePath = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v3`;
      api = new Oauth2Api(
        new Configuration({ basePath, accessToken: admin.auth.slice('Bearer '.length) }),
      );
    });

    it('lists, retrieves and reads every field', async () => {
      const page = await api.oauth2AuthorizationCodesList({ user, pageSize: 100, ordering: 'pk' });
      expect(page.pagination.count).toBeGreaterThan(0);
      const first = page.results.find((r) => r.pk === code)!;
      expect(first.provider.clientType).toBe('confidential');
      expect(first.user.username).toBe('jdoe');
      expect(first.user.groupsObj?.[0]?.parentName).toBe('Staff');
      expect(first.expires).toEqual(new Date('2031-02-03T04:05:06Z'));
      expect(first.user.lastLogin).toEqual(new Date('2024-07-29T15:51:28.071Z'));
      const one = await api.oauth2AuthorizationCodesRetrieve({ id: code });
      expect(one.scope).toEqual(['openid', 'email', 'profile']);
      expect(await api.oauth2AuthorizationCodesUsedByList({ id: code })).toEqual([]);
    });

    it('reads exactly the keys we send, no more and no fewer', async () => {
      const raw = (await t.http.get(LIST).query({ user }).set('Authorization', admin.auth)).body;
      expect(keysRead(PaginatedExpiringBaseGrantModelListFromJSON, raw)).toEqual(keysSent(raw));
      const item = await retrieve();
      expect(keysRead(ExpiringBaseGrantModelFromJSON, item)).toEqual(keysSent(item));
    });

    it('destroys, and surfaces our 404 body as a ResponseError', async () => {
      const doomed = await t.fixtures.code({ user, provider });
      await api.oauth2AuthorizationCodesDestroy({ id: doomed });
      const error = await api
        .oauth2AuthorizationCodesRetrieve({ id: doomed })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ResponseError);
      expect((error as ResponseError).response.status).toBe(404);
      expect(await (error as ResponseError).response.json()).toEqual({
        detail: 'No AuthorizationCode matches the given query.',
      });
    });

    it('passes its filters and search through', async () => {
      const page = await api.oauth2AuthorizationCodesList({ provider, search: 'JDOE', page: 1 });
      expect(page.results.every((r) => r.provider.pk === provider && r.user.pk === user)).toBe(
        true,
      );
      const none = await api.oauth2AuthorizationCodesList({ search: 'nobody-at-all' });
      expect(none.pagination).toEqual({
        next: 0,
        previous: 0,
        count: 0,
        current: 1,
        totalPages: 1,
        startIndex: 0,
        endIndex: 0,
      });
    });
  });
});
