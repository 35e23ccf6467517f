/**
 * Issue 9, the happy path: openid-client (the relying party) against the engine at authentik's
 * paths, signing in through the sign-in page over HTTP, on real PostgreSQL and both adapters; and
 * the admin API agreeing with what the flow issued.
 */
import { sha256 } from '../../src/common/crypto/digest.js';
import type { SubMode } from '../../src/oauth2-providers/oauth2-provider.entity.js';
import { userUid } from '../../src/users/user.mapper.js';
import { startTestApp, type TestApp } from '../support/app.js';
import {
  authorizationUrl,
  client,
  CookieJar,
  createOidcApplication,
  createSignInUser,
  discoveryUrl,
  issuerOf,
  listen,
  pkce,
  relyingParty,
  signIn,
  type OidcApplication,
  type SignInUser,
} from '../support/oidc-client.js';
import { registerDigest, registerSecret } from '../support/secret-registry.js';

const CODES = '/api/v3/oauth2/authorization_codes/';
const ACCESS_TOKENS = '/api/v3/oauth2/access_tokens/';
const REFRESH_TOKENS = '/api/v3/oauth2/refresh_tokens/';

describe('OAuth2/OIDC flow with openid-client', () => {
  let t: TestApp;
  let base: string;
  let admin: string;
  let user: SignInUser;
  let installId: string;

  beforeAll(async () => {
    t = await startTestApp();
    base = await listen(t);
    admin = (await t.fixtures.superCaller()).auth;
    const group = await t.fixtures.group({ name: 'rp-readers' });
    user = await createSignInUser(t, { groups: [group], attributes: { upn: 'someone@corp.test' } });
    [{ install_id: installId }] = await t.fixtures.db.query('SELECT install_id FROM install');
  });
  afterAll(() => t.close());

  /** Tokens are secrets: the log check fails the file if one ever shows up in a log line. */
  function secret<T extends { access_token: string; refresh_token?: string; id_token?: string }>(
    tokens: T,
  ): T {
    for (const [what, value] of Object.entries(tokens)) {
      if (typeof value === 'string' && what.endsWith('token')) {
        registerSecret(`OIDC ${what}`, value);
        if (what !== 'id_token') registerDigest(`OIDC ${what} digest`, sha256(value));
      }
    }
    return tokens;
  }

  /** Authorization code + PKCE through the sign-in page, then the token exchange. */
  async function codeFlow(
    app: OidcApplication,
    auth: 'basic' | 'post' | 'none',
    scope = 'openid profile email',
  ) {
    const rp = await relyingParty(app, base, auth);
    const checks = await pkce();
    const callback = await signIn(authorizationUrl(rp, app, checks, { scope }), user);
    registerSecret('authorization code', callback.searchParams.get('code'));
    const tokens = secret(
      await client.authorizationCodeGrant(rp, callback, {
        pkceCodeVerifier: checks.verifier,
        expectedState: checks.state,
        expectedNonce: checks.nonce,
        idTokenExpected: scope.includes('openid'),
      }),
    );
    return { rp, tokens, callback, verifier: checks.verifier };
  }

  const list = (path: string, providerId: number) =>
    t.http
      .get(path)
      .query({ provider: String(providerId), ordering: 'pk' })
      .set('Authorization', admin);

  describe('discovery', () => {
    it('serves per_provider metadata at the slug with authentik’s endpoints', async () => {
      const app = await createOidcApplication(t);
      const response = await fetch(discoveryUrl(app, base));
      expect(response.status).toBe(200);
      const metadata = (await response.json()) as Record<string, unknown>;
      expect(metadata).toMatchObject({
        issuer: `${base}/application/o/${app.slug}/`,
        authorization_endpoint: `${base}/application/o/authorize/`,
        token_endpoint: `${base}/application/o/token/`,
        userinfo_endpoint: `${base}/application/o/userinfo/`,
        revocation_endpoint: `${base}/application/o/revoke/`,
        introspection_endpoint: `${base}/application/o/introspect/`,
        jwks_uri: `${base}/application/o/${app.slug}/jwks/`,
        end_session_endpoint: `${base}/application/o/${app.slug}/end-session/`,
        id_token_signing_alg_values_supported: ['RS256'],
        code_challenge_methods_supported: ['S256'],
      });
      expect(metadata.scopes_supported).toEqual(
        expect.arrayContaining(['openid', 'profile', 'email', 'offline_access']),
      );
      // Our security headers apply to the engine's answers too.
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      // openid-client checks the issuer against the URL it discovered from.
      const rp = await relyingParty(app, base, 'basic');
      expect(rp.serverMetadata().issuer).toBe(issuerOf(app, base));
    });

    it('gives a global issuer the shared /application/o/ issuer', async () => {
      const app = await createOidcApplication(t, { issuerMode: 'global' });
      const metadata = (await (await fetch(discoveryUrl(app, base))).json()) as Record<
        string,
        unknown
      >;
      expect(metadata.issuer).toBe(`${base}/application/o/`);
      expect(metadata.jwks_uri).toBe(`${base}/application/o/${app.slug}/jwks/`);
    });

    it('ignores X-Forwarded-Proto from a peer TRUST_PROXY does not name', async () => {
      const app = await createOidcApplication(t);
      const response = await fetch(discoveryUrl(app, base), {
        headers: { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'evil.test' },
      });
      expect(((await response.json()) as { issuer: string }).issuer).toBe(issuerOf(app, base));
    });

    it('answers an unknown slug with the JSON 404', async () => {
      const response = await fetch(
        `${base}/application/o/no-such-app/.well-known/openid-configuration`,
      );
      expect(response.status).toBe(404);
      expect(await response.json()).toEqual({ detail: 'Not found.' });
    });
  });

  describe('authorization code with PKCE', () => {
    it('signs in, exchanges the code (client_secret_basic) and validates the RS256 ID token', async () => {
      const app = await createOidcApplication(t);
      const { rp, tokens } = await codeFlow(app, 'basic');
      const claims = tokens.claims()!;
      expect(claims).toMatchObject({
        iss: issuerOf(app, base),
        aud: app.clientId,
        sub: userUid(user.id, installId),
        preferred_username: user.username,
        email: `${user.username}@example.com`,
        email_verified: true,
        groups: ['rp-readers'],
      });
      const header = JSON.parse(
        Buffer.from(tokens.id_token!.split('.')[0]!, 'base64url').toString(),
      );
      expect(header.alg).toBe('RS256');
      expect(tokens.refresh_token).toBeUndefined();
      const info = await client.fetchUserInfo(rp, tokens.access_token, claims.sub);
      expect(info).toMatchObject({
        sub: userUid(user.id, installId),
        name: `Name of ${user.username}`,
        given_name: `Name of ${user.username}`,
        nickname: user.username,
        email_verified: true,
      });
    });

    it('exchanges with client_secret_post', async () => {
      const app = await createOidcApplication(t);
      const { tokens } = await codeFlow(app, 'post');
      expect(tokens.token_type.toLowerCase()).toBe('bearer');
      expect(tokens.claims()?.aud).toBe(app.clientId);
    });

    it('lets a public client exchange with PKCE alone, and signs with ES256 when asked', async () => {
      const [{ id: es256 }] = await t.fixtures.db.query(
        `SELECT id FROM certificate_key_pairs WHERE algorithm = 'ES256' ORDER BY created_at LIMIT 1`,
      );
      const app = await createOidcApplication(t, { clientType: 'public', signingKey: es256 });
      const metadata = (await (await fetch(discoveryUrl(app, base))).json()) as Record<
        string,
        unknown
      >;
      expect(metadata.id_token_signing_alg_values_supported).toEqual(['ES256']);
      const { tokens } = await codeFlow(app, 'none');
      const header = JSON.parse(
        Buffer.from(tokens.id_token!.split('.')[0]!, 'base64url').toString(),
      );
      expect(header.alg).toBe('ES256');
      expect(tokens.claims()?.sub).toBe(userUid(user.id, installId));
    });

    it.each<[SubMode, () => string]>([
      ['user_id', () => String(user.id)],
      ['user_username', () => user.username],
      ['user_email', () => `${user.username}@example.com`],
      ['user_upn', () => 'someone@corp.test'],
    ])('sets sub per sub_mode %s', async (subMode, expected) => {
      const app = await createOidcApplication(t, { subMode });
      const { rp, tokens } = await codeFlow(app, 'basic');
      expect(tokens.claims()?.sub).toBe(expected());
      expect((await client.fetchUserInfo(rp, tokens.access_token, expected())).sub).toBe(
        expected(),
      );
    });

    it('sets sub to the user uuid for user_uuid', async () => {
      const [{ uuid }] = await t.fixtures.db.query('SELECT uuid FROM users WHERE id = $1', [
        user.id,
      ]);
      const app = await createOidcApplication(t, { subMode: 'user_uuid' });
      const { tokens } = await codeFlow(app, 'basic');
      expect(tokens.claims()?.sub).toBe(uuid);
    });

    it('releases only the claims of the scopes asked for', async () => {
      const app = await createOidcApplication(t, { includeClaimsInIdToken: false });
      const { rp, tokens } = await codeFlow(app, 'basic', 'openid email');
      const claims = tokens.claims()!;
      // include_claims_in_id_token off: the scope's claims at userinfo only.
      expect(claims.email).toBeUndefined();
      const info = await client.fetchUserInfo(rp, tokens.access_token, claims.sub);
      expect(info.email).toBe(`${user.username}@example.com`);
      expect(info.preferred_username).toBeUndefined();
      expect(info.groups).toBeUndefined();
    });
  });

  describe('sessions and registrations', () => {
    /** Follows same-origin redirects with `jar`; the pages passed through and the way out. */
    async function follow(start: URL, jar: CookieJar) {
      const pages: string[] = [];
      let url = start;
      for (let hop = 0; hop < 10; hop++) {
        const response = await fetch(url, {
          redirect: 'manual',
          headers: { cookie: jar.header() },
        });
        jar.store(response);
        pages.push(`${response.status} ${url.pathname}`);
        const location = response.headers.get('location');
        if (!location) return { pages, exit: null };
        const next = new URL(location, url);
        if (next.origin !== start.origin) return { pages, exit: next };
        url = next;
      }
      throw new Error(`too many redirects: ${pages.join(', ')}`);
    }

    it('signs a user in to a second application without asking again (single sign-on)', async () => {
      const first = await createOidcApplication(t);
      const second = await createOidcApplication(t);
      const jar = new CookieJar();
      const firstRp = await relyingParty(first, base, 'basic');
      const firstChecks = await pkce();
      await signIn(authorizationUrl(firstRp, first, firstChecks), user, jar);

      const rp = await relyingParty(second, base, 'basic');
      const checks = await pkce();
      const { pages, exit } = await follow(authorizationUrl(rp, second, checks), jar);
      // Straight back to the second application, the sign-in page never shown.
      expect(pages.some((page) => page.includes('/if/flow/sign-in/'))).toBe(false);
      expect(exit?.origin + exit!.pathname).toBe(second.redirectUri);
      registerSecret('authorization code', exit!.searchParams.get('code'));
      const tokens = secret(
        await client.authorizationCodeGrant(rp, exit!, {
          pkceCodeVerifier: checks.verifier,
          expectedState: checks.state,
          expectedNonce: checks.nonce,
        }),
      );
      expect(tokens.claims()).toMatchObject({
        aud: second.clientId,
        sub: userUid(user.id, installId),
      });
    });

    it('asks a browser without a session to sign in', async () => {
      const app = await createOidcApplication(t);
      const rp = await relyingParty(app, base, 'basic');
      const { pages, exit } = await follow(
        authorizationUrl(rp, app, await pkce()),
        new CookieJar(),
      );
      expect(exit).toBeNull();
      expect(pages.at(-1)).toMatch(/^200 \/if\/flow\/sign-in\//);
    });

    it('accepts redirect URIs on several hosts, each matched exactly', async () => {
      const app = await createOidcApplication(t, {
        redirectUris: 'https://one.example.test/cb\nhttps://two.example.test:8443/cb',
      });
      for (const redirectUri of [
        'https://one.example.test/cb',
        'https://two.example.test:8443/cb',
      ]) {
        const rp = await relyingParty(app, base, 'basic');
        const checks = await pkce();
        const callback = await signIn(authorizationUrl(rp, { redirectUri }, checks), user);
        expect(callback.origin + callback.pathname).toBe(redirectUri);
        registerSecret('authorization code', callback.searchParams.get('code'));
        const tokens = secret(
          await client.authorizationCodeGrant(rp, callback, {
            pkceCodeVerifier: checks.verifier,
            expectedState: checks.state,
            expectedNonce: checks.nonce,
          }),
        );
        expect(tokens.claims()?.sub).toBe(userUid(user.id, installId));
      }
    });
  });

  describe('refresh, revocation, introspection, end-session', () => {
    it('rotates refresh tokens: the old one then fails', async () => {
      const app = await createOidcApplication(t);
      const { rp, tokens } = await codeFlow(app, 'basic', 'openid offline_access');
      expect(tokens.refresh_token).toEqual(expect.any(String));
      const refreshed = secret(await client.refreshTokenGrant(rp, tokens.refresh_token!));
      expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
      expect(refreshed.claims()?.sub).toBe(tokens.claims()?.sub);
      await expect(client.refreshTokenGrant(rp, tokens.refresh_token!)).rejects.toMatchObject({
        error: 'invalid_grant',
      });
      // Reuse of a rotated token revokes the grant: the newer one is unusable too.
      await expect(client.refreshTokenGrant(rp, refreshed.refresh_token!)).rejects.toMatchObject({
        error: 'invalid_grant',
      });
    });

    it('introspects a token as active, then inactive after the revocation endpoint', async () => {
      const app = await createOidcApplication(t);
      const { rp, tokens } = await codeFlow(app, 'basic', 'openid offline_access');
      const active = await client.tokenIntrospection(rp, tokens.access_token);
      expect(active).toMatchObject({
        active: true,
        client_id: app.clientId,
        scope: expect.any(String),
      });
      await client.tokenRevocation(rp, tokens.access_token);
      expect((await client.tokenIntrospection(rp, tokens.access_token)).active).toBe(false);
      await client.tokenRevocation(rp, tokens.refresh_token!);
      await expect(client.refreshTokenGrant(rp, tokens.refresh_token!)).rejects.toMatchObject({
        error: 'invalid_grant',
      });
    });

    it('serves the JWKS and the end-session page per slug', async () => {
      const app = await createOidcApplication(t);
      const jwks = (await (await fetch(`${base}/application/o/${app.slug}/jwks/`)).json()) as {
        keys: Record<string, unknown>[];
      };
      expect(jwks.keys).toHaveLength(1);
      expect(jwks.keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' });
      expect(jwks.keys[0].d).toBeUndefined();
      const { rp, tokens } = await codeFlow(app, 'basic');
      const endSession = client.buildEndSessionUrl(rp, { id_token_hint: tokens.id_token! });
      expect(endSession.pathname).toBe(`/application/o/${app.slug}/end-session/`);
      const response = await fetch(endSession);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    });
  });

  describe('the front door', () => {
    const form = (body: Record<string, string>, headers: Record<string, string> = {}) => ({
      method: 'POST',
      redirect: 'manual' as const,
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams(body).toString(),
    });
    const noStack = (text: string) => expect(text).not.toMatch(/\bat .+\.(js|ts):\d+/);

    it('answers an unknown client at /authorize with the engine’s invalid_client page', async () => {
      const response = await fetch(
        `${base}/application/o/authorize/?client_id=nobody&response_type=code&scope=openid&redirect_uri=https%3A%2F%2Fx.test%2F`,
        { redirect: 'manual' },
      );
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toMatch(/^text\/html/);
      const html = await response.text();
      expect(html).toContain('invalid_client');
      noStack(html);
    });

    it('answers an unknown client at the token endpoint with invalid_client', async () => {
      const basic = Buffer.from('nobody:nothing').toString('base64');
      for (const init of [
        form(
          { grant_type: 'authorization_code', code: 'x', redirect_uri: 'https://x.test/' },
          {
            authorization: `Basic ${basic}`,
          },
        ),
        form({
          grant_type: 'refresh_token',
          refresh_token: 'x',
          client_id: 'nobody',
          client_secret: 'y',
        }),
      ]) {
        const response = await fetch(`${base}/application/o/token/`, init);
        expect(response.status).toBe(401);
        expect(await response.json()).toMatchObject({ error: 'invalid_client' });
      }
      const introspect = await fetch(
        `${base}/application/o/introspect/`,
        form({ token: 'x' }, { authorization: `Basic ${basic}` }),
      );
      expect(introspect.status).toBe(401);
    });

    it('answers an unknown bearer token at userinfo with invalid_token', async () => {
      const response = await fetch(`${base}/application/o/userinfo/`, {
        headers: { authorization: 'Bearer not-a-token' },
      });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toMatch(/invalid_token/);
    });

    it('answers an unknown interaction uid with the engine’s error page, not a 500', async () => {
      const response = await fetch(`${base}/application/o/authorize/no-such-uid`, {
        redirect: 'manual',
      });
      expect(response.status).toBe(400);
      noStack(await response.text());
    });

    it('refuses a body over BODY_LIMIT_BYTES with our 413 before reading it all', async () => {
      const response = await fetch(
        `${base}/application/o/token/`,
        form({ grant_type: 'authorization_code', code: 'x'.repeat(1024 * 1024 + 1) }),
      );
      expect(response.status).toBe(413);
      expect(await response.json()).toEqual({ detail: 'Request body is too large.' });
    });

    it('leaves other paths under /application/o/ to the JSON 404', async () => {
      for (const path of [
        '/application/o/',
        '/application/o/x/y/z/',
        '/application/o/x/jwks/extra/',
      ]) {
        const response = await fetch(`${base}${path}`);
        expect(response.status).toBe(404);
        expect(await response.json()).toEqual({ detail: 'Not found.' });
      }
    });

    it('answers a method a route does not take with the JSON 405', async () => {
      const app = await createOidcApplication(t);
      const post = await fetch(
        `${base}/application/o/authorize/`,
        form({ client_id: app.clientId }),
      );
      expect(post.status).toBe(405);
      expect(post.headers.get('allow')).toBe('GET, HEAD');
      expect(await post.json()).toEqual({ detail: 'Method "POST" not allowed.' });
      const get = await fetch(`${base}/application/o/token/`);
      expect(get.status).toBe(405);
      expect(get.headers.get('allow')).toBe('POST, OPTIONS');
    });

    it('applies an admin’s change of redirect_uris at once', async () => {
      const app = await createOidcApplication(t);
      const rp = await relyingParty(app, base, 'basic');
      const checks = await pkce();
      const other = 'https://rp.example.test/elsewhere';
      const url = authorizationUrl(rp, { redirectUri: other }, checks);
      const refused = await fetch(url, { redirect: 'manual' });
      expect(refused.status).toBe(400);
      expect(await refused.text()).toContain('redirect_uri');
      await t.fixtures.db.query('UPDATE oauth2_providers SET redirect_uris = $1 WHERE id = $2', [
        `${app.redirectUri}\n${other}`,
        app.providerId,
      ]);
      const callback = await signIn(url, user);
      expect(`${callback.origin}${callback.pathname}`).toBe(other);
      expect(callback.searchParams.get('state')).toBe(checks.state);
      registerSecret('authorization code', callback.searchParams.get('code'));
    });

    it('stops honouring the tokens of a user deactivated since', async () => {
      const app = await createOidcApplication(t);
      const other = await createSignInUser(t);
      const rp = await relyingParty(app, base, 'basic');
      const checks = await pkce();
      const callback = await signIn(authorizationUrl(rp, app, checks), other);
      const tokens = secret(
        await client.authorizationCodeGrant(rp, callback, {
          pkceCodeVerifier: checks.verifier,
          expectedState: checks.state,
          expectedNonce: checks.nonce,
        }),
      );
      await t.fixtures.db.query('UPDATE users SET is_active = false WHERE id = $1', [other.id]);
      expect((await client.tokenIntrospection(rp, tokens.access_token)).active).toBe(false);
      const response = await fetch(`${base}/application/o/userinfo/`, {
        headers: { authorization: `Bearer ${tokens.access_token}` },
      });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toMatch(/invalid_token/);
    });
  });

  describe('the admin API agrees with the flow', () => {
    it('lists the code between authorize and exchange, then the issued tokens', async () => {
      const app = await createOidcApplication(t, {
        accessTokenValidity: 'minutes=30',
        refreshTokenValidity: 'days=2',
      });
      const rp = await relyingParty(app, base, 'basic');
      const checks = await pkce();
      const callback = await signIn(
        authorizationUrl(rp, app, checks, { scope: 'openid profile offline_access' }),
        user,
      );
      const code = callback.searchParams.get('code')!;
      registerSecret('authorization code', code);
      const page = (await list(CODES, app.providerId).expect(200)).body;
      const listed = page.results;
      expect(listed).toHaveLength(1);
      // The trigger-kept counters saw the engine's INSERT.
      expect(page.pagination.count).toBe(1);
      expect(listed[0]).toMatchObject({
        user: { pk: user.id, username: user.username },
        provider: { pk: app.providerId },
        scope: expect.arrayContaining(['openid', 'profile', 'offline_access']),
      });
      const [{ digest }] = await t.fixtures.db.query(
        'SELECT code_digest AS digest FROM authorization_codes WHERE provider_id = $1',
        [app.providerId],
      );
      expect(digest).toEqual(sha256(code));

      const before = Date.now();
      const tokens = secret(
        await client.authorizationCodeGrant(rp, callback, {
          pkceCodeVerifier: checks.verifier,
          expectedState: checks.state,
          expectedNonce: checks.nonce,
        }),
      );
      const after = (await list(CODES, app.providerId).expect(200)).body;
      expect(after.results).toEqual([]);
      expect(after.pagination.count).toBe(0);

      const [access] = (await list(ACCESS_TOKENS, app.providerId).expect(200)).body.results;
      const [refresh] = (await list(REFRESH_TOKENS, app.providerId).expect(200)).body.results;
      for (const [item, seconds] of [
        [access, 30 * 60],
        [refresh, 2 * 86_400],
      ] as const) {
        expect(item).toMatchObject({
          user: { pk: user.id },
          provider: { pk: app.providerId },
          scope: expect.arrayContaining(['openid', 'profile', 'offline_access']),
          revoked: false,
        });
        const expires = new Date(item.expires).getTime();
        expect(expires).toBeGreaterThanOrEqual(before + seconds * 1000 - 2000);
        expect(expires).toBeLessThanOrEqual(Date.now() + seconds * 1000 + 2000);
        // The ID token's claims, as authentik lists them with the token.
        expect(JSON.parse(item.id_token)).toMatchObject({
          sub: tokens.claims()!.sub,
          aud: app.clientId,
          nonce: checks.nonce,
        });
      }
      const rows = await t.fixtures.db.query(
        `SELECT token_digest AS digest, grant_id, engine_payload FROM access_tokens WHERE provider_id = $1`,
        [app.providerId],
      );
      expect(rows).toHaveLength(1);
      expect(rows[0].digest).toEqual(sha256(tokens.access_token));
      expect(rows[0].grant_id).toEqual(expect.any(String));
      expect(JSON.stringify(rows[0].engine_payload)).not.toContain(tokens.access_token);
    });

    it('DELETE through the admin API makes introspection inactive and refresh unusable', async () => {
      const app = await createOidcApplication(t);
      const { rp, tokens } = await codeFlow(app, 'basic', 'openid offline_access');
      expect((await client.tokenIntrospection(rp, tokens.access_token)).active).toBe(true);
      const [access] = (await list(ACCESS_TOKENS, app.providerId).expect(200)).body.results;
      const [refresh] = (await list(REFRESH_TOKENS, app.providerId).expect(200)).body.results;
      await t.http.delete(`${ACCESS_TOKENS}${access.pk}/`).set('Authorization', admin).expect(204);
      await t.http
        .delete(`${REFRESH_TOKENS}${refresh.pk}/`)
        .set('Authorization', admin)
        .expect(204);
      expect((await client.tokenIntrospection(rp, tokens.access_token)).active).toBe(false);
      await expect(client.refreshTokenGrant(rp, tokens.refresh_token!)).rejects.toMatchObject({
        error: 'invalid_grant',
      });
    });

    it('revoke_grants makes the refresh token fail', async () => {
      const app = await createOidcApplication(t);
      const { rp, tokens } = await codeFlow(app, 'post', 'openid offline_access');
      await t.http
        .post('/api/v3/oauth2/revoke_grants/')
        .set('Authorization', admin)
        .send({ user: user.id, provider: app.providerId })
        .expect(200);
      await expect(client.refreshTokenGrant(rp, tokens.refresh_token!)).rejects.toMatchObject({
        error: 'invalid_grant',
      });
      expect((await client.tokenIntrospection(rp, tokens.access_token)).active).toBe(false);
    });

    it('refuses a replayed code and makes the first exchange’s access token inactive', async () => {
      const app = await createOidcApplication(t);
      const { rp, tokens, callback, verifier } = await codeFlow(
        app,
        'basic',
        'openid offline_access',
      );
      expect((await client.tokenIntrospection(rp, tokens.access_token)).active).toBe(true);
      const replay = await fetch(`${base}/application/o/token/`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from(`${app.clientId}:${app.clientSecret}`).toString('base64')}`,
        },
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          code: callback.searchParams.get('code')!,
          redirect_uri: app.redirectUri,
          code_verifier: verifier,
        }),
      });
      expect(replay.status).toBe(400);
      expect(((await replay.json()) as { error: string }).error).toBe('invalid_grant');
      expect((await client.tokenIntrospection(rp, tokens.access_token)).active).toBe(false);
      await expect(client.refreshTokenGrant(rp, tokens.refresh_token!)).rejects.toMatchObject({
        error: 'invalid_grant',
      });
    });
  });

  describe('with PUBLIC_URL', () => {
    let other: TestApp;
    beforeAll(async () => {
      other = await startTestApp({ publicUrl: 'https://sso.example.test' });
    });
    afterAll(() => other.close());

    it('builds the issuer and every endpoint on it, whatever Host the request names', async () => {
      const otherBase = await listen(other);
      const app = await createOidcApplication(other);
      const metadata = (await (await fetch(discoveryUrl(app, otherBase))).json()) as Record<
        string,
        unknown
      >;
      expect(metadata).toMatchObject({
        issuer: `https://sso.example.test/application/o/${app.slug}/`,
        authorization_endpoint: 'https://sso.example.test/application/o/authorize/',
        token_endpoint: 'https://sso.example.test/application/o/token/',
        jwks_uri: `https://sso.example.test/application/o/${app.slug}/jwks/`,
        subject_types_supported: ['public'],
      });
    });
  });
});
