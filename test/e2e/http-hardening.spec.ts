/**
 * Issue 7 §7, HTTP hardening: security headers (helmet) with a Content-Security-Policy Swagger UI
 * lives with, no X-Powered-By, the body size limit, the request timeout and Node's own limits
 * against slow clients, CORS off by default and configurable. Runs on the adapter the suite runs
 * on (TEST_HTTP_ADAPTER=express|fastify).
 */
import type { Server } from 'node:http';
import net, { type AddressInfo } from 'node:net';
import pg from 'pg';
import { startTestApp, type TestApp } from '../support/app.js';

type Headers = Record<string, string | string[] | undefined>;

/** The port of the app's server, listening on a free local port. */
async function portOf(t: TestApp): Promise<number> {
  const server = t.app.getHttpServer() as Server;
  if (!server.listening) {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  }
  return (server.address() as AddressInfo).port;
}

interface RawExchange {
  /** Everything the server sent before it closed the connection. */
  text: string;
  status: number;
  headers: Record<string, string>;
  body: string;
  /** Whether the server closed the connection (rather than the test giving up). */
  closedByServer: boolean;
}

/**
 * Sends `head` (and `chunks`, one every `intervalMs`) on a raw connection and reads until the
 * server closes it, or `giveUpMs` passes.
 */
function rawExchange(
  port: number,
  head: string,
  { chunks = [] as string[], intervalMs = 100, giveUpMs = 15_000 } = {},
): Promise<RawExchange> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let text = '';
    let closedByServer = false;
    const pending = [...chunks];
    const trickle = setInterval(() => {
      const next = pending.shift();
      if (next !== undefined && !socket.destroyed) socket.write(next);
    }, intervalMs);
    const giveUp = setTimeout(() => socket.destroy(), giveUpMs);
    socket.setEncoding('utf8');
    socket.on('data', (data: string) => (text += data));
    socket.on('end', () => (closedByServer = true));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'ECONNRESET') reject(error);
      closedByServer = true;
    });
    socket.on('close', () => {
      clearInterval(trickle);
      clearTimeout(giveUp);
      const [rawHead = '', ...rest] = text.split('\r\n\r\n');
      const [statusLine = '', ...lines] = rawHead.split('\r\n');
      const headers = Object.fromEntries(
        lines.map((line) => {
          const colon = line.indexOf(':');
          return [line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim()];
        }),
      );
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(statusLine)?.[1] ?? 0);
      resolve({ text, status, headers, body: rest.join('\r\n\r\n'), closedByServer });
    });
    socket.write(head);
  });
}

/** The directives of a Content-Security-Policy header. */
function directives(csp: string | undefined): Map<string, string[]> {
  return new Map(
    (csp ?? '')
      .split(';')
      .map((part) => part.trim().split(/\s+/))
      .filter(([name]) => name)
      .map(([name, ...values]) => [name!, values]),
  );
}

function expectSecurityHeaders(headers: Headers) {
  expect(headers['x-powered-by']).toBeUndefined();
  expect(headers['x-content-type-options']).toBe('nosniff');
  expect(headers['x-frame-options']).toBe('SAMEORIGIN');
  expect(headers['referrer-policy']).toBe('no-referrer');
  expect(headers['cross-origin-opener-policy']).toBe('same-origin');
  expect(headers['cross-origin-resource-policy']).toBe('same-origin');
  expect(headers['strict-transport-security']).toMatch(/^max-age=\d+/);
  const csp = directives(headers['content-security-policy'] as string | undefined);
  expect(csp.get('default-src')).toEqual(["'self'"]);
  expect(csp.get('script-src')).toEqual(["'self'"]);
  expect(csp.get('object-src')).toEqual(["'none'"]);
  expect(csp.get('frame-ancestors')).toEqual(["'self'"]);
  // The service is often reached over plain HTTP: no upgrade of its own assets to https.
  expect(csp.has('upgrade-insecure-requests')).toBe(false);
}

