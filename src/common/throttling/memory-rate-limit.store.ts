import type { OnApplicationShutdown } from '@nestjs/common';
import type { RateLimitHit, RateLimitStore } from './rate-limit.store.js';

/** How often keys whose requests all left their window are forgotten. */
const SWEEP_INTERVAL_MS = 60_000;

/** The rate limits of one process: per key, the times its counted requests leave the window. */
export class MemoryRateLimitStore implements RateLimitStore, OnApplicationShutdown {
  private readonly expiries = new Map<string, number[]>();
  private readonly sweeper = setInterval(() => this.sweep(), SWEEP_INTERVAL_MS).unref();

  async hit(key: string, limit: number, windowMs: number): Promise<RateLimitHit> {
    const now = Date.now();
    // Ascending: requests are counted in time order and each stays windowMs.
    const expiries = (this.expiries.get(key) ?? []).filter((expiry) => expiry > now);
    const allowed = expiries.length < limit;
    if (allowed) expiries.push(now + windowMs);
    // A key with nothing counted (a zero-cost check, say) holds no entry.
    if (expiries.length > 0) this.expiries.set(key, expiries);
    else this.expiries.delete(key);
    return { allowed, counted: expiries.length, resetMs: (expiries[0] ?? now) - now };
  }

  /** How many keys are held: what the store costs in memory. */
  get size(): number {
    return this.expiries.size;
  }

  onApplicationShutdown(): void {
    clearInterval(this.sweeper);
    this.expiries.clear();
  }

  private sweep(): void {
    const now = Date.now();
    for (const [key, expiries] of this.expiries) {
      if (expiries.length === 0 || expiries[expiries.length - 1]! <= now) this.expiries.delete(key);
    }
  }
}
