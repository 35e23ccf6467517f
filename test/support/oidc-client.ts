/**
 * Shared helpers for the OAuth2/OIDC specs (e2e, negative matrix, browser): an OAuth2 provider
 * with its application, a user who can sign in, the sign-in flow over plain HTTP with a cookie
 * jar, and openid-client (the relying party nobody here wrote) set up for our http:// issuer.
 *
 *   const base = await listen(t);                               // openid-client needs a port
 *   const app = await createOidcApplication(t, { clientType: 'public' });
 *   const user = await createSignInUser(t);
 *   const rp = await relyingParty(app, base, 'none');           // or 'basic' / 'post'
 *   const checks = await pkce();
 *   const callback = await signIn(authorizationUrl(rp, app, checks), user);
 *   const tokens = await client.authorizationCodeGrant(rp, callback, {
 *     pkceCodeVerifier: checks.verifier, expectedState: checks.state, expectedNonce: checks.nonce,
 *   });
 *
 * Register what a spec obtains (codes, tokens) with registerSecret: the log check then proves
 * none of them is ever logged.
 */
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import * as client from 'openid-client';
import { hashPassword } from '../../src/bootstrap/bootstrap.service.js';
import type {
  ClientType,
  IssuerMode,
  SubMode,
} from '../../src/oauth2-providers/oauth2-provider.entity.js';
import type { TestApp } from './app.js';
import { registerSecret } from './secret-registry.js';

export { client };

let sequence = 0;
const unique = () => `${++sequence}${randomBytes(4).toString('hex')}`;

/** The test app listening on a local port; its base URL (`http://127.0.0.1:<port>`). */
export async function listen(t: TestApp): Promise<string> {
  const server = t.app.getHttpServer();
  if (!server.listening) {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  }
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

export interface OidcApplicationSpec {
  clientType?: ClientType;
  /** One per line; default one `https://rp.example.test/cb/<n>`. */
  redirectUris?: string;
  subMode?: SubMode;
  issuerMode?: IssuerMode;
  includeClaimsInIdToken?: boolean;
  /** A certificate_key_pairs id; null (default): the install's default RS256 pair. */
  signingKey?: string | null;
  accessCodeValidity?: string;
  accessTokenValidity?: string;
  refreshTokenValidity?: string;
}

export interface OidcApplication {
  providerId: number;
  slug: string;
  clientId: string;
  /** Empty for a public client. */
  clientSecret: string;
  /** The first redirect URI. */
  redirectUri: string;
  issuerMode: IssuerMode;
}

/** An OAuth2 provider and the application that gives it its endpoints (rows in the database). */
export async function createOidcApplication(
  t: TestApp,
  spec: OidcApplicationSpec = {},
): Promise<OidcApplication> {
  const n = unique();
  const clientType = spec.clientType ?? 'confidential';
  const clientSecret = clientType === 'public' ? '' : `secret-${randomBytes(24).toString('hex')}`;
  registerSecret('OAuth2 client secret', clientSecret);
  const redirectUris = spec.redirectUris ?? `https://rp.example.test/cb/${n}`;
  const issuerMode = spec.issuerMode ?? 'per_provider';
  const [{ id }] = await t.fixtures.db.query(
    `INSERT INTO oauth2_providers (name, client_id, client_secret, client_type, redirect_uris,
       sub_mode, issuer_mode, include_claims_in_id_token, signing_key, access_code_validity,
       access_token_validity, refresh_token_validity)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id`,
    [
      `OIDC provider ${n}`,
      `client-${n}`,
      clientSecret,
      clientType,
      redirectUris,
      spec.subMode ?? 'hashed_user_id',
      issuerMode,
      spec.includeClaimsInIdToken ?? true,
      spec.signingKey ?? null,
      spec.accessCodeValidity ?? 'minutes=1',
      spec.accessTokenValidity ?? 'hours=1',
      spec.refreshTokenValidity ?? 'days=30',
    ],
  );
  const slug = `app-${n}`;
  await t.fixtures.application({ name: `Application ${n}`, slug, provider: id });
  return {
    providerId: id,
    slug,
    clientId: `client-${n}`,
    clientSecret,
    redirectUri: redirectUris.split('\n')[0]!.trim(),
    issuerMode,
  };
}

export interface SignInUser {
  id: number;
  username: string;
  password: string;
}

/** A user with a password (argon2id, as the bootstrap stores it). */
export async function createSignInUser(
  t: TestApp,
  spec: { email?: string; attributes?: Record<string, unknown>; groups?: string[] } = {},
): Promise<SignInUser> {
  const username = `rp-user-${unique()}`;
  const password = `pw-${randomBytes(16).toString('hex')}`;
  registerSecret('user password', password);
  const id = await t.fixtures.user({ username, ...spec });
  await t.fixtures.db.query('UPDATE users SET password_hash = $1 WHERE id = $2', [
    await hashPassword(password),
    id,
  ]);
  return { id, username, password };
}

/** The issuer of an application: per_provider `<base>/application/o/<slug>/`, global `<base>/application/o/`. */
export function issuerOf(app: Pick<OidcApplication, 'slug' | 'issuerMode'>, base: string): string {
  return app.issuerMode === 'global'
    ? `${base}/application/o/`
    : `${base}/application/o/${app.slug}/`;
}

/** The application's discovery document URL (per slug, whatever the issuer mode). */
export const discoveryUrl = (app: Pick<OidcApplication, 'slug'>, base: string) =>
  new URL(`${base}/application/o/${app.slug}/.well-known/openid-configuration`);

/**
 * openid-client configured for the application by discovery, over http (allowInsecureRequests).
 * `auth`: how a confidential client sends its secret (`basic` or `post`); `none` for public ones.
 * A per_provider issuer is discovered (and checked) from the issuer itself; a global one, shared
 * by every application, from the application's own discovery URL.
 */
export async function relyingParty(
  app: OidcApplication,
  base: string,
  auth: 'basic' | 'post' | 'none',
  metadata: Partial<client.ClientMetadata> = {},
): Promise<client.Configuration> {
  const authentication =
    auth === 'basic'
      ? client.ClientSecretBasic(app.clientSecret)
      : auth === 'post'
        ? client.ClientSecretPost(app.clientSecret)
        : client.None();
  const server =
    app.issuerMode === 'global' ? discoveryUrl(app, base) : new URL(issuerOf(app, base));
  return client.discovery(server, app.clientId, metadata, authentication, {
    execute: [client.allowInsecureRequests],
  });
}

export interface Pkce {
  verifier: string;
  challenge: string;
  state: string;
  nonce: string;
}

export async function pkce(): Promise<Pkce> {
  const verifier = client.randomPKCECodeVerifier();
  return {
    verifier,
    challenge: await client.calculatePKCECodeChallenge(verifier),
    state: client.randomState(),
    nonce: client.randomNonce(),
  };
}

/** The authorization URL of a code flow with PKCE S256 (scope default `openid profile email`). */
export function authorizationUrl(
  rp: client.Configuration,
  app: Pick<OidcApplication, 'redirectUri'>,
  checks: Pkce,
  parameters: Record<string, string> = {},
): URL {
  return client.buildAuthorizationUrl(rp, {
    redirect_uri: app.redirectUri,
    scope: 'openid profile email',
    code_challenge: checks.challenge,
    code_challenge_method: 'S256',
    state: checks.state,
    nonce: checks.nonce,
    ...parameters,
  });
}

/** Cookies by name, as a browser keeps them for one origin (paths ignored: one site). */
export class CookieJar {
  private readonly cookies = new Map<string, string>();

  store(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';');
      const index = pair!.indexOf('=');
      const name = pair!.slice(0, index).trim();
      const value = pair!.slice(index + 1).trim();
      const expired = attributes.some((attribute) => {
        const [key, val] = attribute.trim().split('=');
        if (key?.toLowerCase() === 'max-age') return Number(val) <= 0;
        if (key?.toLowerCase() === 'expires') return new Date(val ?? '').getTime() <= Date.now();
        return false;
      });
      if (expired || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }
}

export class SignInError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly body: string,
  ) {
    super(message);
  }
}

