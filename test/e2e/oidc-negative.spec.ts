/**
 * Issue 9, "Prove it": the negative cases. openid-client (the relying party nobody here wrote) meets
 * every refusal it can be made to ask for; raw HTTP sends what it would refuse to (malformed,
 * duplicated, oversized). Real PostgreSQL, both adapters (TEST_HTTP_ADAPTER=fastify).
 *
 * What each refusal must look like: errors that cannot be trusted to go back to the client
 * (unknown client, unregistered redirect_uri) are a 400 page at the engine and never a redirect;
 * errors of a verified client + redirect_uri go back to it (RFC 6749 §4.1.2.1); the token
 * endpoint answers invalid_grant / invalid_client (RFC 6749 §5.2); hostile input is a 4xx, never a
 * 500 or a stack trace.
 */
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { sha256 } from '../../src/common/crypto/digest.js';
import { GENERIC_FAILURE } from '../../src/sign-in/sign-in.view.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { encode, hostileQuery, hostileText, propertyRuns } from '../support/hostile-input.js';
import {
  client,
  createOidcApplication,
  createSignInUser,
  listen,
  pkce,
  relyingParty,
  signIn,
  SignInError,
  type OidcApplication,
  type OidcApplicationSpec,
  type Pkce,
  type SignInUser,
} from '../support/oidc-client.js';
import {
  expectRefusal,
  INTERNALS,
  oauthFailure,
  rawRequest,
  type RawAnswer,
  type RawRequestSpec,
} from '../support/oidc-negative.js';
import { registerDigest, registerSecret } from '../support/secret-registry.js';

const ACCESS_TOKENS = '/api/v3/oauth2/access_tokens/';
const REFRESH_TOKENS = '/api/v3/oauth2/refresh_tokens/';
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const SEED = process.env.FC_SEED === undefined ? undefined : Number(process.env.FC_SEED);

type Auth = 'basic' | 'post' | 'none';
type Tokens = client.TokenEndpointResponse & client.TokenEndpointResponseHelpers;

const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

/** A wrong secret of a plausible shape, registered like the real ones. */
function wrongSecret(): string {
  const value = `secret-${randomBytes(24).toString('hex')}`;
  registerSecret('wrong OAuth2 client secret', value);
  return value;
}

