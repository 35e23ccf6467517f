import { jest } from '@jest/globals';
import { MemoryRateLimitStore } from '../../src/common/throttling/memory-rate-limit.store.js';

describe('MemoryRateLimitStore', () => {
  let store: MemoryRateLimitStore;
  beforeEach(() => (store = new MemoryRateLimitStore()));
  afterEach(() => store.onApplicationShutdown());

  it('counts hits up to the limit, then refuses until the window has passed', async () => {
    expect(await store.hit('a', 2, 60_000)).toMatchObject({ allowed: true, counted: 1 });
    expect(await store.hit('a', 2, 60_000)).toMatchObject({ allowed: true, counted: 2 });
    const refused = await store.hit('a', 2, 60_000);
    expect(refused).toMatchObject({ allowed: false, counted: 2 });
    expect(refused.resetMs).toBeGreaterThan(0);
    expect(refused.resetMs).toBeLessThanOrEqual(60_000);
  });

  it('keeps no entry for a check that counts nothing (limit 0)', async () => {
    for (let i = 0; i < 100; i++) {
      expect(await store.hit(`user-${i}`, 0, 60_000)).toMatchObject({ allowed: false, counted: 0 });
    }
    expect(store.size).toBe(0);
  });

  it('forgets a key once its hits have left the window', async () => {
    await store.hit('short', 5, 1);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(await store.hit('short', 0, 1)).toMatchObject({ counted: 0 });
    expect(store.size).toBe(0);
  });
});

describe('MemoryRateLimitStore under a large limit', () => {
  afterEach(() => jest.useRealTimers());

  it('slides the window request by request and keeps only the requests still in it', async () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const store = new MemoryRateLimitStore();
    try {
      // 1 request per ms for 3 windows of 1,000 ms, limit 10,000: every request is allowed, and
      // the count is always the requests of the last 1,000 ms.
      for (let t = 0; t < 3_000; t++) {
        const hit = await store.hit('busy', 10_000, 1_000);
        expect(hit.allowed).toBe(true);
        expect(hit.counted).toBe(Math.min(t + 1, 1_000));
        expect(hit.resetMs).toBe(t < 1_000 ? 1_000 - t : 1);
        jest.advanceTimersByTime(1);
      }
      // At the limit: refused, not counted, and allowed again once the oldest leaves.
      jest.setSystemTime(2_000_000);
      for (let i = 0; i < 5; i++) await store.hit('full', 5, 1_000);
      jest.advanceTimersByTime(400);
      expect(await store.hit('full', 5, 1_000)).toEqual({
        allowed: false,
        counted: 5,
        resetMs: 600,
      });
      jest.advanceTimersByTime(600);
      expect(await store.hit('full', 5, 1_000)).toEqual({
        allowed: true,
        counted: 1,
        resetMs: 1_000,
      });
    } finally {
      store.onApplicationShutdown();
    }
  });
});
