/**
 * README's "Connect an application", step by step: this spec mirrors that section — change one,
 * change the other. The admin steps are the README's curl requests (supertest here, with the
 * bootstrap token); step 4 runs the README's openid-client script itself (taken from README.md,
 * only its two origins replaced), with the sign-in page posted over HTTP where the README has a
 * person in a browser; step 6 checks what "The grants in the admin API" says, with the same
 * openid-client calls in process. Both adapters (TEST_HTTP_ADAPTER=fastify).
 */
import { spawn } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import path from 'node:path';
import { sha256 } from '../../src/common/crypto/digest.js';
import { userUid } from '../../src/users/user.mapper.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { client, listen, signIn } from '../support/oidc-client.js';
import { registerDigest, registerSecret } from '../support/secret-registry.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

// Step 1: `BOOTSTRAP_TOKEN=… BOOTSTRAP_PASSWORD=… npm start`.
const BOOTSTRAP_TOKEN = 'connect-walkthrough-bootstrap-token';
const BOOTSTRAP_PASSWORD = 'connect-walkthrough-akadmin-password';
const AKADMIN = { username: 'akadmin', password: BOOTSTRAP_PASSWORD };
// The README's origins: the service's, and the script's redirect URI.
const README_BASE = 'http://127.0.0.1:9000';
const README_CALLBACK_PORT = /\b8000\b/g;

interface GrantItem {
  pk: number;
  user: { pk: number; username: string };
  provider: { pk: number };
  scope: string[];
  expires: string;
  revoked?: boolean;
}

interface ScriptOutput {
  claims: Record<string, unknown>;
  userinfo: Record<string, unknown>;
  refreshedExpiresIn: number;
}

/** Tokens are secrets: the log check fails the file if one shows up in a log line. */
function registerTokens(tokens: client.TokenEndpointResponse): void {
  for (const [what, value] of Object.entries(tokens)) {
    if (typeof value !== 'string' || !what.endsWith('token')) continue;
    registerSecret(`OIDC ${what}`, value);
    if (what !== 'id_token') registerDigest(`OIDC ${what} digest`, sha256(value));
  }
}

/** A port nothing listens on now (the script's redirect URI must name it before it listens). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The README's whoami.mjs, from the README itself. */
async function readmeScript(): Promise<string> {
  const readme = await readFile(path.join(ROOT, 'README.md'), 'utf8');
  const script = /```js\n(\/\/ whoami\.mjs[\s\S]*?)```/.exec(readme)?.[1];
  if (!script) throw new Error('README.md has no ```js block starting with // whoami.mjs');
  return script;
}

/** A running script: its output so far, the first "Open <url>" line, its exit. */
function runScript(file: string, env: Record<string, string>) {
  const child = spawn(process.execPath, [file], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  const opened = new Promise<URL>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      const url = /^Open (\S+)$/m.exec(stdout)?.[1];
      if (url) resolve(new URL(url));
    });
    void exited.then((code) => reject(new Error(`script exited (${code}) early:\n${stderr}`)));
  });
  return {
    opened,
    exited,
    output: () => ({ stdout, stderr }),
    kill: () => child.exitCode === null && child.kill(),
  };
}

