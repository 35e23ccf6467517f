/**
 * Rate limiting (issue 7 §6): a budget per API token, and per client address for callers without a
 * valid token (anonymous callers, made-up, malformed, expired and deleted keys alike); DRF's 429
 * body with Retry-After; the IETF draft's RateLimit-Limit/-Remaining/-Reset headers on every
 * limited answer; health probes never limited; in this process or in Redis, where instances share
 * one limit and an unreachable Redis lets requests pass rather than refusing them.
 *
 * The Redis tests need the server of TEST_REDIS_URL (default redis://127.0.0.1:6379): without it
 * they fail, they are never skipped. Every app here uses a key prefix of its own.
 */
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import type { INestApplication } from '@nestjs/common';
import { Redis } from 'ioredis';
import request from 'supertest';
import { createApp } from '../../src/app.factory.js';
import type { RuntimeConfig } from '../../src/config/config.js';
import { startTestApp, testConfig, type TestApp } from '../support/app.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const RUN_PREFIX = `grants-api-test:throttling:${randomBytes(6).toString('hex')}:`;

const CODES = '/api/v3/oauth2/authorization_codes/';
const ME = '/api/v3/core/users/me/';
const LIVE = '/-/health/live/';
const READY = '/-/health/ready/';

const NOT_PROVIDED = { detail: 'Authentication credentials were not provided.' };
const TOKEN_INVALID = { detail: 'Token invalid/expired' };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let prefixes = 0;
const nextPrefix = () => `${RUN_PREFIX}${++prefixes}:`;

/** App overrides: the given limits (3 per token, 2 per address unless said), a fresh key prefix. */
function limits(
  rateLimit: Partial<RuntimeConfig['rateLimit']> = {},
  more: Partial<RuntimeConfig> = {},
): Partial<RuntimeConfig> {
  return {
    rateLimit: {
      perToken: 3,
      perAnonymousAddress: 2,
      windowMs: 60_000,
      redisKeyPrefix: nextPrefix(),
      ...rateLimit,
    },
    ...more,
  };
}

/** Fails the calling hook (and so every test of its block) when Redis does not answer. */
async function requireRedis(): Promise<Redis> {
  const client = new Redis(REDIS_URL, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    connectTimeout: 2_000,
    retryStrategy: () => null,
  });
  try {
    await client.connect();
    expect(await client.ping()).toBe('PONG');
  } catch (error) {
    client.disconnect();
    throw new Error(
      `the rate-limit tests need Redis at ${REDIS_URL} (TEST_REDIS_URL): ${(error as Error).message}`,
      { cause: error },
    );
  }
  return client;
}

/** Every key under `prefix`. */
async function keysUnder(redis: Redis, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const batch of redis.scanStream({ match: `${prefix}*`, count: 100 })) {
    keys.push(...(batch as string[]));
  }
  return keys.sort();
}

type Answer = Awaited<ReturnType<ReturnType<typeof request>['get']>>;

function rateLimitHeaders(res: Answer) {
  return {
    limit: res.headers['ratelimit-limit'],
    remaining: res.headers['ratelimit-remaining'],
    reset: res.headers['ratelimit-reset'],
  };
}

/** The exact refusal: DRF's body, Retry-After and the RateLimit headers agreeing with it. */
function expectThrottled(res: Answer, limit: number, windowSeconds = 60): number {
  expect(res.status).toBe(429);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  const wait = Number(res.headers['retry-after']);
  expect(res.headers['retry-after']).toMatch(/^\d+$/);
  expect(wait).toBeGreaterThanOrEqual(1);
  expect(wait).toBeLessThanOrEqual(windowSeconds);
  const unit = wait === 1 ? 'second' : 'seconds';
  expect(res.body).toEqual({
    detail: `Request was throttled. Expected available in ${wait} ${unit}.`,
  });
  expect(rateLimitHeaders(res)).toEqual({
    limit: String(limit),
    remaining: '0',
    reset: String(wait),
  });
  return wait;
}

function expectBudget(res: Answer, limit: number, remaining: number, windowSeconds = 60) {
  expect(rateLimitHeaders(res)).toEqual({
    limit: String(limit),
    remaining: String(remaining),
    reset: expect.stringMatching(/^\d+$/),
  });
  const reset = Number(res.headers['ratelimit-reset']);
  expect(reset).toBeGreaterThanOrEqual(1);
  expect(reset).toBeLessThanOrEqual(windowSeconds);
  expect(res.headers['retry-after']).toBeUndefined();
}

function expectUnlimited(res: Answer) {
  expect(res.headers['ratelimit-limit']).toBeUndefined();
  expect(res.headers['ratelimit-remaining']).toBeUndefined();
  expect(res.headers['ratelimit-reset']).toBeUndefined();
  expect(res.headers['retry-after']).toBeUndefined();
}