describe('HTTP hardening: security headers', () => {
  let t: TestApp;
  let auth: string;
  beforeAll(async () => {
    t = await startTestApp();
    auth = (await t.fixtures.superCaller()).auth;
  });
  afterAll(() => t.close());

  it.each<[string, (t: TestApp, auth: string) => Promise<{ status: number; headers: Headers }>]>([
    [
      'a list',
      (t, auth) => t.http.get('/api/v3/oauth2/authorization_codes/').set('Authorization', auth),
    ],
    ['an anonymous 403', (t) => t.http.get('/api/v3/core/users/')],
    ['a 404 under the API', (t, auth) => t.http.get('/api/v3/nope/').set('Authorization', auth)],
    ['a 404 outside it', (t) => t.http.get('/nope')],
    ['a 405', (t, auth) => t.http.put('/api/v3/core/users/').set('Authorization', auth)],
    [
      'a malformed path',
      (t, auth) => t.http.get('/api/v3/core/users/%E0%A4%A/').set('Authorization', auth),
    ],
    [
      'a malformed JSON body',
      (t, auth) =>
        t.http
          .post('/api/v3/core/groups/')
          .set('Authorization', auth)
          .set('Content-Type', 'application/json')
          .send('{"name":'),
    ],
    ['the health probe', (t) => t.http.get('/-/health/live/')],
    ['the schema', (t) => t.http.get('/api/v3/schema/')],
    ['the docs page', (t) => t.http.get('/api/v3/docs/')],
    ['a docs asset', (t) => t.http.get('/api/v3/docs/swagger-ui.css')],
  ])('are on %s, and X-Powered-By is not', async (_label, send) => {
    const res = await send(t, auth);
    expect(res.status).toBeGreaterThanOrEqual(200);
    expectSecurityHeaders(res.headers);
  });

  it('keeps API answers out of caches, docs assets included', async () => {
    for (const path of ['/api/v3/schema/', '/api/v3/docs/', '/api/v3/docs/swagger-ui.css']) {
      const res = await t.http.get(path);
      expect(res.status).toBe(200);
      expect(res.headers['cache-control']).toBe('no-store');
    }
  });

  describe('the Content-Security-Policy lets Swagger UI work', () => {
    it.each([
      ['/api/v3/docs/', '/api/v3/docs/'],
      ['/api/v3/docs', '/api/v3/'],
    ])('at %s: every script and stylesheet is same-origin, and served', async (page, base) => {
      const res = await t.http.get(page);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      const html = res.text;
      const csp = directives(res.headers['content-security-policy']);

      // script-src 'self' and script-src-attr 'none': no inline script, no inline handlers.
      const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)];
      expect(scripts.length).toBeGreaterThan(0);
      for (const [, attributes, content] of scripts) {
        expect(attributes).toMatch(/\bsrc=/);
        expect(content!.trim()).toBe('');
      }
      expect(html).not.toMatch(/\son[a-z]+\s*=/i);
      // Inline <style> blocks need style-src 'unsafe-inline'.
      if (/<style\b/i.test(html)) expect(csp.get('style-src')).toContain("'unsafe-inline'");

      const urls = [
        ...[...html.matchAll(/<script\b[^>]*\bsrc=["']([^"']+)["']/gi)].map((m) => m[1]!),
        ...[...html.matchAll(/<link\b[^>]*\bhref=["']([^"']+)["']/gi)].map((m) => m[1]!),
      ];
      expect(urls.length).toBeGreaterThanOrEqual(4);
      const origin = 'http://service.test';
      for (const url of urls) {
        const resolved = new URL(url, `${origin}${base}`);
        // 'self' is all default-src, script-src and style-src allow for assets.
        expect(resolved.origin).toBe(origin);
        const asset = await t.http.get(resolved.pathname);
        expect([resolved.pathname, asset.status]).toEqual([resolved.pathname, 200]);
        // nosniff: each asset must be served with its own type.
        if (url.endsWith('.js')) {
          expect(asset.headers['content-type']).toMatch(/^(application|text)\/javascript/);
        }
        if (url.endsWith('.css')) expect(asset.headers['content-type']).toMatch(/^text\/css/);
        if (url.endsWith('.png')) expect(asset.headers['content-type']).toMatch(/^image\/png/);
      }
    });

    it("allows the data: images of Swagger UI's stylesheet", async () => {
      const css = await t.http.get('/api/v3/docs/swagger-ui.css');
      expect(css.text).toMatch(/url\(["']?data:image\//);
      const page = await t.http.get('/api/v3/docs/');
      expect(directives(page.headers['content-security-policy']).get('img-src')).toEqual(
        expect.arrayContaining(["'self'", 'data:']),
      );
    });
  });
});

describe('HTTP hardening: body size limit', () => {
  let t: TestApp;
  let auth: string;
  beforeAll(async () => {
    t = await startTestApp({
      http: { bodyLimitBytes: 4096, requestTimeoutMs: 30_000, corsOrigins: [] },
    });
    auth = (await t.fixtures.superCaller()).auth;
  });
  afterAll(() => t.close());

  const name = (bytes: number) => JSON.stringify({ name: 'g'.repeat(bytes - 11) });

  it('reads a body up to BODY_LIMIT_BYTES', async () => {
    const body = name(4000);
    expect(Buffer.byteLength(body)).toBe(4000);
    const res = await t.http
      .post('/api/v3/core/groups/')
      .set('Authorization', auth)
      .set('Content-Type', 'application/json')
      .send(body);
    expect(res.status).toBe(201);
    expect(res.body.name).toHaveLength(4000 - 11);
  });

  it.each([
    ['application/json', name(5000)],
    ['application/x-www-form-urlencoded', `name=${'g'.repeat(5000)}`],
  ])('answers a larger %s body 413 with a contract body', async (type, body) => {
    const res = await t.http
      .post('/api/v3/core/groups/')
      .set('Authorization', auth)
      .set('Content-Type', type)
      .send(body);
    expect(res.status).toBe(413);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body).toEqual({ detail: 'Request body is too large.' });
    expectSecurityHeaders(res.headers);
  });

  it('refuses a body announced too large at once, without waiting for it', async () => {
    const port = await portOf(t);
    const res = await rawExchange(
      port,
      'POST /api/v3/core/groups/ HTTP/1.1\r\nHost: localhost\r\n' +
        `Authorization: ${auth}\r\nContent-Type: application/json\r\n` +
        'Content-Length: 1000000000\r\n\r\n{"name":',
    );
    expect(res.status).toBe(413);
    expect(res.closedByServer).toBe(true);
    expect(JSON.parse(res.body)).toEqual({ detail: 'Request body is too large.' });
  });

  it('refuses compressed bodies rather than inflating them', async () => {
    const res = await t.http
      .post('/api/v3/core/groups/')
      .set('Authorization', auth)
      .set('Content-Type', 'application/json')
      .set('Content-Encoding', 'gzip')
      .send(Buffer.from([0x1f, 0x8b, 0x08, 0x00]));
    expect(res.status).toBe(415);
    expect(res.body).toEqual({ detail: 'content encoding unsupported' });
  });
});