describe('OAuth2/OIDC negative cases', () => {
  let t: TestApp;
  let base: string;
  let admin: string;
  let user: SignInUser;

  beforeAll(async () => {
    t = await startTestApp();
    base = await listen(t);
    admin = (await t.fixtures.superCaller()).auth;
    user = await createSignInUser(t);
  });
  afterAll(() => t.close());

  /** Tokens are secrets: the log check fails the file if one ever shows up in a log line. */
  function secret(tokens: Tokens): Tokens {
    for (const [what, value] of Object.entries(tokens)) {
      if (typeof value === 'string' && what.endsWith('token')) {
        registerSecret(`OIDC ${what}`, value);
        if (what !== 'id_token') registerDigest(`OIDC ${what} digest`, sha256(value));
      }
    }
    return tokens;
  }

  function checksFor(): Promise<Pkce> {
    return pkce().then((checks) => {
      registerSecret('PKCE code verifier', checks.verifier);
      return checks;
    });
  }

  interface CodeOptions {
    /** Send a S256 code_challenge (default true). */
    challenge?: boolean;
    scope?: string;
    who?: SignInUser;
  }

  /** Signs in through the page and returns the callback URL with its code (not yet exchanged). */
  async function authorize(app: OidcApplication, auth: Auth, options: CodeOptions = {}) {
    const rp = await relyingParty(app, base, auth);
    const checks = await checksFor();
    const url = client.buildAuthorizationUrl(rp, {
      redirect_uri: app.redirectUri,
      scope: options.scope ?? 'openid profile email',
      state: checks.state,
      nonce: checks.nonce,
      ...(options.challenge === false
        ? {}
        : { code_challenge: checks.challenge, code_challenge_method: 'S256' }),
    });
    const callback = await signIn(url, options.who ?? user);
    const code = callback.searchParams.get('code');
    expect(code).toEqual(expect.any(String));
    registerSecret('authorization code', code);
    return { rp, checks, callback };
  }

  /** The token exchange as openid-client makes it (`verifier` null: none is sent). */
  function exchange(
    rp: client.Configuration,
    callback: URL,
    checks: Pkce,
    verifier: string | null = checks.verifier,
  ): Promise<Tokens> {
    return client
      .authorizationCodeGrant(rp, callback, {
        pkceCodeVerifier: verifier ?? undefined,
        expectedState: checks.state,
        expectedNonce: checks.nonce,
      })
      .then(secret);
  }

  /** A signed-in user's tokens (offline_access: with a refresh token). */
  async function tokensFor(app: OidcApplication, auth: Auth = 'basic', who: SignInUser = user) {
    const { rp, checks, callback } = await authorize(app, auth, {
      scope: 'openid profile offline_access',
      who,
    });
    const tokens = await exchange(rp, callback, checks);
    expect(tokens.refresh_token).toEqual(expect.any(String));
    expect((await client.tokenIntrospection(rp, tokens.access_token)).active).toBe(true);
    return { rp, tokens };
  }

  const userinfoStatus = async (accessToken: string) => {
    const response = await fetch(`${base}/application/o/userinfo/`, {
      headers: { authorization: `Bearer ${accessToken}` },
    });
    await response.arrayBuffer();
    return { status: response.status, challenge: response.headers.get('www-authenticate') };
  };

  /** A refresh's outcome: the protocol error, or a 200 (its new tokens registered as secrets). */
  async function refreshOutcome(rp: client.Configuration, refreshToken: string) {
    try {
      secret(await client.refreshTokenGrant(rp, refreshToken));
      return { status: 200, error: undefined };
    } catch (error) {
      return oauthFailure(Promise.reject(error));
    }
  }

  /** What a revoked authorization looks like from outside: every answer at once, for the report. */
  async function seenFromOutside(rp: client.Configuration, tokens: Tokens) {
    const info = await userinfoStatus(tokens.access_token);
    return {
      accessTokenIntrospection: (await client.tokenIntrospection(rp, tokens.access_token)).active,
      refreshTokenIntrospection: (await client.tokenIntrospection(rp, tokens.refresh_token!))
        .active,
      userinfo: `${info.status} ${/invalid_token/.test(info.challenge ?? '') ? 'invalid_token' : info.challenge}`,
      refresh: await refreshOutcome(rp, tokens.refresh_token!),
    };
  }

  const REVOKED = {
    accessTokenIntrospection: false,
    refreshTokenIntrospection: false,
    userinfo: '401 invalid_token',
    refresh: { status: 400, error: 'invalid_grant' },
  };

  /** Everything the authorization gave is dead: introspection, userinfo, refresh. */
  async function expectRevoked(rp: client.Configuration, tokens: Tokens) {
    expect(await seenFromOutside(rp, tokens)).toEqual(REVOKED);
  }

  const countRows = async (table: string, providerId: number) =>
    Number(
      (
        await t.fixtures.db.query(
          `SELECT count(*) AS n FROM ${table} WHERE provider_id = $1 AND NOT coalesce(revoked, false)`,
          [providerId],
        )
      )[0].n,
    );

  const adminList = (path: string, providerId: number) =>
    t.http
      .get(path)
      .query({ provider: String(providerId), ordering: 'pk' })
      .set('Authorization', admin);

  /** GET of an authorization URL without following it. */
  async function authorizeAnswer(url: URL | string, init: RequestInit = {}) {
    const response = await fetch(url, { redirect: 'manual', ...init });
    return {
      status: response.status,
      location: response.headers.get('location'),
      type: response.headers.get('content-type') ?? '',
      text: await response.text(),
    };
  }

  describe('the authorization endpoint', () => {
    it('answers an unknown client_id with a 400 page and never redirects', async () => {
      const params = new URLSearchParams({
        client_id: 'no-such-client',
        response_type: 'code',
        scope: 'openid',
        redirect_uri: 'https://attacker.example.test/cb',
        state: 'state-123',
      });
      const answer = await authorizeAnswer(`${base}/application/o/authorize/?${params}`);
      expect(answer.status).toBe(400);
      expect(answer.location).toBeNull();
      expect(answer.type).toMatch(/^text\/html/);
      expect(answer.text).toContain('invalid_client');
      // Not even a link back: the redirect_uri was never verified.
      expect(answer.text).not.toContain('attacker.example.test');
      expect(answer.text).not.toMatch(INTERNALS);
      // The engine takes /authorize by GET only (src/oidc/oidc-dispatcher.ts): a POST, of any
      // client, is a 405 that names the methods, and no redirect either.
      const app = await createOidcApplication(t);
      for (const clientId of ['no-such-client', app.clientId]) {
        params.set('client_id', clientId);
        params.set(
          'redirect_uri',
          clientId === app.clientId ? app.redirectUri : 'https://attacker.example.test/cb',
        );
        const posted = await authorizeAnswer(`${base}/application/o/authorize/`, {
          method: 'POST',
          headers: FORM,
          body: params.toString(),
        });
        expect(posted).toMatchObject({ status: 405, location: null });
        expect(posted.text).not.toMatch(INTERNALS);
      }
    });

    it.each<[string, (registered: string) => string]>([
      ['an extra path segment', (uri) => `${uri}/extra`],
      ['a trailing slash', (uri) => `${uri}/`],
      ['another port', (uri) => uri.replace('rp.example.test', 'rp.example.test:8443')],
      [
        'the default port spelled out',
        (uri) => uri.replace('rp.example.test', 'rp.example.test:443'),
      ],
      ['a prefix of it', (uri) => uri.slice(0, uri.lastIndexOf('/') + 1)],
      ['it as a prefix', (uri) => `${uri}-evil`],
      ['an added query', (uri) => `${uri}?next=https://attacker.example.test/`],
      ['another scheme', (uri) => uri.replace('https:', 'http:')],
      ['another case', (uri) => uri.replace('rp.example.test', 'RP.example.test')],
      [
        'userinfo before another host',
        (uri) => uri.replace('rp.example.test', 'rp.example.test@attacker.example.test'),
      ],
      [
        'a subdomain',
        (uri) => uri.replace('rp.example.test', 'rp.example.test.attacker.example.test'),
      ],
      ['an encoded path', (uri) => uri.replace('/cb/', '/%63b/')],
      ['nothing at all', () => ''],
    ])('refuses a redirect_uri with %s, without redirecting', async (_case, variant) => {
      const app = await createOidcApplication(t);
      const rp = await relyingParty(app, base, 'basic');
      const checks = await checksFor();
      const redirectUri = variant(app.redirectUri);
      expect(redirectUri).not.toBe(app.redirectUri);
      const url = client.buildAuthorizationUrl(rp, {
        scope: 'openid',
        state: checks.state,
        code_challenge: checks.challenge,
        code_challenge_method: 'S256',
        ...(redirectUri ? { redirect_uri: redirectUri } : {}),
      });
      if (!redirectUri) url.searchParams.delete('redirect_uri');
      const answer = await authorizeAnswer(url);
      expect(answer.status).toBe(400);
      expect(answer.location).toBeNull();
      expect(answer.text).toContain('redirect_uri');
      expect(answer.text).not.toMatch(INTERNALS);
      // Nothing started: no interaction for the sign-in page, no code.
      const [{ n }] = await t.fixtures.db.query(
        `SELECT count(*) AS n FROM oidc_records WHERE provider_id = $1`,
        [app.providerId],
      );
      expect(Number(n)).toBe(0);
    });

    /** The error a verified client + redirect_uri gets back, read by openid-client. */
    async function redirectedError(app: OidcApplication, url: URL, state: string) {
      const answer = await authorizeAnswer(url);
      expect(answer.status).toBeGreaterThanOrEqual(302);
      expect(answer.status).toBeLessThanOrEqual(303);
      const location = new URL(answer.location!);
      expect(`${location.origin}${location.pathname}`).toBe(app.redirectUri);
      expect(location.searchParams.get('code')).toBeNull();
      const rp = await relyingParty(app, base, app.clientSecret ? 'basic' : 'none');
      const failure = await oauthFailure(
        client.authorizationCodeGrant(rp, location, { expectedState: state }),
      );
      expect(await countRows('authorization_codes', app.providerId)).toBe(0);
      return { failure, description: location.searchParams.get('error_description') };
    }

    it('refuses a public client without PKCE: invalid_request back at its redirect_uri', async () => {
      const app = await createOidcApplication(t, { clientType: 'public' });
      const rp = await relyingParty(app, base, 'none');
      const checks = await checksFor();
      const url = client.buildAuthorizationUrl(rp, {
        redirect_uri: app.redirectUri,
        scope: 'openid',
        state: checks.state,
      });
      const { failure, description } = await redirectedError(app, url, checks.state);
      expect(failure.error).toBe('invalid_request');
      expect(description).toMatch(/PKCE/i);
    });

    it.each<[string, Partial<OidcApplicationSpec>]>([
      ['public', { clientType: 'public' }],
      ['confidential', { clientType: 'confidential' }],
    ])('refuses code_challenge_method=plain from a %s client', async (_type, spec) => {
      const app = await createOidcApplication(t, spec);
      const rp = await relyingParty(app, base, spec.clientType === 'public' ? 'none' : 'basic');
      const checks = await checksFor();
      const url = client.buildAuthorizationUrl(rp, {
        redirect_uri: app.redirectUri,
        scope: 'openid',
        state: checks.state,
        code_challenge: checks.verifier,
        code_challenge_method: 'plain',
      });
      const { failure, description } = await redirectedError(app, url, checks.state);
      expect(failure.error).toBe('invalid_request');
      expect(description).toMatch(/code_challenge_method/);
    });

    it('refuses a code_challenge_method without a challenge, and a challenge without a method', async () => {
      const app = await createOidcApplication(t, { clientType: 'public' });
      const rp = await relyingParty(app, base, 'none');
      const checks = await checksFor();
      for (const params of [
        { code_challenge_method: 'S256' } as Record<string, string>,
        { code_challenge: checks.challenge },
        { code_challenge: 'too-short', code_challenge_method: 'S256' },
      ]) {
        const url = client.buildAuthorizationUrl(rp, {
          redirect_uri: app.redirectUri,
          scope: 'openid',
          state: checks.state,
          ...params,
        });
        expect((await redirectedError(app, url, checks.state)).failure.error).toBe(
          'invalid_request',
        );
      }
    });
  });

  describe('codes and PKCE at the token endpoint', () => {
    it('refuses a PKCE downgrade: a code_verifier for a code issued without a challenge', async () => {
      const app = await createOidcApplication(t);
      const { rp, checks, callback } = await authorize(app, 'basic', { challenge: false });
      const [row] = await t.fixtures.db.query(
        'SELECT code_challenge FROM authorization_codes WHERE provider_id = $1',
        [app.providerId],
      );
      expect(row.code_challenge).toBeNull();
      expect(await oauthFailure(exchange(rp, callback, checks))).toEqual({
        status: 400,
        error: 'invalid_grant',
      });
      // A confidential client may go without PKCE: without the verifier the code is good (the
      // refusal above did not consume it), once.
      const tokens = await exchange(rp, callback, checks, null);
      expect(tokens.access_token).toEqual(expect.any(String));
    });

    it('refuses an exchange without the code_verifier of a code issued with a challenge', async () => {
      const app = await createOidcApplication(t);
      const { rp, checks, callback } = await authorize(app, 'basic');
      expect(await oauthFailure(exchange(rp, callback, checks, null))).toEqual({
        status: 400,
        error: 'invalid_grant',
      });
    });

    it('refuses a wrong code_verifier; the code stays usable by the right one, once', async () => {
      const app = await createOidcApplication(t, { clientType: 'public' });
      const { rp, checks, callback } = await authorize(app, 'none');
      // Another verifier, and the right one with its last character changed.
      const wrong = [
        client.randomPKCECodeVerifier(),
        `${checks.verifier.slice(0, -1)}${checks.verifier.endsWith('A') ? 'B' : 'A'}`,
      ];
      for (const verifier of wrong) {
        registerSecret('wrong PKCE code verifier', verifier);
        expect(await oauthFailure(exchange(rp, callback, checks, verifier))).toEqual({
          status: 400,
          error: 'invalid_grant',
        });
      }
      // oidc-provider checks PKCE before it consumes the code: a failed verifier does not burn it
      // (a thief without the verifier cannot make the client's own exchange fail), and the
      // verifier's 256 bits leave nothing to guess. The code is still listed, then used once.
      expect(
        (await adminList('/api/v3/oauth2/authorization_codes/', app.providerId)).body.results,
      ).toHaveLength(1);
      const tokens = await exchange(rp, callback, checks);
      expect(tokens.access_token).toEqual(expect.any(String));
      expect(await oauthFailure(exchange(rp, callback, checks))).toEqual({
        status: 400,
        error: 'invalid_grant',
      });
    });

    it('refuses a replayed code and revokes what its first exchange issued', async () => {
      const app = await createOidcApplication(t);
      const { rp, checks, callback } = await authorize(app, 'post', {
        scope: 'openid offline_access',
      });
      const first = await exchange(rp, callback, checks);
      expect((await client.tokenIntrospection(rp, first.access_token)).active).toBe(true);
      expect((await userinfoStatus(first.access_token)).status).toBe(200);
      expect(await oauthFailure(exchange(rp, callback, checks))).toEqual({
        status: 400,
        error: 'invalid_grant',
      });
      await expectRevoked(rp, first);
      // As the admin API sees it: the access token gone, the refresh token listed as revoked.
      expect((await adminList(ACCESS_TOKENS, app.providerId)).body.results).toEqual([]);
      const refresh = (await adminList(REFRESH_TOKENS, app.providerId)).body.results;
      expect(refresh).toHaveLength(1);
      expect(refresh[0].revoked).toBe(true);
    });

    it('refuses an expired code', async () => {
      const app = await createOidcApplication(t, { accessCodeValidity: 'seconds=1' });
      const { rp, checks, callback } = await authorize(app, 'basic');
      // A wait for the behaviour (the code's one-second validity to run out), not a timing check.
      await new Promise((resolve) => setTimeout(resolve, 2100));
      expect(await oauthFailure(exchange(rp, callback, checks))).toEqual({
        status: 400,
        error: 'invalid_grant',
      });
    });

    it('refuses a code at the token endpoint with another redirect_uri than at /authorize', async () => {
      const other = 'https://rp.example.test/other';
      const app = await createOidcApplication(t, {
        redirectUris: `https://rp.example.test/cb/${Date.now()}\n${other}`,
      });
      const { rp, checks, callback } = await authorize(app, 'basic');
      const response = await fetch(`${base}/application/o/token/`, {
        method: 'POST',
        headers: { ...FORM, authorization: basic(app.clientId, app.clientSecret) },
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          code: callback.searchParams.get('code')!,
          redirect_uri: other,
          code_verifier: checks.verifier,
        }),
      });
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ error: 'invalid_grant' });
      expect((await exchange(rp, callback, checks)).access_token).toEqual(expect.any(String));
    });

    it('refuses a code issued to another client, and leaves it to its own client', async () => {
      const a = await createOidcApplication(t);
      const b = await createOidcApplication(t);
      const { rp, checks, callback } = await authorize(a, 'basic');
      const rpB = await relyingParty(b, base, 'basic');
      const stolen = new URL(callback);
      stolen.searchParams.set('iss', rpB.serverMetadata().issuer);
      expect(
        await oauthFailure(
          client.authorizationCodeGrant(rpB, stolen, {
            pkceCodeVerifier: checks.verifier,
            expectedState: checks.state,
          }),
        ),
      ).toEqual({ status: 400, error: 'invalid_grant' });
      expect((await exchange(rp, callback, checks)).access_token).toEqual(expect.any(String));
    });
  });

  describe('client authentication', () => {
    it.each<['basic' | 'post']>([['basic'], ['post']])(
      'refuses a wrong client secret (client_secret_%s) with invalid_client 401',
      async (auth) => {
        const app = await createOidcApplication(t);
        const { rp, checks, callback } = await authorize(app, auth);
        const impostor = await relyingParty({ ...app, clientSecret: wrongSecret() }, base, auth);
        expect(await oauthFailure(exchange(impostor, callback, checks))).toEqual({
          status: 401,
          error: 'invalid_client',
        });
        // The refusal came before the code was looked at: its client still gets the tokens.
        const tokens = await exchange(rp, callback, checks);
        for (const call of [
          client.tokenIntrospection(impostor, tokens.access_token),
          client.tokenRevocation(impostor, tokens.access_token),
        ]) {
          expect(await oauthFailure(call)).toEqual({ status: 401, error: 'invalid_client' });
        }
        expect((await client.tokenIntrospection(rp, tokens.access_token)).active).toBe(true);
      },
    );

    it('refuses a confidential client that sends no secret', async () => {
      const app = await createOidcApplication(t);
      const { checks, callback } = await authorize(app, 'basic');
      const anonymous = await relyingParty(app, base, 'none');
      expect(await oauthFailure(exchange(anonymous, callback, checks))).toEqual({
        status: 401,
        error: 'invalid_client',
      });
    });

    it.each<['basic' | 'post']>([['basic'], ['post']])(
      'refuses a public client’s id presented with a secret (client_secret_%s)',
      async (auth) => {
        const app = await createOidcApplication(t, { clientType: 'public' });
        const { rp, checks, callback } = await authorize(app, 'none');
        const withSecret = await relyingParty({ ...app, clientSecret: wrongSecret() }, base, auth);
        expect(await oauthFailure(exchange(withSecret, callback, checks))).toEqual({
          status: 401,
          error: 'invalid_client',
        });
        expect((await exchange(rp, callback, checks)).access_token).toEqual(expect.any(String));
      },
    );
  });

  describe('users', () => {
    it('does not let an inactive user sign in, with the same generic message', async () => {
      const app = await createOidcApplication(t);
      const inactive = await createSignInUser(t);
      await t.fixtures.db.query('UPDATE users SET is_active = false WHERE id = $1', [inactive.id]);
      const rp = await relyingParty(app, base, 'basic');
      const checks = await checksFor();
      const url = () =>
        client.buildAuthorizationUrl(rp, {
          redirect_uri: app.redirectUri,
          scope: 'openid',
          state: checks.state,
          code_challenge: checks.challenge,
          code_challenge_method: 'S256',
        });
      const failure = async (who: Pick<SignInUser, 'username' | 'password'>) => {
        try {
          await signIn(url(), who);
        } catch (error) {
          if (error instanceof SignInError) return error;
          throw error;
        }
        throw new Error('signed in');
      };
      const refused = await failure(inactive);
      expect(refused.status).toBe(200);
      const alert = (body: string) => /role="alert"[^>]*>([^<]*)</.exec(body)?.[1];
      expect(alert(refused.body)).toBe(GENERIC_FAILURE);
      // Exactly what a wrong password gets: the page does not tell "inactive" from "wrong".
      const notThePassword = `wrong-${randomBytes(8).toString('hex')}`;
      registerSecret('wrong password', notThePassword);
      const wrongPassword = await failure({ username: user.username, password: notThePassword });
      expect(alert(wrongPassword.body)).toBe(alert(refused.body));
      expect(await countRows('authorization_codes', app.providerId)).toBe(0);
      const [{ last_login }] = await t.fixtures.db.query(
        'SELECT last_login FROM users WHERE id = $1',
        [inactive.id],
      );
      expect(last_login).toBeNull();
    });

    it('ends the tokens of a user deactivated through the admin API', async () => {
      const app = await createOidcApplication(t);
      const someone = await createSignInUser(t);
      const { rp, tokens } = await tokensFor(app, 'basic', someone);
      await t.http
        .patch(`/api/v3/core/users/${someone.id}/`)
        .set('Authorization', admin)
        .send({ is_active: false })
        .expect(200);
      await expectRevoked(rp, tokens);
    });

    /** Deactivation as the admin API does it (grants revoked too), or the row's flag alone. */
    const deactivations: [string, (id: number) => Promise<unknown>][] = [
      [
        'through the admin API',
        (id) =>
          t.http
            .patch(`/api/v3/core/users/${id}/`)
            .set('Authorization', admin)
            .send({ is_active: false })
            .expect(200),
      ],
      [
        'by its row alone',
        (id) => t.fixtures.db.query('UPDATE users SET is_active = false WHERE id = $1', [id]),
      ],
    ];

    it.each(deactivations)(
      'refuses the code of a user deactivated between sign-in and exchange (%s)',
      async (_how, deactivate) => {
        const app = await createOidcApplication(t);
        const someone = await createSignInUser(t);
        const { rp, checks, callback } = await authorize(app, 'basic', { who: someone });
        await deactivate(someone.id);
        expect(await oauthFailure(exchange(rp, callback, checks))).toEqual({
          status: 400,
          error: 'invalid_grant',
        });
        expect(await countRows('access_tokens', app.providerId)).toBe(0);
      },
    );

    it('ends the tokens of a user whose row was deactivated without revocation', async () => {
      const app = await createOidcApplication(t);
      const someone = await createSignInUser(t);
      const { rp, tokens } = await tokensFor(app, 'basic', someone);
      // Only the flag: no revoke_grants ran, the token rows are all still there. "Inactive users'
      // tokens stop working" (design.md): userinfo and refresh refuse them (the engine finds no
      // account), and introspection, which resource servers ask, must not call them active.
      await deactivations[1]![1](someone.id);
      await expectRevoked(rp, tokens);
    });
  });

  describe('revocation through the admin API', () => {
    it('refuses a refresh after revoke_grants, and the access token is inactive', async () => {
      const app = await createOidcApplication(t);
      const { rp, tokens } = await tokensFor(app, 'basic');
      await t.http
        .post('/api/v3/oauth2/revoke_grants/')
        .set('Authorization', admin)
        .send({ user: user.id, provider: app.providerId })
        .expect(200);
      await expectRevoked(rp, tokens);
    });

    it('refuses a refresh token DELETEd through the admin API', async () => {
      const app = await createOidcApplication(t);
      const { rp, tokens } = await tokensFor(app, 'post');
      const [refresh] = (await adminList(REFRESH_TOKENS, app.providerId).expect(200)).body.results;
      await t.http
        .delete(`${REFRESH_TOKENS}${refresh.pk}/`)
        .set('Authorization', admin)
        .expect(204);
      expect(await oauthFailure(client.refreshTokenGrant(rp, tokens.refresh_token!))).toEqual({
        status: 400,
        error: 'invalid_grant',
      });
      expect((await client.tokenIntrospection(rp, tokens.refresh_token!)).active).toBe(false);
    });

    it('makes an access token DELETEd through the admin API inactive and refused at userinfo', async () => {
      const app = await createOidcApplication(t);
      const { rp, tokens } = await tokensFor(app, 'basic');
      expect((await userinfoStatus(tokens.access_token)).status).toBe(200);
      const [access] = (await adminList(ACCESS_TOKENS, app.providerId).expect(200)).body.results;
      await t.http.delete(`${ACCESS_TOKENS}${access.pk}/`).set('Authorization', admin).expect(204);
      expect((await client.tokenIntrospection(rp, tokens.access_token)).active).toBe(false);
      const info = await userinfoStatus(tokens.access_token);
      expect(info.status).toBe(401);
      expect(info.challenge).toMatch(/invalid_token/);
    });

    it('refuses a code after revoke_grants between sign-in and exchange', async () => {
      const app = await createOidcApplication(t);
      const { rp, checks, callback } = await authorize(app, 'basic');
      await t.http
        .post('/api/v3/oauth2/revoke_grants/')
        .set('Authorization', admin)
        .send({ user: user.id, provider: app.providerId })
        .expect(200);
      expect(await oauthFailure(exchange(rp, callback, checks))).toEqual({
        status: 400,
        error: 'invalid_grant',
      });
    });

    it('refuses a refresh that asks for more scope than was granted', async () => {
      const app = await createOidcApplication(t);
      const { rp, tokens } = await tokensFor(app, 'basic');
      expect(
        await oauthFailure(
          client.refreshTokenGrant(rp, tokens.refresh_token!, {
            scope: 'openid profile email offline_access',
          }),
        ),
      ).toEqual({ status: 400, error: 'invalid_scope' });
    });

    it('issues no refresh token without offline_access, and takes no access token for one', async () => {
      const app = await createOidcApplication(t);
      const { rp, checks, callback } = await authorize(app, 'basic', {
        scope: 'openid profile email',
      });
      const tokens = await exchange(rp, callback, checks);
      expect(tokens.refresh_token).toBeUndefined();
      expect(await countRows('refresh_tokens', app.providerId)).toBe(0);
      expect((await adminList(REFRESH_TOKENS, app.providerId)).body.results).toEqual([]);
      expect(await oauthFailure(client.refreshTokenGrant(rp, tokens.access_token))).toEqual({
        status: 400,
        error: 'invalid_grant',
      });
    });
  });

  describe('one client’s tokens are not another’s', () => {
    it.each<[string, Partial<OidcApplicationSpec>]>([
      ['per_provider', { issuerMode: 'per_provider' }],
      ['global (one issuer for both)', { issuerMode: 'global' }],
      ['per_provider, B public', { issuerMode: 'per_provider', clientType: 'public' }],
    ])('client B cannot introspect or revoke client A’s tokens (%s)', async (_case, specB) => {
      const a = await createOidcApplication(t, { issuerMode: specB.issuerMode });
      const b = await createOidcApplication(t, specB);
      const { rp, tokens } = await tokensFor(a, 'basic');
      const rpB = await relyingParty(b, base, specB.clientType === 'public' ? 'none' : 'basic');
      for (const token of [tokens.access_token, tokens.refresh_token!]) {
        const seen = await client.tokenIntrospection(rpB, token);
        expect(seen).toEqual({ active: false });
        // RFC 7009 §2.2: an unknown token is a 200 with no effect.
        await client.tokenRevocation(rpB, token);
      }
      expect(await oauthFailure(client.refreshTokenGrant(rpB, tokens.refresh_token!))).toEqual({
        status: 400,
        error: 'invalid_grant',
      });
      // A's tokens are untouched.
      expect((await client.tokenIntrospection(rp, tokens.access_token)).active).toBe(true);
      expect((await userinfoStatus(tokens.access_token)).status).toBe(200);
      expect(
        (await client.refreshTokenGrant(rp, tokens.refresh_token!).then(secret)).access_token,
      ).toEqual(expect.any(String));
    });
  });

  describe('hostile input on the OIDC endpoints', () => {
    let app: OidcApplication;
    let publicApp: OidcApplication;
    let token: string;

    beforeAll(async () => {
      app = await createOidcApplication(t);
      publicApp = await createOidcApplication(t, { clientType: 'public' });
      token = (await tokensFor(app, 'basic')).tokens.access_token;
    });

    /** The malformed requests, each with what it is. */
    const cases = (): [string, RawRequestSpec][] => {
      const auth = basic(app.clientId, app.clientSecret);
      const q = (params: Record<string, string>) => new URLSearchParams(params).toString();
      const get = (path: string, headers: Record<string, string> = {}): RawRequestSpec => ({
        path,
        headers,
      });
      const post = (
        path: string,
        body: string | Buffer | undefined,
        headers: Record<string, string> = FORM,
      ): RawRequestSpec => ({ method: 'POST', path, headers, body });
      const withAuth = (authorization = auth) => ({ ...FORM, authorization });
      const AUTHORIZE = '/application/o/authorize/';
      const TOKEN = '/application/o/token/';
      const valid = {
        client_id: app.clientId,
        response_type: 'code',
        scope: 'openid',
        redirect_uri: app.redirectUri,
      };
      const authorize = (params: Record<string, string>) => `${AUTHORIZE}?${q(params)}`;
      const basic64 = (text: string) => `Basic ${Buffer.from(text).toString('base64')}`;
      const refreshX = 'grant_type=refresh_token&refresh_token=x';
      const mb = 1024 * 1024;
      const nulBody = Buffer.concat([Buffer.from('client_id='), Buffer.from([0xff, 0xfe, 0x00])]);
      return [
        // /authorize: query
        ['no parameters', get(AUTHORIZE)],
        ['a 10 kB client_id', get(authorize({ ...valid, client_id: 'a'.repeat(10_240) }))],
        ['a request line over Node’s limit', get(`${AUTHORIZE}?client_id=${'a'.repeat(20_000)}`)],
        ['a NUL client_id', get(authorize({ ...valid, client_id: '\0' }))],
        ['a NUL after the client_id', get(authorize({ ...valid, client_id: `${app.clientId}\0` }))],
        [
          'a NUL in the redirect_uri',
          get(authorize({ ...valid, redirect_uri: `${app.redirectUri}\0` })),
        ],
        [
          'a javascript: redirect_uri',
          get(authorize({ ...valid, redirect_uri: 'javascript:alert(1)' })),
        ],
        ['client_id twice', get(`${authorize(valid)}&client_id=${app.clientId}`)],
        [
          'redirect_uri twice',
          get(`${authorize(valid)}&redirect_uri=${encodeURIComponent(app.redirectUri)}`),
        ],
        [
          'client_id[] array syntax',
          get(`${AUTHORIZE}?client_id[]=${app.clientId}&response_type=code`),
        ],
        ['broken percent-encoding', get(`${AUTHORIZE}?client_id=%zz&redirect_uri=%E2%82`)],
        // /authorize/<uid>: the resume route
        ['a NUL interaction uid', get('/application/o/authorize/%00')],
        ['an interaction uid with broken encoding', get('/application/o/authorize/%zz')],
        ['a 5 kB interaction uid', get(`/application/o/authorize/${'u'.repeat(5_000)}`)],
        ['a traversal as interaction uid', get('/application/o/authorize/..%2F..%2Fetc%2Fpasswd')],
        // /authorize: POST bodies
        [
          'a JSON /authorize body',
          post(AUTHORIZE, JSON.stringify({ client_id: 'x' }), {
            'content-type': 'application/json',
          }),
        ],
        [
          'a text/plain /authorize body',
          post(AUTHORIZE, q({ client_id: 'x' }), { 'content-type': 'text/plain' }),
        ],
        ['an /authorize body over the limit', post(AUTHORIZE, `client_id=${'a'.repeat(mb + 1)}`)],
        ['invalid UTF-8 and a NUL in an /authorize body', post(AUTHORIZE, nulBody)],
        // /token
        [
          'a JSON token body',
          post(TOKEN, JSON.stringify({ grant_type: 'authorization_code', code: 'x' }), {
            'content-type': 'application/json',
            authorization: auth,
          }),
        ],
        [
          'a multipart token body',
          post(
            TOKEN,
            '--x\r\nContent-Disposition: form-data; name="grant_type"\r\n\r\nrefresh_token\r\n--x--\r\n',
            { 'content-type': 'multipart/form-data; boundary=x', authorization: auth },
          ),
        ],
        ['a token request without a body', post(TOKEN, undefined, { authorization: auth })],
        ['a token body without a content type', post(TOKEN, refreshX, { authorization: auth })],
        [
          'grant_type twice',
          post(TOKEN, 'grant_type=authorization_code&grant_type=refresh_token&code=x', withAuth()),
        ],
        [
          'grant_type[] array syntax',
          post(TOKEN, 'grant_type[]=authorization_code&code=x', withAuth()),
        ],
        [
          'the password grant',
          post(
            TOKEN,
            q({ grant_type: 'password', username: 'akadmin', password: 'x' }),
            withAuth(),
          ),
        ],
        ['client_credentials', post(TOKEN, q({ grant_type: 'client_credentials' }), withAuth())],
        [
          'a NUL code',
          post(
            TOKEN,
            q({ grant_type: 'authorization_code', code: '\0', redirect_uri: app.redirectUri }),
            withAuth(),
          ),
        ],
        [
          'a 900 kB code',
          post(
            TOKEN,
            q({
              grant_type: 'authorization_code',
              code: 'c'.repeat(900 * 1024),
              redirect_uri: app.redirectUri,
            }),
            withAuth(),
          ),
        ],
        [
          'a 900 kB refresh token',
          post(
            TOKEN,
            q({ grant_type: 'refresh_token', refresh_token: 'r'.repeat(900 * 1024) }),
            withAuth(),
          ),
        ],
        [
          'a token body over the limit',
          post(TOKEN, `grant_type=authorization_code&code=${'c'.repeat(mb + 1)}`, withAuth()),
        ],
        [
          'a token body announced over the limit',
          post(TOKEN, 'grant_type=x', { ...FORM, 'content-length': String(10 * mb) }),
        ],
        ['Basic without a colon', post(TOKEN, refreshX, withAuth(basic64('nocolon')))],
        ['Basic that is not base64', post(TOKEN, refreshX, withAuth('Basic !!!***'))],
        ['Basic with an empty client id', post(TOKEN, refreshX, withAuth(basic64(':secret')))],
        [
          'Basic with a NUL in the client id',
          post(TOKEN, refreshX, withAuth(basic64(`${app.clientId}%00:x`))),
        ],
        [
          'Basic with broken encoding',
          post(TOKEN, refreshX, withAuth(basic64(`${app.clientId}:%zz`))),
        ],
        [
          'Basic and client_secret both',
          post(
            TOKEN,
            q({
              grant_type: 'refresh_token',
              refresh_token: 'x',
              client_id: app.clientId,
              client_secret: app.clientSecret,
            }),
            withAuth(),
          ),
        ],
        [
          'Basic of one client, client_id of another',
          post(
            TOKEN,
            q({ grant_type: 'refresh_token', refresh_token: 'x', client_id: publicApp.clientId }),
            withAuth(),
          ),
        ],
        [
          'a Bearer token as client authentication',
          post(TOKEN, refreshX, withAuth(`Bearer ${token}`)),
        ],
        [
          'client_id twice in the body',
          post(TOKEN, `${refreshX}&client_id=${publicApp.clientId}&client_id=${app.clientId}`),
        ],
        ['a NUL client_id in the body', post(TOKEN, `${refreshX}&client_id=%00`)],
        [
          'a GET of the token endpoint',
          get(`${TOKEN}?${refreshX}&client_id=${publicApp.clientId}`),
        ],
        // /introspect and /revoke
        ['introspection without a token', post('/application/o/introspect/', '', withAuth())],
        [
          'introspection of two tokens',
          post('/application/o/introspect/', `token=${token}&token=x`, withAuth()),
        ],
        [
          'a JSON introspection body',
          post('/application/o/introspect/', JSON.stringify({ token }), {
            'content-type': 'application/json',
            authorization: auth,
          }),
        ],
        ['revocation of token[]', post('/application/o/revoke/', `token[]=${token}`, withAuth())],
        [
          'a revocation body over the limit',
          post('/application/o/revoke/', `token=${'t'.repeat(mb + 1)}`, withAuth()),
        ],
        // /userinfo
        [
          'userinfo with “Bearer” alone',
          get('/application/o/userinfo/', { authorization: 'Bearer' }),
        ],
        [
          'userinfo with an 8 kB bearer token',
          get('/application/o/userinfo/', { authorization: `Bearer ${'b'.repeat(8_192)}` }),
        ],
        [
          'userinfo with two words after Bearer',
          get('/application/o/userinfo/', { authorization: `Bearer ${token} extra` }),
        ],
        [
          'userinfo with the token in the header and the body',
          post('/application/o/userinfo/', q({ access_token: token }), withAuth(`Bearer ${token}`)),
        ],
        [
          'userinfo with access_token twice in the body',
          post('/application/o/userinfo/', `access_token=${token}&access_token=${token}`),
        ],
        [
          'userinfo with a JSON body',
          post('/application/o/userinfo/', JSON.stringify({ access_token: token }), {
            'content-type': 'application/json',
          }),
        ],
        [
          'a userinfo body over the limit',
          post('/application/o/userinfo/', `access_token=${'t'.repeat(mb + 1)}`),
        ],
        // per slug
        ['a NUL slug', get('/application/o/%00/.well-known/openid-configuration')],
        ['a slug with broken encoding', get('/application/o/%zz/jwks/')],
        ['a 5 kB slug', get(`/application/o/${'s'.repeat(5_000)}/jwks/`)],
        [
          'end-session with a garbage id_token_hint',
          get(`/application/o/${app.slug}/end-session/?${q({ id_token_hint: 'a.b.c' })}`),
        ],
        [
          'end-session to an unregistered post_logout_redirect_uri',
          get(
            `/application/o/${app.slug}/end-session/?${q({ client_id: app.clientId, post_logout_redirect_uri: 'https://attacker.example.test/' })}`,
          ),
        ],
        // the sign-in page the flow leads to
        ['a NUL sign-in uid', get('/if/flow/sign-in/%00/')],
        [
          'a NUL sign-in uid, posted',
          post('/if/flow/sign-in/%00/', 'csrf_token=x&username=a&password=b'),
        ],
        ['a sign-in uid with broken encoding', get('/if/flow/sign-in/%zz/')],
        // the request itself
        ['a hostile Host header', get(AUTHORIZE, { host: 'evil test/<script>' })],
      ];
    };

    it('answers every malformed request with a 4xx, no redirect, no internals', async () => {
      const failures: string[] = [];
      for (const [what, spec] of cases()) {
        const answer = await rawRequest(base, spec);
        try {
          expectRefusal(answer, what);
          if (answer.status === 413) {
            expect(JSON.parse(answer.text)).toEqual({ detail: 'Request body is too large.' });
          }
        } catch (error) {
          failures.push((error as Error).message);
        }
      }
      expect(failures).toEqual([]);
    });

    it('answers the revocation of a malformed token as of any unknown one (RFC 7009 §2.2)', async () => {
      const auth = basic(app.clientId, app.clientSecret);
      for (const body of [
        new URLSearchParams({ token: '\0', token_type_hint: '\0' }).toString(),
        'token=%zz%00&token_type_hint=refresh_token',
      ]) {
        const answer = await rawRequest(base, {
          method: 'POST',
          path: '/application/o/revoke/',
          headers: { ...FORM, authorization: auth },
          body,
        });
        expect(answer.status).toBe(200);
        expect(answer.text).toBe('');
      }
    });

    it('answers the token endpoint’s refusals in the protocol’s JSON', async () => {
      const auth = basic(app.clientId, app.clientSecret);
      for (const body of [
        'grant_type=authorization_code&code=%00&redirect_uri=x',
        'grant_type=refresh_token',
        'grant_type=nonsense',
        'code=x',
      ]) {
        const answer = await rawRequest(base, {
          method: 'POST',
          path: '/application/o/token/',
          headers: { ...FORM, authorization: auth },
          body,
        });
        expect(answer.status).toBe(400);
        expect(answer.headers['content-type']).toMatch(/^application\/json/);
        expect(JSON.parse(answer.text).error).toMatch(
          /^(invalid_request|invalid_grant|unsupported_grant_type)$/,
        );
      }
    });

    /**
     * A redirect is allowed only where the protocol sends one: to the sign-in page (the request was
     * good enough) or back to the registered redirect_uri with an error.
     */
    function expectNoServerError(answer: RawAnswer, what: string, redirectUris: string[]) {
      const context = `${what} → ${answer.status} ${answer.text.slice(0, 300)}`;
      if (answer.status >= 500 || answer.status < 200) throw new Error(`status: ${context}`);
      if (INTERNALS.test(answer.text)) throw new Error(`internals in the body: ${context}`);
      const location = answer.headers.location;
      if (answer.status >= 300 && answer.status < 400) {
        const target = new URL(location ?? '', base);
        const toClient = redirectUris.includes(`${target.origin}${target.pathname}`);
        const toSignIn = target.origin === base && target.pathname.startsWith('/if/flow/sign-in/');
        if (!toClient && !toSignIn) throw new Error(`redirected to ${location}: ${context}`);
        if (toClient && target.searchParams.get('code') !== null) {
          throw new Error(`a code without sign-in: ${context}`);
        }
      } else if (location !== undefined) {
        throw new Error(`Location on a ${context}`);
      }
    }

    it('survives generated hostile /authorize queries', async () => {
      const vocabulary = {
        values: {
          client_id: fc.constantFrom(app.clientId, publicApp.clientId, 'nobody', ''),
          redirect_uri: fc.constantFrom(
            encodeURIComponent(app.redirectUri),
            encodeURIComponent(publicApp.redirectUri),
            encodeURIComponent(`${app.redirectUri}/`),
            'https://attacker.example.test/',
          ),
          response_type: fc.constantFrom('code', 'token', 'id_token', 'code id_token', 'none'),
          scope: fc.constantFrom('openid', 'openid offline_access', 'profile', 'openid admin'),
          code_challenge: fc.constantFrom('a'.repeat(43), 'short', ''),
          code_challenge_method: fc.constantFrom('S256', 'plain', 's256'),
          state: hostileText,
          nonce: hostileText,
          prompt: fc.constantFrom('none', 'login', 'consent', 'select_account', 'create'),
          response_mode: fc.constantFrom('query', 'fragment', 'form_post', 'web_message'),
          max_age: fc.constantFrom('0', '-1', '1e309', 'NaN'),
          claims: fc.constantFrom('{', '{"userinfo":{"email":null}}', '[]'),
          request: fc.constantFrom('a.b.c', 'eyJhbGciOiJub25lIn0.e30.'),
          request_uri: fc.constantFrom('https://attacker.example.test/r', 'urn:x'),
        },
      };
      await fc.assert(
        fc.asyncProperty(hostileQuery(vocabulary), fc.boolean(), async (query, post) => {
          const answer = await rawRequest(
            base,
            post
              ? { method: 'POST', path: '/application/o/authorize/', headers: FORM, body: query }
              : { path: `/application/o/authorize/?${query}` },
          );
          const what = `${post ? 'POST' : 'GET'} /authorize ${query.slice(0, 200)}`;
          expectNoServerError(answer, what, [app.redirectUri, publicApp.redirectUri]);
        }),
        propertyRuns(Number(process.env.HOSTILE_RUNS ?? 150), SEED),
      );
    }, 180_000);

    it('survives generated hostile token, introspection and revocation bodies', async () => {
      const vocabulary = {
        values: {
          grant_type: fc.constantFrom('authorization_code', 'refresh_token', 'password', 'x'),
          code: fc.constantFrom('x', 'a'.repeat(64), encode(token)),
          refresh_token: fc.constantFrom('x', encode(token)),
          redirect_uri: fc.constantFrom(encodeURIComponent(app.redirectUri), 'x'),
          code_verifier: fc.constantFrom('a'.repeat(43), 'short'),
          client_id: fc.constantFrom(app.clientId, publicApp.clientId, 'nobody'),
          client_secret: fc.constantFrom(encodeURIComponent(app.clientSecret), 'wrong'),
          token: fc.constantFrom(encode(token), 'x'),
          token_type_hint: fc.constantFrom('access_token', 'refresh_token', 'x'),
          scope: fc.constantFrom('openid', 'openid offline_access'),
        },
      };
      const paths = [
        '/application/o/token/',
        '/application/o/introspect/',
        '/application/o/revoke/',
      ];
      const authorizations = [
        undefined,
        basic(app.clientId, app.clientSecret),
        basic(publicApp.clientId, 'x'),
        'Basic %%%',
      ];
      await fc.assert(
        fc.asyncProperty(
          hostileQuery(vocabulary),
          fc.constantFrom(...paths),
          fc.constantFrom(...authorizations),
          fc.constantFrom(FORM['content-type'], 'application/json', 'text/plain', ''),
          async (body, path, authorization, type) => {
            const answer = await rawRequest(base, {
              method: 'POST',
              path,
              headers: {
                ...(type ? { 'content-type': type } : {}),
                ...(authorization ? { authorization } : {}),
              },
              body,
            });
            const what = `POST ${path} (${type || 'no type'}) ${body.slice(0, 200)}`;
            // The token itself may be introspected or revoked (a 200): anything but a 5xx.
            if (answer.status >= 500) throw new Error(`${what} → ${answer.status} ${answer.text}`);
            if (INTERNALS.test(answer.text)) throw new Error(`internals: ${what} → ${answer.text}`);
            expect(answer.headers.location).toBeUndefined();
          },
        ),
        propertyRuns(Number(process.env.HOSTILE_RUNS ?? 150), SEED),
      );
    }, 180_000);
  });
});
