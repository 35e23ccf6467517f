import { randomBytes } from 'node:crypto';
import { jest } from '@jest/globals';
import { IncomingMessage, ServerResponse } from 'node:http';
import { NestFactory } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { Redis } from 'ioredis';
import { errors } from 'oidc-provider';
import { hashPassword } from '../../src/bootstrap/bootstrap.service.js';
import type { RuntimeConfig } from '../../src/config/config.js';
import { InteractionProviders } from '../../src/oidc/interaction-providers.js';
import {
  DEFAULT_SIGN_IN_LIMITS,
  SIGN_IN_LIMITS,
  type SignInLimits,
} from '../../src/sign-in/sign-in-attempts.js';
import { SignInCsrf } from '../../src/sign-in/sign-in-csrf.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { registerSecret } from '../support/secret-registry.js';

/**
 * The sign-in page against a fake engine that behaves as oidc-provider does at the two calls the
 * page makes: it finds the interaction by its `_interaction` cookie (not by the URL), and
 * `interactionFinished` answers 303 to the resume URL. Real PostgreSQL, both HTTP adapters.
 */

interface Finished {
  uid: string;
  result: unknown;
  options: unknown;
  /** Node's own request and response reached the engine (not Fastify's wrappers). */
  nodeObjects: boolean;
}

class FakeEngine {
  readonly interactions = new Map<string, { clientId: string; redirectUri: string }>();
  readonly finished: Finished[] = [];

  /** A pending interaction, as oidc-provider creates one when /authorize needs a sign-in. */
  open(clientId: string, redirectUri = 'https://app.example.com/callback'): string {
    const uid = randomBytes(16).toString('base64url');
    this.interactions.set(uid, { clientId, redirectUri });
    return uid;
  }

  forInteraction(uid: string) {
    if (!this.interactions.has(uid)) return Promise.resolve(undefined);
    return Promise.resolve({
      interactionDetails: (req: IncomingMessage) => Promise.resolve(this.details(req)),
      interactionFinished: (
        req: IncomingMessage,
        res: ServerResponse,
        result: unknown,
        options: unknown,
      ) => {
        const { uid: found } = this.details(req);
        this.finished.push({
          uid: found,
          result,
          options,
          nodeObjects: req instanceof IncomingMessage && res instanceof ServerResponse,
        });
        res.statusCode = 303;
        res.setHeader('Location', `/application/o/authorize/${found}`);
        res.setHeader('Content-Length', '0');
        res.end();
        return Promise.resolve();
      },
    });
  }

  private details(req: IncomingMessage) {
    const id = /(?:^|;\s*)_interaction=([^;]+)/.exec(req.headers.cookie ?? '')?.[1];
    if (!id) throw new errors.SessionNotFound('interaction session id cookie not found');
    const interaction = this.interactions.get(id);
    if (!interaction) throw new errors.SessionNotFound('interaction session not found');
    return {
      uid: id,
      params: { client_id: interaction.clientId, redirect_uri: interaction.redirectUri },
      prompt: { name: 'login' },
    };
  }
}

/** Small limits for the rate-limit tests (the others run with the defaults). */
const LIMITS: SignInLimits = { perAddressAndUsername: 3, perAddress: 5, windowMs: 60_000 };

/**
 * The whole application (createApp: both adapters' set-up, global prefix, guards) with the
 * engine and the limits replaced through Nest's DI: NestFactory.create goes through a testing
 * module while it starts.
 */
async function startWithFakeEngine(
  engine: FakeEngine,
  limits: SignInLimits,
  overrides: Partial<RuntimeConfig> = {},
): Promise<TestApp> {
  const create = NestFactory.create.bind(NestFactory);
  NestFactory.create = (async (module: never, ...rest: unknown[]) => {
    const moduleRef = await Test.createTestingModule({ imports: [module] })
      .overrideProvider(InteractionProviders)
      .useValue(engine)
      .overrideProvider(SIGN_IN_LIMITS)
      .useValue(limits)
      .compile();
    const [adapterOrOptions, options] = rest as [never, never];
    const isAdapter = !!(adapterOrOptions as { patch?: unknown } | undefined)?.patch;
    return isAdapter
      ? moduleRef.createNestApplication(adapterOrOptions, options)
      : moduleRef.createNestApplication(adapterOrOptions);
  }) as typeof NestFactory.create;
  try {
    return await startTestApp(overrides);
  } finally {
    NestFactory.create = create;
  }
}

