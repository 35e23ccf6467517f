import { createHash } from 'node:crypto';
import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { hashPassword } from '../../src/bootstrap/bootstrap.service.js';
import { MemoryRateLimitStore } from '../../src/common/throttling/memory-rate-limit.store.js';
import type { RateLimitStore } from '../../src/common/throttling/rate-limit.store.js';
import { SignInAttempts, type SignInLimits } from '../../src/sign-in/sign-in-attempts.js';
import { SignInCsrf } from '../../src/sign-in/sign-in-csrf.js';
import { SignInService } from '../../src/sign-in/sign-in.service.js';
import {
  GENERIC_FAILURE,
  messagePage,
  signInPage,
  STYLE_HASH,
} from '../../src/sign-in/sign-in.view.js';
import { registerSecret } from '../support/secret-registry.js';

const SECRET_KEY = 'unit-test-secret-key-long-enough-0123456789';
registerSecret('SECRET_KEY', SECRET_KEY);

describe('sign-in view', () => {
  const hostile = `"><script>alert('x')</script>&`;

  it('escapes every interpolated value', () => {
    const html = signInPage({
      uid: 'uid"<',
      applicationName: hostile,
      csrfToken: `tok"en<`,
      username: hostile,
      error: `<b>${GENERIC_FAILURE}</b>`,
    });
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<b>');
    expect(html).toContain(
      '<title>Sign in to &quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;</title>',
    );
    expect(html).toContain('value="tok&quot;en&lt;"');
    expect(html).toContain('action="/if/flow/sign-in/uid%22%3C/"');
    expect(html).toContain(
      'value="&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;"',
    );
  });

  it('labels every field and links the alert to them only when there is one', () => {
    const plain = signInPage({ uid: 'u', csrfToken: 't' });
    for (const id of ['username', 'password']) {
      expect(plain).toContain(`<label for="${id}">`);
      expect(plain).toContain(`<input id="${id}" name="${id}"`);
    }
    expect(plain).toContain('<h1>Sign in</h1>');
    expect(plain).not.toContain('aria-describedby');
    expect(plain).not.toContain('role="alert"');

    const failed = signInPage({
      uid: 'u',
      csrfToken: 't',
      username: 'ann',
      error: GENERIC_FAILURE,
    });
    expect(failed).toContain(
      `<p id="sign-in-error" class="alert" role="alert">${GENERIC_FAILURE}</p>`,
    );
    expect(failed.match(/aria-describedby="sign-in-error"/g)).toHaveLength(2);
    // The password is never put back.
    expect(failed).toMatch(/<input id="password"[^>]*type="password"[^>]*>/);
    expect(failed).not.toMatch(/<input id="password"[^>]*value=/);
  });

  it('allows its stylesheet by the hash the CSP names', () => {
    for (const html of [signInPage({ uid: 'u', csrfToken: 't' }), messagePage('T', 'M')]) {
      const style = /<style>([\s\S]*?)<\/style>/.exec(html)![1]!;
      const hash = `'sha256-${createHash('sha256').update(style).digest('base64')}'`;
      expect(hash).toBe(STYLE_HASH);
      expect(style).toContain(':focus-visible');
      expect(html).not.toMatch(/<script|style="/);
    }
  });
});

describe('sign-in CSRF tokens', () => {
  const csrf = new SignInCsrf({ secretKey: SECRET_KEY });

  it('are fresh on each rendering and valid for their interaction only', () => {
    const first = csrf.create('uid-1');
    const second = csrf.create('uid-1');
    expect(first).not.toBe(second);
    expect(csrf.verify('uid-1', first)).toBe(true);
    expect(csrf.verify('uid-1', second)).toBe(true);
    expect(csrf.verify('uid-2', first)).toBe(false);
    expect(new SignInCsrf({ secretKey: `${SECRET_KEY}-other` }).verify('uid-1', first)).toBe(false);
  });

  it('refuse anything but a string token', () => {
    const token = csrf.create('uid-1');
    for (const given of [undefined, null, '', [token], { token }, `${token}x`, 'a-b']) {
      expect(csrf.verify('uid-1', given)).toBe(false);
    }
  });
});

describe('sign-in attempts', () => {
  const limits: SignInLimits = { perAddressAndUsername: 2, perAddress: 3, windowMs: 60_000 };

  it('count failures only, per address and username and per address', async () => {
    const store = new MemoryRateLimitStore();
    const attempts = new SignInAttempts(store, limits);
    // Checking spends nothing.
    for (let i = 0; i < 5; i++) expect(await attempts.retryAfter('10.0.0.1', 'ann')).toBe(0);
    await attempts.recordFailure('10.0.0.1', 'ann');
    expect(await attempts.retryAfter('10.0.0.1', 'ann')).toBe(0);
    await attempts.recordFailure('10.0.0.1', 'ann');
    const wait = await attempts.retryAfter('10.0.0.1', 'ann');
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(60);
    // Another username from there has its own budget, until the address's is spent.
    expect(await attempts.retryAfter('10.0.0.1', 'bob')).toBe(0);
    await attempts.recordFailure('10.0.0.1', 'bob');
    expect(await attempts.retryAfter('10.0.0.1', 'bob')).toBeGreaterThan(0);
    // Another address is not concerned.
    expect(await attempts.retryAfter('10.0.0.2', 'ann')).toBe(0);
    store.onApplicationShutdown();
  });

  it('let sign-ins pass when the store fails', async () => {
    const failing: RateLimitStore = { hit: () => Promise.reject(new Error('Redis down')) };
    const attempts = new SignInAttempts(failing, limits);
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    await expect(attempts.recordFailure('10.0.0.1', 'ann')).resolves.toBeUndefined();
    expect(await attempts.retryAfter('10.0.0.1', 'ann')).toBe(0);
    // Reported, once for a while rather than on every sign-in.
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]![0]).toMatch(/Redis down.*pass without limits/);
    warn.mockRestore();
  });
});