/**
 * A browser's sign-in, over plain HTTP: follows `authorizeUrl` to the sign-in page, posts the
 * credentials with the page's csrf_token, follows the engine's resume, and returns the URL it
 * finally redirects to on the client's side (the redirect_uri with code and state) WITHOUT
 * fetching it. The jar keeps the cookies (pass one to reuse a browser session). Throws a
 * SignInError when the flow stops elsewhere (an error page, the form shown again).
 */
export async function signIn(
  authorizeUrl: URL | string,
  user: Pick<SignInUser, 'username' | 'password'>,
  jar: CookieJar = new CookieJar(),
): Promise<URL> {
  const start = new URL(authorizeUrl);
  const origin = start.origin;
  let next: { url: URL; init: RequestInit } = { url: start, init: { method: 'GET' } };
  let posted = false;
  for (let hop = 0; hop < 10; hop++) {
    const response = await fetch(next.url, {
      ...next.init,
      redirect: 'manual',
      headers: { ...(next.init.headers as Record<string, string>), cookie: jar.header() },
    });
    jar.store(response);
    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location) {
      const target = new URL(location, next.url);
      if (target.origin !== origin) return target;
      next = { url: target, init: { method: 'GET' } };
      continue;
    }
    const body = await response.text();
    if (response.status !== 200 || posted || !/name="csrf_token"/.test(body)) {
      throw new SignInError(`sign-in stopped at ${next.url.pathname}`, response.status, body);
    }
    const csrf = /name="csrf_token"\s+value="([^"]*)"/.exec(body)?.[1];
    const action = /<form[^>]*action="([^"]*)"/.exec(body)?.[1];
    if (!csrf || !action) throw new SignInError('no sign-in form', response.status, body);
    posted = true;
    next = {
      url: new URL(action.replace(/&amp;/g, '&'), next.url),
      init: {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          csrf_token: csrf.replace(/&amp;/g, '&'),
          username: user.username,
          password: user.password,
        }).toString(),
      },
    };
  }
  throw new SignInError('too many redirects', 0, '');
}