describe('HTTP hardening: request timeout', () => {
  const TIMEOUT_MS = 500;
  let t: TestApp;
  let auth: string;
  let port: number;
  beforeAll(async () => {
    t = await startTestApp({
      http: { bodyLimitBytes: 1024 * 1024, requestTimeoutMs: TIMEOUT_MS, corsOrigins: [] },
    });
    auth = (await t.fixtures.superCaller()).auth;
    port = await portOf(t);
  });
  afterAll(() => t.close());

  it('answers a request the server cannot finish in time 503, with the contract body', async () => {
    // Another session holds the API tokens table: authentication waits for it.
    const blocker = new pg.Client({ connectionString: t.database.url });
    await blocker.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query('LOCK TABLE tokens IN ACCESS EXCLUSIVE MODE');
      const res = await t.http.get('/api/v3/core/users/me/').set('Authorization', auth);
      expect(res.status).toBe(503);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.body).toEqual({ detail: 'Service temporarily unavailable.' });
      expect(res.headers.connection).toBe('close');
      expect(res.headers['cache-control']).toBe('no-store');
      expectSecurityHeaders(res.headers);
    } finally {
      await blocker.query('ROLLBACK');
      await blocker.end();
    }
    // The handler's late answer is dropped; the service goes on answering.
    const again = await t.http.get('/api/v3/core/users/me/').set('Authorization', auth);
    expect(again.status).toBe(200);
  });

  it('answers a client whose body does not arrive in time 408, then closes', async () => {
    const res = await rawExchange(
      port,
      'POST /api/v3/core/groups/ HTTP/1.1\r\nHost: localhost\r\n' +
        `Authorization: ${auth}\r\nContent-Type: application/json\r\nContent-Length: 40\r\n\r\n` +
        '{"name":',
    );
    expect(res.status).toBe(408);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(res.body)).toEqual({ detail: 'The request was not received in time.' });
    expect(res.closedByServer).toBe(true);
  });

  it('cuts off headers that trickle in (slowloris) with a JSON 408', async () => {
    // One more header line every 100 ms, for far longer than the timeout: never a full request.
    const res = await rawExchange(port, 'GET /-/health/live/ HTTP/1.1\r\nHost: localhost\r\n', {
      chunks: Array.from({ length: 100 }, (_, i) => `X-Slow-${i}: ${i}\r\n`),
      intervalMs: 100,
    });
    expect(res.closedByServer).toBe(true);
    expect(res.status).toBe(408);
    expect(JSON.parse(res.body)).toEqual({ detail: 'The request was not received in time.' });
  });

  it('leaves requests answered in time alone', async () => {
    const res = await t.http.get('/api/v3/core/users/me/').set('Authorization', auth);
    expect(res.status).toBe(200);
    expect(res.body).toHaveProperty('user');
  });
});

