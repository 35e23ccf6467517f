/**
 * Issue 7 §3, contract §3: secrets never leave. API token keys, client secrets, grant values and
 * their digests, nonces, passwords and their hashes reach no log line (every spec file's logs are
 * captured at trace level and checked, see log-capture.setup.ts; here the capture itself is
 * checked) and no answer to a caller not entitled to them: anonymous callers, and a caller who
 * may view every kind of object but holds neither view_oauth2provider nor view_token_key.
 */
import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { modelPermission, Models } from '../../src/common/auth/permissions.js';
import { SecretBox } from '../../src/common/crypto/secret-box.js';
import { GRANT_KINDS } from '../../src/grants/grant-kinds.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { capturedLines, leakingLines, testLogLevel } from '../support/log-capture.js';
import { rawClient, type RawClient, type RawResponse } from '../support/raw-http.js';
import {
  harvestSecrets,
  masked,
  registeredSecrets,
  registerSecret,
  secretsIn,
  type Secret,
} from '../support/secret-registry.js';

const API = '/api/v3';
const PASSWORD = 'correct-horse-battery-staple-9f2c';

let t: TestApp;
let client: RawClient;
let admin: { id: number; auth: string };
/** Sees every user, group, role, application, token and grant; no provider secret, no key. */
let viewer: { id: number; auth: string };
let providers: number[];

/** Fails when the answer contains a registered secret (other than the `allowed` ones). */
function expectNoSecret(res: RawResponse, what: string, allowed: string[] = []): void {
  const leaked = secretsIn(res.text).filter((secret) => !allowed.includes(secret.value));
  if (leaked.length > 0) {
    throw new Error(
      `${what} (${res.status}) contains ${leaked.map((s) => `${s.what} ${masked(s.value)}`).join(', ')}`,
    );
  }
}

beforeAll(async () => {
  t = await startTestApp();
  client = await rawClient(t);
  admin = await t.fixtures.superCaller();
  const views = [
    Models.user,
    Models.group,
    Models.role,
    Models.application,
    Models.token,
    Models.authorizationCode,
    Models.accessToken,
    Models.refreshToken,
  ].map((model) => modelPermission('view', model));
  viewer = await t.fixtures.caller(views);

  providers = [await t.fixtures.provider(), await t.fixtures.provider({ name: 'Grafana' })];
  // One provider, its secret and an application made through the API (generated values).
  const created = await t.http
    .post(`${API}/providers/oauth2/`)
    .set('Authorization', admin.auth)
    .send({ name: 'Generated', redirect_uris: 'https://generated.example.com/cb' });
  expect(created.status).toBe(201);
  providers.push(created.body.pk);
  for (const [i, provider] of providers.entries()) {
    await t.fixtures.application({ name: `App ${i}`, slug: `app-${i}`, provider });
  }

  const people = [viewer.id, admin.id, await t.fixtures.user({ username: 'someone' })];
  for (const kind of GRANT_KINDS) {
    for (const [i, user] of people.entries()) {
      await t.fixtures.grant(kind, { user, provider: providers[i % providers.length]! });
    }
  }
  // Tokens: the viewer's own, others' (fixtures), and one created through the API.
  await t.fixtures.apiToken(people[2]!);
  const token = await t.http
    .post(`${API}/core/tokens/`)
    .set('Authorization', admin.auth)
    .send({ identifier: 'made-by-api', intent: 'api', user: people[2], expiring: false });
  expect(token.status).toBe(201);
  registerSecret('API token key (created through the API)', token.body.key);

  registerSecret('password', PASSWORD);
  const password = await t.http
    .post(`${API}/core/users/${people[2]}/set_password/`)
    .set('Authorization', admin.auth)
    .send({ password: PASSWORD });
  expect(password.status).toBe(204);

  // Everything stored so far (generated client secrets, hashes, digests) is now registered.
  await harvestSecrets(t.app.get(DataSource), t.app.get(SecretBox));
});
afterAll(async () => {
  client?.close();
  await t?.close();
});

