/**
 * Contract §1 and §5 for access and refresh tokens: the item adds `id_token` and `revoked` after
 * `scope`, read back by authentik's generated client, @goauthentik/api 2024.8.3.
 */
import type { AddressInfo } from 'node:net';
import {
  Configuration,
  Oauth2Api,
  PaginatedTokenModelListFromJSON,
  TokenModelFromJSON,
} from '@goauthentik/api';
import { ACCESS_TOKENS } from '../../src/access-tokens/access-tokens.kind.js';
import { REFRESH_TOKENS } from '../../src/refresh-tokens/refresh-tokens.kind.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { keysRead, keysSent } from '../support/client-keys.js';

const CLAIMS = {
  // Stored in another order, with a null and extra claims: the answer orders and drops them.
  nonce: 'n-0S6_WzA2Mj',
  acr: null,
  iss: 'https://idp.example/application/o/grafana/',
  sub: 'f1e2d3',
  email: 'jürgen@example.com',
  aud: 'grafana',
  exp: 1900000000,
  iat: 1899996400,
  auth_time: 1899996000,
  amr: ['pwd'],
};
const EXPECTED_ID_TOKEN = [
  '{',
  '    "iss": "https://idp.example/application/o/grafana/",',
  '    "sub": "f1e2d3",',
  '    "aud": "grafana",',
  '    "exp": 1900000000,',
  '    "iat": 1899996400,',
  '    "auth_time": 1899996000,',
  '    "amr": [',
  '        "pwd"',
  '    ],',
  '    "nonce": "n-0S6_WzA2Mj",',
  '    "email": "j\\u00fcrgen@example.com"',
  '}',
].join('\n');

describe.each([ACCESS_TOKENS, REFRESH_TOKENS])('$modelName wire shape', (kind) => {
  const LIST = `/api/v3/${kind.routes.path}/`;
  let t: TestApp;
  let admin: string;
  let user: number;
  let provider: number;
  let token: number;

  beforeAll(async () => {
    t = await startTestApp();
    admin = (await t.fixtures.superCaller()).auth;
    user = await t.fixtures.user({ username: 'token-owner' });
    provider = await t.fixtures.provider();
    token = await t.fixtures.grant(kind, {
      user,
      provider,
      expires: '2031-01-01T00:00:00Z',
      scope: 'openid offline_access',
      idToken: CLAIMS,
      revoked: true,
    });
  });
  afterAll(() => t.close());

  const retrieve = async (id: number) =>
    (await t.http.get(`${LIST}${id}/`).set('Authorization', admin)).body;

  it('adds id_token and revoked after scope', async () => {
    const item = await retrieve(token);
    expect(Object.keys(item)).toEqual([
      'pk',
      'provider',
      'user',
      'is_expired',
      'expires',
      'scope',
      'id_token',
      'revoked',
    ]);
    expect(item.revoked).toBe(true);
    expect(item.scope).toEqual(['openid', 'offline_access']);
  });

  it('renders id_token as authentik does: ordered claims, 4-space JSON, nulls dropped', async () => {
    expect((await retrieve(token)).id_token).toBe(EXPECTED_ID_TOKEN);
  });

  it('renders a token without stored claims as an empty JSON object', async () => {
    const bare = await t.fixtures.grant(kind, { user, provider, idToken: null });
    expect((await retrieve(bare)).id_token).toBe('{}');
  });

  it('never sends the token value or its digest', async () => {
    const [row] = await t.fixtures.db.query(
      `SELECT encode(token_digest, 'hex') AS digest, nonce FROM ${kind.table} WHERE id = $1`,
      [token],
    );
    const body = JSON.stringify(await retrieve(token));
    expect(body).not.toContain(row.digest);
    expect(body).not.toContain(row.nonce);
  });

  it('uses the 404 body of its model', async () => {
    const res = await t.http.get(`${LIST}999999/`).set('Authorization', admin);
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ detail: `No ${kind.modelName} matches the given query.` });
  });

  describe("read by authentik's generated client", () => {
    let api: Oauth2Api;
    beforeAll(async () => {
      const server = t.app.getHttpServer();
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const basePath = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v3`;
      api = new Oauth2Api(new Configuration({ basePath, accessToken: admin.slice(7) }));
    });

    it('lists, retrieves and destroys through the generated operations', async () => {
      const isAccess = kind === ACCESS_TOKENS;
      const page = isAccess
        ? await api.oauth2AccessTokensList({ user, ordering: '-revoked' })
        : await api.oauth2RefreshTokensList({ user, ordering: '-revoked' });
      expect(page.results[0]!.pk).toBe(token);
      expect(page.results[0]!.idToken).toBe(EXPECTED_ID_TOKEN);
      const one = isAccess
        ? await api.oauth2AccessTokensRetrieve({ id: token })
        : await api.oauth2RefreshTokensRetrieve({ id: token });
      expect(one.revoked).toBe(true);
      const doomed = await t.fixtures.grant(kind, { user, provider });
      await (isAccess
        ? api.oauth2AccessTokensDestroy({ id: doomed })
        : api.oauth2RefreshTokensDestroy({ id: doomed }));
      const [{ count }] = await t.fixtures.db.query(
        `SELECT count(*)::int AS count FROM ${kind.table} WHERE id = $1`,
        [doomed],
      );
      expect(count).toBe(0);
    });

    it('reads exactly the keys we send, no more and no fewer', async () => {
      const raw = (await t.http.get(LIST).query({ user }).set('Authorization', admin)).body;
      expect(keysRead(PaginatedTokenModelListFromJSON, raw)).toEqual(keysSent(raw));
      const item = await retrieve(token);
      expect(keysRead(TokenModelFromJSON, item)).toEqual(keysSent(item));
    });
  });
});