describe('HTTP hardening: CORS', () => {
  const preflight = (t: TestApp, origin: string) =>
    t.http
      .options('/api/v3/core/users/')
      .set('Origin', origin)
      .set('Access-Control-Request-Method', 'DELETE')
      .set('Access-Control-Request-Headers', 'authorization,content-type');
  const corsHeaders = (headers: Headers) =>
    Object.keys(headers).filter((name) => name.startsWith('access-control-'));

  describe('off by default', () => {
    let t: TestApp;
    let auth: string;
    beforeAll(async () => {
      t = await startTestApp();
      auth = (await t.fixtures.superCaller()).auth;
    });
    afterAll(() => t.close());

    it('adds no Access-Control-* header to an answer', async () => {
      const res = await t.http
        .get('/api/v3/core/users/')
        .set('Authorization', auth)
        .set('Origin', 'https://admin.example.com');
      expect(res.status).toBe(200);
      expect(corsHeaders(res.headers)).toEqual([]);
    });

    it('does not answer a preflight with CORS headers', async () => {
      // A preflight carries no credentials: OPTIONS is answered as any other anonymous call.
      const res = await preflight(t, 'https://admin.example.com');
      expect(corsHeaders(res.headers)).toEqual([]);
      expect(res.status).toBe(403);
      expect(res.body).toEqual({ detail: 'Authentication credentials were not provided.' });
    });
  });

  describe('CORS_ORIGINS=https://admin.example.com,http://localhost:3000', () => {
    let t: TestApp;
    let auth: string;
    beforeAll(async () => {
      t = await startTestApp({
        http: {
          bodyLimitBytes: 1024 * 1024,
          requestTimeoutMs: 30_000,
          corsOrigins: ['https://admin.example.com', 'http://localhost:3000'],
        },
      });
      auth = (await t.fixtures.superCaller()).auth;
    });
    afterAll(() => t.close());

    it('allows a listed origin, without credentials', async () => {
      const res = await t.http
        .get('/api/v3/core/users/')
        .set('Authorization', auth)
        .set('Origin', 'http://localhost:3000');
      expect(res.status).toBe(200);
      expect(res.headers['access-control-allow-origin']).toBe('http://localhost:3000');
      expect(res.headers['access-control-allow-credentials']).toBeUndefined();
      expect(res.headers.vary).toMatch(/\bOrigin\b/i);
      expect(res.headers['access-control-expose-headers']).toMatch(/\bX-Request-Id\b/i);
    });

    it('answers the preflight of a listed origin 204', async () => {
      const res = await preflight(t, 'https://admin.example.com');
      expect(res.status).toBe(204);
      expect(res.headers['access-control-allow-origin']).toBe('https://admin.example.com');
      expect(res.headers['access-control-allow-methods']).toMatch(/\bDELETE\b/);
      expect(res.headers['access-control-allow-headers']).toMatch(/\bAuthorization\b/i);
      expect(res.headers['access-control-allow-headers']).toMatch(/\bContent-Type\b/i);
      expect(res.headers['access-control-allow-credentials']).toBeUndefined();
    });

    it('does not allow any other origin', async () => {
      for (const origin of ['https://evil.example', 'https://admin.example.com.evil.example']) {
        const res = await t.http
          .get('/api/v3/core/users/')
          .set('Authorization', auth)
          .set('Origin', origin);
        expect(res.status).toBe(200);
        expect(res.headers['access-control-allow-origin']).toBeUndefined();
        const pre = await preflight(t, origin);
        expect(pre.headers['access-control-allow-origin']).toBeUndefined();
      }
    });
  });

  describe('CORS_ORIGINS=*', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp({
        http: { bodyLimitBytes: 1024 * 1024, requestTimeoutMs: 30_000, corsOrigins: ['*'] },
      });
    });
    afterAll(() => t.close());

    it('allows every origin, without credentials', async () => {
      const res = await t.http.get('/-/health/live/').set('Origin', 'https://anyone.example');
      expect(res.headers['access-control-allow-origin']).toBe('*');
      expect(res.headers['access-control-allow-credentials']).toBeUndefined();
      const pre = await preflight(t, 'https://anyone.example');
      expect(pre.status).toBe(204);
      expect(pre.headers['access-control-allow-origin']).toBe('*');
    });
  });
});