describe('the registry and the log capture (what the checks of every spec rely on)', () => {
  it('knows the secrets of this file: keys, client secrets, digests, nonces, hashes', () => {
    const kinds = new Set(registeredSecrets().map((s) => s.what));
    for (const what of [
      'API token key',
      'OAuth2 client secret',
      'authorization_codes digest',
      'authorization_codes nonce',
      'access_tokens digest',
      'refresh_tokens digest',
      'password',
      'password hash',
      'SECRET_KEY',
    ]) {
      expect([...kinds]).toContain(what);
    }
  });

  it('captures every log line, at trace level, including each request', async () => {
    const before = capturedLines.length;
    const res = await client.request('GET', `${API}/core/users/me/`, viewer.auth);
    expect(res.status).toBe(200);
    // pino writes the request's line once the answer is sent.
    await new Promise((resolve) => setImmediate(resolve));
    const lines = capturedLines.slice(before).map((line) => JSON.parse(line));
    expect(lines).toContainEqual(
      expect.objectContaining({ req: expect.objectContaining({ url: `${API}/core/users/me/` }) }),
    );
    // Debug and trace lines are captured too: the level of test apps is `trace`.
    expect(testLogLevel()).toBe('trace');
    new Logger('SecretsSpec').debug('a debug line');
    expect(JSON.parse(capturedLines.at(-1)!)).toEqual(
      expect.objectContaining({ level: 20, context: 'SecretsSpec', msg: 'a debug line' }),
    );
  });

  it('finds a secret in a line, raw or JSON-escaped', () => {
    const secret = registeredSecrets().find((s) => s.what === 'API token key')!;
    expect(leakingLines([`{"msg":"key ${secret.value}"}\n`])).toHaveLength(1);
    expect(leakingLines([JSON.stringify({ msg: `"${secret.value}"` })])).toHaveLength(1);
    expect(leakingLines(['{"msg":"nothing here"}\n'])).toHaveLength(0);
  });
});

describe('logging at trace level prints no secret a request carries', () => {
  it('keeps keys, secrets and passwords of headers, query strings and bodies out of the logs', async () => {
    const before = capturedLines.length;
    const unknownKey = 'not-a-real-key-but-maybe-a-mistyped-one-5e1d';
    const cookie = 'sessionid=cookie-value-that-is-secret-77aa';
    const clientSecret = 'client-secret-set-through-the-api-0b9e';
    registerSecret('a key someone mistyped', unknownKey);
    registerSecret('a cookie', cookie);
    registerSecret('OAuth2 client secret', clientSecret);
    const key = registeredSecrets().find((s) => s.what === 'API token key')!.value;

    const requests: [string, string, string | undefined, unknown?][] = [
      ['GET', `${API}/oauth2/authorization_codes/?search=${encodeURIComponent(key)}`, admin.auth],
      ['GET', `${API}/core/users/?search=${encodeURIComponent(PASSWORD)}`, admin.auth],
      ['GET', `${API}/core/users/me/`, `Bearer ${unknownKey}`],
      ['GET', `${API}/core/users/me/`, `Basic ${Buffer.from(`u:${PASSWORD}`).toString('base64')}`],
      [
        'PATCH',
        `${API}/providers/oauth2/${providers[0]}/`,
        admin.auth,
        { client_secret: clientSecret },
      ],
      ['POST', `${API}/core/users/${viewer.id}/set_password/`, admin.auth, { password: PASSWORD }],
      ['POST', `${API}/core/tokens/`, admin.auth, { identifier: 'logged-token', intent: 'api' }],
      ['POST', `${API}/core/tokens/`, admin.auth, { identifier: 'bad', key: key, intent: 'nope' }],
      ['GET', `${API}/core/tokens/made-by-api/view_key/`, admin.auth],
    ];
    for (const [method, path, auth, body] of requests) {
      const res = await client.request(method, path, auth, body);
      expect(res.status).toBeLessThan(500);
    }
    // Headers a proxy or browser might add.
    await t.http
      .get(`${API}/core/users/me/`)
      .set('Authorization', admin.auth)
      .set('Cookie', cookie)
      .set('X-Api-Key', key);
    await new Promise((resolve) => setImmediate(resolve));

    const lines = capturedLines.slice(before);
    expect(lines.length).toBeGreaterThanOrEqual(requests.length + 1);
    const leaks = leakingLines(lines);
    expect(leaks.map(({ secrets }) => secrets.map((s: Secret) => s.what))).toEqual([]);
    // And the created token's key, known only from its answer, is not logged either.
    const created = (
      await t.fixtures.db.query(`SELECT identifier FROM tokens WHERE identifier = 'logged-token'`)
    )[0];
    expect(created).toBeDefined();
    await harvestSecrets(t.app.get(DataSource), t.app.get(SecretBox));
    expect(leakingLines(lines)).toEqual([]);
  });
});