let addresses = 0;
/** A client address of its own, as the one trusted proxy in front of the app reports it. */
const client = () => ({ 'X-Forwarded-For': `198.51.100.${++addresses}` });

describe.each([
  ['in this process', undefined],
  ['in Redis', REDIS_URL],
])('rate limits kept %s', (_where, redisUrl) => {
  let t: TestApp;
  let redis: Redis | undefined;

  beforeAll(async () => {
    if (redisUrl) redis = await requireRedis();
    // Behind one proxy: each test is a client of its own through X-Forwarded-For.
    t = await startTestApp(limits({}, { redisUrl, trustProxy: 1 }));
  });
  afterAll(async () => {
    redis?.disconnect();
    await t?.close();
  });

  it('gives each API token a budget of its own across every route, then answers 429', async () => {
    const from = client();
    const first = await t.fixtures.superCaller();
    const second = await t.fixtures.superCaller();
    for (const remaining of [2, 1, 0]) {
      const res = await t.http.get(CODES).set(from).set('Authorization', first.auth);
      expect(res.status).toBe(200);
      // The pagination envelope is untouched by the headers.
      expect(res.body).toEqual({ pagination: expect.any(Object), results: [] });
      expectBudget(res, 3, remaining);
    }
    expectThrottled(await t.http.get(CODES).set(from).set('Authorization', first.auth), 3);
    expectThrottled(await t.http.get(ME).set(from).set('Authorization', first.auth), 3);

    // Another token from the same address, and the same address without a token, still pass;
    // the token's budget costs no query (the principal query is the only one to read tokens).
    t.queries.reset();
    const other = await t.http.get(ME).set(from).set('Authorization', second.auth);
    expect(other.status).toBe(200);
    expect(t.queries.statements.filter((sql) => sql.includes('tokens'))).toHaveLength(1);
    expectBudget(other, 3, 2);
    const anonymous = await t.http.get(CODES).set(from);
    expect(anonymous.status).toBe(403);
    expectBudget(anonymous, 2, 1);
  });

  it('limits anonymous callers per client address', async () => {
    const from = client();
    for (const remaining of [1, 0]) {
      const res = await t.http.get(CODES).set(from);
      expect(res.status).toBe(403);
      expect(res.body).toEqual(NOT_PROVIDED);
      expectBudget(res, 2, remaining);
    }
    expectThrottled(await t.http.get(CODES).set(from), 2);
    // Routes that let anonymous callers through to a 404 spend the same budget.
    expectThrottled(await t.http.get(`${CODES}1/`).set(from), 2);

    const elsewhere = await t.http.get(`${CODES}1/`).set(client());
    expect(elsewhere.status).toBe(404);
    expectBudget(elsewhere, 2, 1);
  });

  it('limits made-up and malformed keys per client address, before authentication', async () => {
    const from = client();
    const madeUp = () => `Bearer ${randomBytes(24).toString('base64url')}`;
    t.queries.reset();
    const res1 = await t.http.get(CODES).set(from).set('Authorization', madeUp());
    // The AuthGuard's principal query only: a key's budget needs no lookup.
    expect(t.queries.count).toBe(1);
    expect(res1.status).toBe(403);
    expect(res1.body).toEqual(TOKEN_INVALID);
    expectBudget(res1, 2, 1);
    const res2 = await t.http.get(CODES).set(from).set('Authorization', 'Bearer two words');
    expect(res2.status).toBe(403);
    expectBudget(res2, 2, 0);

    t.queries.reset();
    expectThrottled(await t.http.get(CODES).set(from).set('Authorization', madeUp()), 2);
    // Refused once the AuthGuard found the key opens nothing: one query, as for any bad key.
    expect(t.queries.count).toBe(1);
    // The address's one budget: anonymous requests from it are refused too.
    expectThrottled(await t.http.get(CODES).set(from), 2);

    // A valid token from that address is not held back by the strangers' keys.
    const caller = await t.fixtures.caller();
    const valid = await t.http.get(ME).set(from).set('Authorization', caller.auth);
    expect(valid.status).toBe(200);
    expectBudget(valid, 3, 2);
  });

  it('moves a deleted or expired token to the address budget at once', async () => {
    const from = client();
    const caller = await t.fixtures.caller();
    const before = await t.http.get(ME).set(from).set('Authorization', caller.auth);
    expect(before.status).toBe(200);
    expectBudget(before, 3, 2);

    await t.database.dataSource.query('DELETE FROM tokens WHERE user_id = $1', [caller.id]);
    const deleted = await t.http.get(ME).set(from).set('Authorization', caller.auth);
    expect(deleted.status).toBe(403);
    expect(deleted.body).toEqual(TOKEN_INVALID);
    expectBudget(deleted, 2, 1);

    const user = await t.fixtures.user();
    const expired = await t.fixtures.apiToken(user, {
      expiring: true,
      expires: new Date(Date.now() - 60_000).toISOString(),
    });
    const late = await t.http.get(ME).set(from).set('Authorization', `Bearer ${expired}`);
    expect(late.status).toBe(403);
    expectBudget(late, 2, 0);
    expectThrottled(await t.http.get(ME).set(from).set('Authorization', caller.auth), 2);
  });

  it('never limits the health probes, nor counts them', async () => {
    const from = client();
    for (let i = 0; i < 5; i++) {
      for (const probe of [LIVE, READY]) {
        const res = await t.http.get(probe).set(from);
        expect(res.status).toBe(200);
        expectUnlimited(res);
      }
    }
    const res = await t.http.get(CODES).set(from);
    expectBudget(res, 2, 1);
  });

  it('trusts only the X-Forwarded-For hop the proxy appended', async () => {
    const address = `203.0.113.${++addresses}`;
    const spoofing = (spoof: string) => ({ 'X-Forwarded-For': `${spoof}, ${address}` });
    expectBudget(await t.http.get(CODES).set(spoofing('10.0.0.1')), 2, 1);
    expectBudget(await t.http.get(CODES).set(spoofing('10.0.0.2')), 2, 0);
    expectThrottled(await t.http.get(CODES).set(spoofing('10.0.0.3')), 2);
  });

  it('counts an IPv6 client as its /64', async () => {
    const net64 = `2001:db8:${(++addresses).toString(16)}:1`;
    const res1 = await t.http.get(CODES).set('X-Forwarded-For', `${net64}::1`);
    expectBudget(res1, 2, 1);
    const res2 = await t.http.get(CODES).set('X-Forwarded-For', `${net64}:ffff::2`);
    expectBudget(res2, 2, 0);
    const otherNet = await t.http.get(CODES).set('X-Forwarded-For', `${net64}1::1`);
    expectBudget(otherNet, 2, 1);
  });

  it('gives a budget back once the window has passed', async () => {
    const short = await startTestApp(
      limits({ perToken: 2, windowMs: 1_000 }, { redisUrl, trustProxy: false }),
    );
    try {
      const caller = await short.fixtures.caller();
      const get = () => short.http.get(ME).set('Authorization', caller.auth);
      expectBudget(await get(), 2, 1, 1);
      expectBudget(await get(), 2, 0, 1);
      // Under a second to go: DRF's singular.
      const wait = expectThrottled(await get(), 2, 1);
      expect(wait).toBe(1);
      await sleep(wait * 1_000 + 100);
      const again = await get();
      expect(again.status).toBe(200);
      expectBudget(again, 2, 1, 1);
    } finally {
      await short.close();
    }
  });
});