describe('README "Connect an application"', () => {
  let t: TestApp;
  let base: string;
  let akadminId: number;
  let provider: { pk: number; client_id: string; client_secret: string };
  const admin = { Authorization: `Bearer ${BOOTSTRAP_TOKEN}` };
  const scratch = path.join(ROOT, 'test-output', 'connect-walkthrough');

  beforeAll(async () => {
    t = await startTestApp({
      bootstrap: { token: BOOTSTRAP_TOKEN, password: BOOTSTRAP_PASSWORD },
    });
    // openid-client and the script talk to a real port (the README's 127.0.0.1:9000).
    base = await listen(t);
  });
  afterAll(async () => {
    await rm(scratch, { recursive: true, force: true });
    await t.close();
  });

  const list = async (kind: string): Promise<GrantItem[]> => {
    const response = await t.http
      .get(`/api/v3/oauth2/${kind}/`)
      .query({ provider: String(provider.pk), ordering: 'pk' })
      .set(admin);
    expect(response.status).toBe(200);
    return response.body.results;
  };

  it('2. creates the provider (signing with the ES256 pair) and its application', async () => {
    const pairs = await t.http
      .get('/api/v3/crypto/certificatekeypairs/')
      .query({ name: 'grants-api default ES256' })
      .set(admin);
    expect(pairs.status).toBe(200);
    expect(pairs.body.results).toHaveLength(1);
    expect(pairs.body.results[0].private_key_type).toBe('ellipticcurve');
    const key: string = pairs.body.results[0].pk;

    const port = await freePort();
    const created = await t.http
      .post('/api/v3/providers/oauth2/')
      .set(admin)
      .send({
        name: 'Whoami',
        client_type: 'confidential',
        redirect_uris: `http://127.0.0.1:${port}/callback`,
        sub_mode: 'hashed_user_id',
        signing_key: key,
      });
    expect(created.status).toBe(201);
    provider = created.body;
    registerSecret('OAuth2 client secret', provider.client_secret);
    expect(provider.client_id).toHaveLength(40);
    expect(provider.client_secret).toHaveLength(128);

    const application = await t.http
      .post('/api/v3/core/applications/')
      .set(admin)
      .send({ name: 'Whoami', slug: 'whoami', provider: provider.pk });
    expect(application.status).toBe(201);

    const me = await t.http.get('/api/v3/core/users/me/').set(admin);
    expect(me.body.user.username).toBe('akadmin');
    akadminId = me.body.user.pk;
  });

  it('3. serves discovery at the slug: the per_provider issuer, authentik’s endpoints, ES256', async () => {
    const response = await fetch(`${base}/application/o/whoami/.well-known/openid-configuration`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      issuer: `${base}/application/o/whoami/`,
      authorization_endpoint: `${base}/application/o/authorize/`,
      token_endpoint: `${base}/application/o/token/`,
      userinfo_endpoint: `${base}/application/o/userinfo/`,
      revocation_endpoint: `${base}/application/o/revoke/`,
      introspection_endpoint: `${base}/application/o/introspect/`,
      jwks_uri: `${base}/application/o/whoami/jwks/`,
      end_session_endpoint: `${base}/application/o/whoami/end-session/`,
      id_token_signing_alg_values_supported: ['ES256'],
      code_challenge_methods_supported: ['S256'],
      scopes_supported: expect.arrayContaining(['openid', 'profile', 'email', 'offline_access']),
    });
  });

  it('4-5. runs the README script: akadmin signs in, the script exchanges, reads userinfo, refreshes', async () => {
    const redirectUri = new URL(await providerRedirectUri());
    const script = (await readmeScript())
      .replace(README_CALLBACK_PORT, redirectUri.port)
      .replaceAll(README_BASE, base);
    await mkdir(scratch, { recursive: true });
    const file = path.join(scratch, 'whoami.mjs');
    await writeFile(file, script);

    const run = runScript(file, {
      CLIENT_ID: provider.client_id,
      CLIENT_SECRET: provider.client_secret,
    });
    try {
      const authorizationUrl = await run.opened;
      expect(`${authorizationUrl.origin}${authorizationUrl.pathname}`).toBe(
        `${base}/application/o/authorize/`,
      );
      expect(authorizationUrl.searchParams.get('code_challenge_method')).toBe('S256');

      // The person in the browser: the sign-in page, then the redirect to the script.
      const callback = await signIn(authorizationUrl, AKADMIN);
      registerSecret('authorization code', callback.searchParams.get('code'));
      expect(`${callback.origin}${callback.pathname}`).toBe(redirectUri.href);

      // 6. The code is listed until the client exchanges it.
      const codes = await list('authorization_codes');
      expect(codes).toHaveLength(1);
      expect(codes[0]).toMatchObject({ user: { pk: akadminId, username: 'akadmin' } });

      const landed = await fetch(callback);
      expect(await landed.text()).toBe('Signed in as akadmin\n');
      expect(landed.status).toBe(200);
      expect(await run.exited).toBe(0);
    } finally {
      run.kill();
    }

    const { stdout, stderr } = run.output();
    expect(stderr).toBe('');
    const printed = JSON.parse(stdout.trim().split('\n').at(-1)!) as ScriptOutput;
    const [{ install_id: installId }] = await t.fixtures.db.query('SELECT install_id FROM install');
    const sub = userUid(akadminId, installId);
    const userinfo = {
      sub,
      name: 'authentik Default Admin',
      given_name: 'authentik Default Admin',
      preferred_username: 'akadmin',
      nickname: 'akadmin',
      groups: ['authentik Admins'],
      email: 'root@localhost',
      email_verified: true,
    };
    // include_claims_in_id_token (default true): the scopes' claims in the ID token too.
    expect(printed.claims).toMatchObject({
      ...userinfo,
      iss: `${base}/application/o/whoami/`,
      aud: provider.client_id,
    });
    expect(printed.userinfo).toEqual(userinfo);
    expect(printed.refreshedExpiresIn).toBeGreaterThan(3500);
    expect(printed.refreshedExpiresIn).toBeLessThanOrEqual(3600);

    // 6. Exchanged: the code is gone; the tokens are listed, the rotated refresh token revoked.
    expect(await list('authorization_codes')).toEqual([]);
    const accessTokens = await list('access_tokens');
    const refreshTokens = await list('refresh_tokens');
    expect(accessTokens).toHaveLength(2);
    expect(refreshTokens.map((row) => row.revoked)).toEqual([true, false]);
    for (const row of [...accessTokens, ...refreshTokens]) {
      expect(row).toMatchObject({
        user: { pk: akadminId, username: 'akadmin' },
        provider: { pk: provider.pk },
        scope: expect.arrayContaining(['openid', 'profile', 'email', 'offline_access']),
      });
    }
    // access_token_validity hours=1, refresh_token_validity days=30 (the defaults).
    const expiresIn = (row: GrantItem) => (Date.parse(row.expires) - Date.now()) / 1000;
    expect(expiresIn(accessTokens[1]!)).toBeGreaterThan(3500);
    expect(expiresIn(accessTokens[1]!)).toBeLessThanOrEqual(3600);
    expect(expiresIn(refreshTokens[1]!)).toBeGreaterThan(30 * 86_400 - 100);
  });

  /** The script's calls, in process: discovery, the PKCE authorization URL, sign-in, exchange. */
  async function signInInProcess() {
    const config = await client.discovery(
      new URL(`${base}/application/o/whoami/.well-known/openid-configuration`),
      provider.client_id,
      provider.client_secret,
      undefined,
      { execute: [client.allowInsecureRequests] },
    );
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: await providerRedirectUri(),
      scope: 'openid profile email offline_access',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    const callback = await signIn(url, AKADMIN);
    registerSecret('authorization code', callback.searchParams.get('code'));
    const checks = { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce };
    const tokens = await client.authorizationCodeGrant(config, callback, checks);
    registerTokens(tokens);
    return { config, tokens, callback, checks };
  }

  async function providerRedirectUri(): Promise<string> {
    const response = await t.http.get(`/api/v3/providers/oauth2/${provider.pk}/`).set(admin);
    return response.body.redirect_uris;
  }

  it('6. DELETE of an access token and revoke_grants end the tokens at once', async () => {
    const { config, tokens } = await signInInProcess();
    expect((await client.tokenIntrospection(config, tokens.access_token)).active).toBe(true);

    const newest = (await list('access_tokens')).at(-1)!;
    const deleted = await t.http.delete(`/api/v3/oauth2/access_tokens/${newest.pk}/`).set(admin);
    expect(deleted.status).toBe(204);
    expect((await client.tokenIntrospection(config, tokens.access_token)).active).toBe(false);
    const userinfo = await fetch(`${base}/application/o/userinfo/`, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    expect(userinfo.status).toBe(401);

    const revoked = await t.http
      .post('/api/v3/oauth2/revoke_grants/')
      .set(admin)
      .send({ user: akadminId, provider: provider.pk });
    expect(revoked.status).toBe(200);
    expect(revoked.body.refresh_tokens).toBeGreaterThanOrEqual(1);
    await expect(client.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
    expect(await list('access_tokens')).toEqual([]);
    expect((await list('refresh_tokens')).every((row) => row.revoked)).toBe(true);
  });

  it('6. a replayed code is refused and revokes the tokens it produced', async () => {
    const { config, tokens, callback, checks } = await signInInProcess();
    await expect(client.authorizationCodeGrant(config, callback, checks)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
    expect((await client.tokenIntrospection(config, tokens.access_token)).active).toBe(false);
    await expect(client.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
  });
});