/** Lists and every item route of each resource, walked as `auth`. */
async function crawl(auth: string | undefined, visit: (res: RawResponse, path: string) => void) {
  const lists: [string, (item: Record<string, unknown>) => string[]][] = [
    ['/core/users/', (u) => [`/core/users/${u.pk}/`]],
    ['/core/groups/', (g) => [`/core/groups/${g.pk}/?include_users=true`]],
    ['/rbac/roles/', (r) => [`/rbac/roles/${r.pk}/`]],
    [
      '/providers/oauth2/',
      (p) => [`/providers/oauth2/${p.pk}/`, `/providers/oauth2/${p.pk}/used_by/`],
    ],
    ['/core/applications/', (a) => [`/core/applications/${a.slug}/`]],
    [
      '/core/tokens/',
      (k) => [`/core/tokens/${k.identifier}/`, `/core/tokens/${k.identifier}/view_key/`],
    ],
    ...GRANT_KINDS.map((kind): [string, (item: Record<string, unknown>) => string[]] => [
      `/${kind.routes.path}/`,
      (g) => [`/${kind.routes.path}/${g.pk}/`, `/${kind.routes.path}/${g.pk}/used_by/`],
    ]),
  ];
  // What the admin sees names every object; the caller under test asks for each of them.
  for (const [list, items] of lists) {
    const all = await client.request('GET', `${API}${list}?page_size=100`, admin.auth);
    expect(all.status).toBe(200);
    const paths = [`${list}?page_size=100&include_groups=true&include_users=true`];
    for (const item of (all.body as { results: Record<string, unknown>[] }).results) {
      paths.push(...items(item));
    }
    for (const path of paths) visit(await client.request('GET', `${API}${path}`, auth), path);
  }
  for (const path of ['/core/users/me/', '/rbac/permissions/?page_size=100', '/schema/']) {
    visit(await client.request('GET', `${API}${path}`, auth), path);
  }
}

describe('answers carry no secret to callers not entitled to it', () => {
  it('shows a superuser the secrets (so the checks below look where secrets are)', async () => {
    const res = await client.request('GET', `${API}/providers/oauth2/?page_size=100`, admin.auth);
    const secrets = secretsIn(res.text).map((s) => s.what);
    expect(secrets).toContain('OAuth2 client secret');
    const key = await client.request('GET', `${API}/core/tokens/made-by-api/view_key/`, admin.auth);
    expect(secretsIn(key.text).map((s) => s.what)).toContain(
      'API token key (created through the API)',
    );
  });

  it('gives a viewer of everything but providers and keys no secret on any route', async () => {
    let visited = 0;
    const ownKey = viewer.auth.slice('Bearer '.length);
    await crawl(viewer.auth, (res, path) => {
      visited++;
      expect({ path, status: res.status < 500 }).toEqual({ path, status: true });
      // Its own token's key is the viewer's to read back (view_key), and only there.
      expectNoSecret(res, `GET ${path} as the viewer`, path.endsWith('view_key/') ? [ownKey] : []);
    });
    expect(visited).toBeGreaterThan(30);
  });

  it('gives anonymous callers no secret on any route', async () => {
    await crawl(undefined, (res, path) => {
      expect({ path, status: res.status < 500 }).toEqual({ path, status: true });
      expectNoSecret(res, `GET ${path} anonymously`);
    });
  });

  it('gives an owner of grants the redacted provider, not its secret', async () => {
    const owner = await t.fixtures.caller();
    const code = await t.fixtures.code({ user: owner.id, provider: providers[1]! });
    const res = await client.request(
      'GET',
      `${API}/oauth2/authorization_codes/${code}/`,
      owner.auth,
    );
    expect(res.status).toBe(200);
    expect((res.body as { provider: { client_secret: string } }).provider.client_secret).toBe('');
    expectNoSecret(res, 'an owner reading its own code');
  });
});