describe('rate limit settings', () => {
  it('ignores X-Forwarded-For unless TRUST_PROXY says which proxies to trust', async () => {
    const t = await startTestApp(limits({}, { trustProxy: false }));
    try {
      expectBudget(await t.http.get(CODES).set('X-Forwarded-For', '192.0.2.1'), 2, 1);
      expectBudget(await t.http.get(CODES).set('X-Forwarded-For', '192.0.2.2'), 2, 0);
      expectThrottled(await t.http.get(CODES).set('X-Forwarded-For', '192.0.2.3'), 2);
    } finally {
      await t.close();
    }
  });

  it('turns one limit off with 0 and keeps the other', async () => {
    const t = await startTestApp(limits({ perToken: 0, perAnonymousAddress: 1 }));
    try {
      const caller = await t.fixtures.caller();
      for (let i = 0; i < 5; i++) {
        const res = await t.http.get(ME).set('Authorization', caller.auth);
        expect(res.status).toBe(200);
        expectUnlimited(res);
      }
      expectBudget(await t.http.get(CODES), 1, 0);
      expectThrottled(await t.http.get(CODES), 1);
    } finally {
      await t.close();
    }
  });

  it('installs nothing when both limits are 0 (the test default)', async () => {
    const t = await startTestApp();
    try {
      for (let i = 0; i < 5; i++) {
        const res = await t.http.get(CODES);
        expect(res.status).toBe(403);
        expectUnlimited(res);
      }
    } finally {
      await t.close();
    }
  });
});