const PASSWORD = 'correct horse battery staple 42';
const BOOTSTRAP_PASSWORD = 'bootstrap-password-for-sign-in-7';
registerSecret('test password', PASSWORD);

const path = (uid: string) => `/if/flow/sign-in/${uid}/`;
const cookie = (uid: string) => `_interaction=${uid}`;
const csrfOf = (html: string) => /name="csrf_token" value="([^"]+)"/.exec(html)?.[1] ?? '';

describe('sign-in page', () => {
  const engine = new FakeEngine();
  let t: TestApp;
  let clientId: string;
  let seq = 0;

  beforeAll(async () => {
    t = await startWithFakeEngine(engine, DEFAULT_SIGN_IN_LIMITS, {
      bootstrap: { password: BOOTSTRAP_PASSWORD },
    });
    clientId = `sign-in-client-${randomBytes(4).toString('hex')}`;
    const provider = await t.fixtures.provider({ name: 'Sign-in provider', clientId });
    await t.fixtures.application({ name: 'Grafana <Ops> & "Co"', provider });
  });
  afterAll(() => t?.close());

  /** A user with PASSWORD (or none), active or not. */
  async function user(spec: { password?: string | null; isActive?: boolean } = {}) {
    const username = `signer_${++seq}_${randomBytes(3).toString('hex')}`;
    const id = await t.fixtures.user({ username, isActive: spec.isActive ?? true });
    const password = spec.password === undefined ? PASSWORD : spec.password;
    if (password !== null) {
      const hash = await hashPassword(password);
      registerSecret('password hash', hash);
      await t.fixtures.db.query('UPDATE users SET password_hash = $1 WHERE id = $2', [hash, id]);
    }
    return { id, username };
  }

  /** GETs the page of a new interaction; returns its uid and the form's CSRF token. */
  async function openForm(client = clientId) {
    const uid = engine.open(client);
    const page = await t.http.get(path(uid)).set('Cookie', cookie(uid)).expect(200);
    return { uid, csrf: csrfOf(page.text), page };
  }

  function post(uid: string, form: Record<string, string> | string, cookieUid = uid) {
    return t.http
      .post(path(uid))
      .set('Cookie', cookie(cookieUid))
      .type('form')
      .send(form as object);
  }

  async function lastLogin(id: number): Promise<Date | null> {
    const [row] = await t.fixtures.db.query('SELECT last_login FROM users WHERE id = $1', [id]);
    return (row as { last_login: Date | null }).last_login;
  }

  describe('GET', () => {
    it('renders an accessible form for the application, outside /api/v3', async () => {
      const { uid, csrf, page } = await openForm();
      expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(page.headers['cache-control']).toBe('no-store');
      const html = page.text;
      expect(html).toMatch(/^<!doctype html>\n<html lang="en">/);
      expect(html).toContain(`<form method="post" action="/if/flow/sign-in/${uid}/">`);
      expect(csrf).toMatch(/^[\w-]+-[\w-]+$/);
      expect(html).toMatch(/<label for="username">Username<\/label>/);
      expect(html).toMatch(
        /<input id="username" name="username" type="text" autocomplete="username"[^>]* required/,
      );
      expect(html).toMatch(/<label for="password">Password<\/label>/);
      expect(html).toMatch(
        /<input id="password" name="password" type="password" autocomplete="current-password" required>/,
      );
      expect(html).toContain('<button type="submit">Sign in</button>');
      expect(html).not.toContain('role="alert"');
      expect(html).not.toMatch(/<script|<link|src=/i);
      // A style element allowed by hash; the form's redirects may reach the client's origin.
      const csp = page.headers['content-security-policy'] as string;
      expect(csp).toMatch(/default-src 'none'/);
      expect(csp).toMatch(/style-src 'sha256-[\w+/=]+'/);
      expect(csp).toContain("form-action 'self' https://app.example.com");
      expect(csp).not.toContain('unsafe-inline');
      await t.http
        .get(`/api/v3${path(uid)}`)
        .set('Cookie', cookie(uid))
        .expect(404);
    });

    it('escapes a hostile application name in the title and heading', async () => {
      const { page } = await openForm();
      expect(page.text).toContain(
        '<title>Sign in to Grafana &lt;Ops&gt; &amp; &quot;Co&quot;</title>',
      );
      expect(page.text).toContain('<h1>Sign in to Grafana &lt;Ops&gt; &amp; &quot;Co&quot;</h1>');
      expect(page.text).not.toContain('<Ops>');
    });

    it('falls back to the provider name, then to a plain heading', async () => {
      const lone = `lone-client-${randomBytes(3).toString('hex')}`;
      await t.fixtures.provider({
        name: 'Provider <without> app',
        clientId: lone,
        redirectUris: 'https://a.example.org/cb\nhttp://localhost:8080/x\ncom.example.app:/cb\n::',
      });
      const { page } = await openForm(lone);
      expect(page.text).toContain('<h1>Sign in to Provider &lt;without&gt; app</h1>');
      // Every redirect URI's origin (a native app's scheme) may end the form's redirects.
      expect(page.headers['content-security-policy']).toContain(
        "form-action 'self' https://a.example.org http://localhost:8080 com.example.app:;",
      );
      const { page: unknown } = await openForm('no-such-client\0');
      expect(unknown.text).toContain('<h1>Sign in</h1>');
    });

    it('answers 400 for an unknown uid, a uid without its cookie, and a cookie of another uid', async () => {
      const uid = engine.open(clientId);
      const other = engine.open(clientId);
      for (const request of [
        t.http.get(path('unknown-uid')).set('Cookie', cookie('unknown-uid')),
        t.http.get(path(uid)),
        t.http.get(path(uid)).set('Cookie', cookie(other)),
        t.http.get(path('bad%00uid')).set('Cookie', cookie(uid)),
        t.http.get(path('x'.repeat(500))),
      ]) {
        const page = await request.expect(400);
        expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
        expect(page.text).toContain('This sign-in request has expired');
        expect(page.text).not.toContain('csrf_token');
      }
    });
  });

  describe('POST', () => {
    it('signs in: 303 to the resume URL, last_login set, the engine told the account', async () => {
      const { id, username } = await user();
      expect(await lastLogin(id)).toBeNull();
      const { uid, csrf } = await openForm();
      const before = Date.now();
      const res = await post(uid, { csrf_token: csrf, username, password: PASSWORD }).expect(303);
      expect(res.headers.location).toBe(`/application/o/authorize/${uid}`);
      const finished = engine.finished.find((entry) => entry.uid === uid);
      expect(finished).toEqual({
        uid,
        result: { login: { accountId: String(id) } },
        options: { mergeWithLastSubmission: false },
        nodeObjects: true,
      });
      const signedInAt = (await lastLogin(id))!.getTime();
      expect(signedInAt).toBeGreaterThan(before - 5_000);
    });

    it('lets akadmin sign in with BOOTSTRAP_PASSWORD', async () => {
      registerSecret('BOOTSTRAP_PASSWORD', BOOTSTRAP_PASSWORD);
      const { uid, csrf } = await openForm();
      await post(uid, { csrf_token: csrf, username: 'akadmin', password: BOOTSTRAP_PASSWORD })
        .expect(303)
        .expect('Location', `/application/o/authorize/${uid}`);
      const [admin] = await t.fixtures.db.query(
        "SELECT id, last_login FROM users WHERE username = 'akadmin'",
      );
      expect(engine.finished.find((entry) => entry.uid === uid)?.result).toEqual({
        login: { accountId: String(admin.id) },
      });
      expect(admin.last_login).not.toBeNull();
    });

    it('answers every failure with the same page: one generic alert, username kept', async () => {
      const good = await user();
      const inactive = await user({ isActive: false });
      const passwordless = await user({ password: null });
      const cases = [
        { username: good.username, password: 'wrong password' },
        { username: `nobody_${randomBytes(4).toString('hex')}`, password: PASSWORD },
        { username: inactive.username, password: PASSWORD },
        { username: passwordless.username, password: PASSWORD },
        { username: passwordless.username, password: '' },
      ];
      const pages: string[] = [];
      for (const form of cases) {
        const { uid, csrf } = await openForm();
        const res = await post(uid, { csrf_token: csrf, ...form }).expect(200);
        expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
        const html = res.text;
        expect(html).toContain(
          '<p id="sign-in-error" class="alert" role="alert">Invalid username or password.</p>',
        );
        expect(html).toMatch(/<input id="username"[^>]* aria-describedby="sign-in-error"/);
        expect(html).toContain(`value="${form.username}"`);
        expect(html).not.toContain(PASSWORD);
        expect(engine.finished.some((entry) => entry.uid === uid)).toBe(false);
        // The same page, but for the username, the uid and the fresh CSRF token.
        pages.push(
          html
            .replaceAll(form.username, 'USER')
            .replaceAll(uid, 'UID')
            .replace(csrfOf(html), 'CSRF'),
        );
      }
      expect(new Set(pages).size).toBe(1);
      expect(await lastLogin(inactive.id)).toBeNull();
      expect(await lastLogin(passwordless.id)).toBeNull();
    });

    it('escapes the username it keeps', async () => {
      const { uid, csrf } = await openForm();
      const res = await post(uid, {
        csrf_token: csrf,
        username: '"><script>alert(1)</script>',
        password: 'x',
      }).expect(200);
      expect(res.text).toContain('value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"');
      expect(res.text).not.toContain('<script>');
    });

    it('refuses a missing, wrong or other-interaction CSRF token with 403', async () => {
      const { username } = await user();
      const { uid } = await openForm();
      const { csrf: otherCsrf } = await openForm();
      for (const token of [undefined, '', 'abc-def', otherCsrf]) {
        const form: Record<string, string> = { username, password: PASSWORD };
        if (token !== undefined) form.csrf_token = token;
        const res = await post(uid, form).expect(403);
        expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
        expect(res.text).toContain('This form could not be verified');
      }
      expect(engine.finished.some((entry) => entry.uid === uid)).toBe(false);
    });

    it('answers 400 once the interaction is gone (expired or finished)', async () => {
      const { username } = await user();
      const { uid, csrf } = await openForm();
      engine.interactions.delete(uid);
      const res = await post(uid, { csrf_token: csrf, username, password: PASSWORD }).expect(400);
      expect(res.text).toContain('This sign-in request has expired');
      // A valid token for this uid, but the browser's cookie names another interaction.
      const { uid: mine, csrf: mineCsrf } = await openForm();
      const other = engine.open(clientId);
      await post(mine, { csrf_token: mineCsrf, username, password: PASSWORD }, other).expect(400);
      // An unknown uid: a token made for it is still no interaction.
      const csrf400 = t.app.get(SignInCsrf).create('unknown-uid');
      await post('unknown-uid', { csrf_token: csrf400, username, password: PASSWORD }).expect(400);
    });

    it('never answers hostile input with a 500', async () => {
      const { username } = await user();
      const { uid, csrf } = await openForm();
      // Fields sent as arrays or objects are no fields: the generic failure, or 403 for the token.
      const hostile: [body: string, status: number][] = [
        [`csrf_token=${csrf}&username[]=${username}&password=${encodeURIComponent(PASSWORD)}`, 200],
        [`csrf_token=${csrf}&username[a]=1&password[]=2`, 200],
        [`csrf_token=${csrf}&username=a%00b&password=c%00d`, 200],
        [`csrf_token=${csrf}&username=${'u'.repeat(200_000)}&password=${'p'.repeat(300_000)}`, 200],
        [`csrf_token=${csrf}`, 200],
        [`csrf_token[]=${csrf}&username=${username}`, 403],
        [`csrf_token=${csrf}&csrf_token=${csrf}&username=${username}`, 403],
      ];
      for (const [body, status] of hostile) {
        const res = await post(uid, body);
        expect({ body: body.slice(0, 80), status: res.status }).toEqual({
          body: body.slice(0, 80),
          status,
        });
        expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
        if (status === 200) expect(res.text).toContain('Invalid username or password.');
      }
      // Not a form: no token read, 403.
      await t.http
        .post(path(uid))
        .set('Cookie', cookie(uid))
        .set('Content-Type', 'application/json')
        .send(JSON.stringify({ csrf_token: csrf, username, password: PASSWORD }))
        .expect(403);
      await t.http
        .post(path(uid))
        .set('Cookie', cookie(uid))
        .set('Content-Type', 'text/plain')
        .send(`csrf_token=${csrf}`)
        .expect(403);
      expect(engine.finished.some((entry) => entry.uid === uid)).toBe(false);
    });
  });

  it('answers an engine or database failure with its own page, no stack trace', async () => {
    const { uid } = await openForm();
    const failing = (error: Error) =>
      jest.spyOn(engine, 'forInteraction').mockRejectedValueOnce(error);
    failing(new Error('engine exploded'));
    const broken = await t.http.get(path(uid)).set('Cookie', cookie(uid)).expect(500);
    expect(broken.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(broken.text).toContain('Signing in is temporarily unavailable.');
    expect(broken.text).not.toContain('exploded');
    failing(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
    const down = await t.http.get(path(uid)).set('Cookie', cookie(uid)).expect(503);
    expect(down.text).not.toContain('ECONNREFUSED');
    jest.restoreAllMocks();
    await t.http.get(path(uid)).set('Cookie', cookie(uid)).expect(200);
  });
});

/** The rate-limit tests also run on Redis: they fail, never skip, when it does not answer. */
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

describe.each([
  ['in memory', undefined],
  ['in Redis', REDIS_URL],
])('sign-in rate limits, counted %s', (_where, redisUrl) => {
  const engine = new FakeEngine();
  const prefix = `grants-api-test:sign-in:${randomBytes(6).toString('hex')}:`;
  let t: TestApp;
  let redis: Redis | undefined;
  let clientId: string;

  beforeAll(async () => {
    if (redisUrl) {
      redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 0 });
      await redis.connect();
    }
    // Each test signs in from its own address (X-Forwarded-For from the trusted proxy).
    t = await startWithFakeEngine(engine, LIMITS, {
      trustProxy: 1,
      redisUrl,
      rateLimit: { perToken: 0, perAnonymousAddress: 0, windowMs: 60_000, redisKeyPrefix: prefix },
    });
    clientId = `limits-client-${randomBytes(4).toString('hex')}`;
    await t.fixtures.provider({ clientId });
  });
  afterAll(async () => {
    if (redis) {
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length > 0) await redis.del(...keys);
      redis.disconnect();
    }
    await t?.close();
  });

  async function attempt(username: string, password: string, address: string) {
    const uid = engine.open(clientId);
    const page = await t.http.get(path(uid)).set('Cookie', cookie(uid)).expect(200);
    return t.http
      .post(path(uid))
      .set('Cookie', cookie(uid))
      .set('X-Forwarded-For', address)
      .type('form')
      .send({ csrf_token: csrfOf(page.text), username, password });
  }

  it('counts failures only: 429 with Retry-After once an address and username failed too often', async () => {
    const username = `limited_${randomBytes(3).toString('hex')}`;
    const id = await t.fixtures.user({ username });
    const hash = await hashPassword(PASSWORD);
    registerSecret('password hash', hash);
    await t.fixtures.db.query('UPDATE users SET password_hash = $1 WHERE id = $2', [hash, id]);

    // Successes never use up the budget.
    for (let i = 0; i < LIMITS.perAddressAndUsername + 1; i++) {
      await attempt(username, PASSWORD, '192.0.2.1').then((res) => expect(res.status).toBe(303));
    }
    for (let i = 0; i < LIMITS.perAddressAndUsername; i++) {
      await attempt(username, 'wrong', '192.0.2.1').then((res) => expect(res.status).toBe(200));
    }
    // Now even the right password is refused, with the page and when to come back.
    const refused = await attempt(username, PASSWORD, '192.0.2.1');
    expect(refused.status).toBe(429);
    expect(refused.headers['content-type']).toBe('text/html; charset=utf-8');
    const retryAfter = Number(refused.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(LIMITS.windowMs / 1000);
    expect(refused.text).toContain('Too many failed sign-in attempts');
    expect(refused.text).toContain(`Try again in ${retryAfter} second`);
    // Another address still may (its own budget), and signs in.
    expect((await attempt(username, PASSWORD, '192.0.2.2')).status).toBe(303);
  });

  it('limits an address across usernames', async () => {
    const statuses: number[] = [];
    for (let i = 0; i <= LIMITS.perAddress; i++) {
      const res = await attempt(
        `spray_${i}_${randomBytes(3).toString('hex')}`,
        'guess',
        '192.0.2.3',
      );
      statuses.push(res.status);
    }
    expect(statuses).toEqual([...Array<number>(LIMITS.perAddress).fill(200), 429]);
    expect((await attempt('spray_other', 'guess', '192.0.2.4')).status).toBe(200);
    if (redis) {
      // The counts are in Redis, under the configured prefix, named without usernames.
      const keys = await redis.keys(`${prefix}sign-in:*`);
      expect(keys.length).toBeGreaterThan(LIMITS.perAddress);
      expect(keys.join(' ')).not.toMatch(/spray|192\.0\.2/);
    }
  });
});
