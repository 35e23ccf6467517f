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