/** A TCP relay to Redis that the test can cut and restore on the same port. */
async function redisRelay() {
  const target = new URL(REDIS_URL);
  const sockets = new Set<net.Socket>();
  const server = net.createServer((downstream) => {
    const upstream = net.connect(Number(target.port || 6379), target.hostname);
    for (const socket of [downstream, upstream]) {
      sockets.add(socket);
      socket.on('error', () => {});
      socket.on('close', () => {
        sockets.delete(socket);
        downstream.destroy();
        upstream.destroy();
      });
    }
    downstream.pipe(upstream).pipe(downstream);
  });
  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve((server.address() as net.AddressInfo).port);
      });
    });
  const port = await listen(0);
  return {
    url: `redis://127.0.0.1:${port}`,
    cut: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
    restore: () => listen(port),
  };
}

/** A local port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('rate limits in Redis shared by several instances', () => {
  let redis: Redis;
  let t: TestApp;
  let second: INestApplication;
  let http2: ReturnType<typeof request>;
  const overrides = limits({}, { redisUrl: REDIS_URL });
  const prefix = overrides.rateLimit!.redisKeyPrefix;

  beforeAll(async () => {
    redis = await requireRedis();
    t = await startTestApp(overrides);
    // A second instance of the service: same database, same Redis, same prefix.
    second = await createApp(testConfig(t.database.url, overrides), { poolSize: 2 });
    http2 = request(second.getHttpServer());
  });
  afterAll(async () => {
    await second?.close();
    await t?.close();
    redis?.disconnect();
  });

  it('share one budget per token and per address', async () => {
    const caller = await t.fixtures.caller();
    const one = () => t.http.get(ME).set('Authorization', caller.auth);
    const two = () => http2.get(ME).set('Authorization', caller.auth);
    expectBudget(await one(), 3, 2);
    expectBudget(await two(), 3, 1);
    expectBudget(await one(), 3, 0);
    expectThrottled(await two(), 3);
    expectThrottled(await one(), 3);

    expectBudget(await http2.get(CODES), 2, 1);
    expectBudget(await t.http.get(CODES), 2, 0);
    expectThrottled(await http2.get(CODES), 2);
  });

  it('keeps hashed key digests and addresses in Redis, never a key, and lets them expire', async () => {
    const caller = await t.fixtures.caller();
    const key = caller.auth.slice('Bearer '.length);
    expect((await t.http.get(ME).set('Authorization', caller.auth)).status).toBe(200);
    await t.http.get(CODES);
    const keys = await keysUnder(redis, prefix);
    expect(keys).toEqual(
      expect.arrayContaining([
        expect.stringMatching(new RegExp(`^${prefix}token:[\\w-]{22}$`)),
        `${prefix}address:127.0.0.1`,
      ]),
    );
    for (const name of keys) {
      expect(name).not.toContain(key);
      const ttl = await redis.pttl(name);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(60_000);
    }
  });
});

describe('rate limits when Redis is unreachable', () => {
  beforeAll(async () => {
    (await requireRedis()).disconnect();
  });

  it('start and serve without limits when Redis never answers; readiness stays 200', async () => {
    const t = await startTestApp(
      limits(
        { perToken: 1, perAnonymousAddress: 1 },
        { redisUrl: `redis://127.0.0.1:${await closedPort()}` },
      ),
    );
    try {
      const caller = await t.fixtures.caller();
      for (let i = 0; i < 3; i++) {
        const res = await t.http.get(ME).set('Authorization', caller.auth);
        expect(res.status).toBe(200);
        expectUnlimited(res);
        const anonymous = await t.http.get(CODES);
        expect(anonymous.status).toBe(403);
        expectUnlimited(anonymous);
      }
      expect((await t.http.get(READY)).status).toBe(200);
    } finally {
      await t.close();
    }
  });

  it('let requests pass while Redis is gone and limit again once it is back', async () => {
    const relay = await redisRelay();
    const t = await startTestApp(limits({ perAnonymousAddress: 3 }, { redisUrl: relay.url }));
    try {
      expectBudget(await t.http.get(CODES), 3, 2);

      await relay.cut();
      for (let i = 0; i < 5; i++) {
        const res = await t.http.get(CODES);
        expect(res.status).toBe(403);
        expectUnlimited(res);
      }
      expect((await t.http.get(READY)).status).toBe(200);

      await relay.restore();
      // The client reconnects on its own (every two seconds at most); give it ten.
      let res = await t.http.get(CODES);
      for (let i = 0; i < 50 && res.headers['ratelimit-limit'] === undefined; i++) {
        await sleep(200);
        res = await t.http.get(CODES);
      }
      // The requests made while Redis was gone were not counted.
      expectBudget(res, 3, 1);
      expectBudget(await t.http.get(CODES), 3, 0);
      expectThrottled(await t.http.get(CODES), 3);
    } finally {
      await t.close();
      await relay.cut();
    }
  });
});