describe('sign-in credentials', () => {
  const password = 'unit-test-password-9876';
  registerSecret('test password', password);

  /** A data source whose users table holds `user` (or nobody). */
  function serviceWith(user: object | null) {
    const findOne = jest.fn(() => Promise.resolve(user));
    const dataSource = { manager: { findOne } } as unknown as DataSource;
    return { service: new SignInService(dataSource), findOne };
  }

  it('opens an active user with the right password only', async () => {
    const passwordHash = await hashPassword(password);
    const { service } = serviceWith({ id: 7, isActive: true, passwordHash });
    expect(await service.authenticate('ann', password)).toBe(7);
    expect(await service.authenticate('ann', `${password}!`)).toBeUndefined();
    const inactive = serviceWith({ id: 7, isActive: false, passwordHash }).service;
    expect(await inactive.authenticate('ann', password)).toBeUndefined();
    const malformed = serviceWith({ id: 7, isActive: true, passwordHash: 'not-a-hash' }).service;
    expect(await malformed.authenticate('ann', password)).toBeUndefined();
  });

  it('verifies against a dummy hash when there is no user or no password', async () => {
    for (const user of [null, { id: 8, isActive: true, passwordHash: null }]) {
      const { service } = serviceWith(user);
      const internals = service as unknown as { dummyHash?: Promise<string> };
      expect(internals.dummyHash).toBeUndefined();
      expect(await service.authenticate('nobody', password)).toBeUndefined();
      expect(await internals.dummyHash).toMatch(/^\$argon2id\$/);
    }
  });

  it('never sends a username PostgreSQL would refuse', async () => {
    const { service, findOne } = serviceWith(null);
    expect(await service.authenticate('a\0b', password)).toBeUndefined();
    expect(await service.authenticate('x'.repeat(151), password)).toBeUndefined();
    expect(findOne).not.toHaveBeenCalled();
  });
});
