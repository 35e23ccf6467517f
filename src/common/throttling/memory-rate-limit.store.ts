import type { OnApplicationShutdown } from '@nestjs/common';
import type { RateLimitHit, RateLimitStore } from './rate-limit.store.js';

/** How often keys whose requests all left their window are forgotten. */
const SWEEP_INTERVAL_MS = 60_000;

/**
 * One key's counted requests: the times they leave the window, ascending (requests are counted in
 * time order and each stays windowMs), from `head` on; those before `head` have left.
 */
interface Log {
  expiries: number[];
  head: number;
}

/** Drops the requests that left the window; the array is compacted once most of it is dead. */
function expire(log: Log, now: number): void {
  const { expiries } = log;
  while (log.head < expiries.length && expiries[log.head]! <= now) log.head++;
  if (log.head > 64 && log.head * 2 >= expiries.length) {
    log.expiries = expiries.slice(log.head);
    log.head = 0;
  }
}

/**
 * The rate limits of one process: per key, a sliding log of its counted requests. A hit costs
 * constant time, amortised, however large the limit: a per-minute limit of thousands keeps
 * thousands of entries, and copying them on every request made each one slower (and the heap
 * larger) as the traffic grew.
 */
export class MemoryRateLimitStore implements RateLimitStore, OnApplicationShutdown {
  private readonly logs = new Map<string, Log>();
  private readonly sweeper = setInterval(() => this.sweep(), SWEEP_INTERVAL_MS).unref();

  async hit(key: string, limit: number, windowMs: number): Promise<RateLimitHit> {
    const now = Date.now();
    const log = this.logs.get(key) ?? { expiries: [], head: 0 };
    expire(log, now);
    let counted = log.expiries.length - log.head;
    const allowed = counted < limit;
    if (allowed) {
      log.expiries.push(now + windowMs);
      counted++;
    }
    // A key with nothing counted (a zero-cost check, say) holds no entry.
    if (counted > 0) this.logs.set(key, log);
    else this.logs.delete(key);
    const oldest = counted > 0 ? log.expiries[log.head]! : now;
    return { allowed, counted, resetMs: oldest - now };
  }

  /** How many keys are held: what the store costs in memory. */
  get size(): number {
    return this.logs.size;
  }

  onApplicationShutdown(): void {
    clearInterval(this.sweeper);
    this.logs.clear();
  }

  private sweep(): void {
    const now = Date.now();
    for (const [key, { expiries }] of this.logs) {
      if (expiries.length === 0 || expiries[expiries.length - 1]! <= now) this.logs.delete(key);
    }
  }
}
