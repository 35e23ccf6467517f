import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { RuntimeConfig } from '../config/config.js';
import { MemoryRateLimitStore } from '../common/throttling/memory-rate-limit.store.js';
import type { RateLimitStore } from '../common/throttling/rate-limit.store.js';
import { RedisRateLimitStore } from '../common/throttling/redis-rate-limit.store.js';

/** Failed sign-ins allowed in a window, per client address and username, and per address. */
export interface SignInLimits {
  perAddressAndUsername: number;
  perAddress: number;
  windowMs: number;
}

/**
 * Enough for people who mistype (ten tries at one account in five minutes), too few to guess
 * passwords; one address may fail fifty times in all (a shared NAT, a password manager gone
 * wrong) before it is turned away for every username.
 */
export const DEFAULT_SIGN_IN_LIMITS: SignInLimits = {
  perAddressAndUsername: 10,
  perAddress: 50,
  windowMs: 5 * 60_000,
};

export const SIGN_IN_LIMITS = Symbol('SignInLimits');
export const SIGN_IN_ATTEMPTS_STORE = Symbol('SignInAttemptsStore');

/**
 * The API's rate-limit store (src/common/throttling), our own instance of it: in this process,
 * or in Redis with REDIS_URL (shared by every instance), whether or not the API's limits are on.
 */
export function signInAttemptsStore(config: RuntimeConfig): RateLimitStore {
  return config.redisUrl
    ? new RedisRateLimitStore(config.redisUrl, `${config.rateLimit.redisKeyPrefix}sign-in:`)
    : new MemoryRateLimitStore();
}

/** How often a failing store is reported while sign-ins pass without limits. */
const STORE_WARNING_INTERVAL_MS = 30_000;

/** Client addresses and usernames never reach the store in clear. */
const hashed = (...parts: string[]) =>
  createHash('sha256').update(parts.join('\0')).digest('base64url').slice(0, 22);

/**
 * Only failures count: a sign-in is refused once its address, or its address with its username,
 * has failed too often in the window; successes never use up a budget. The store counts a hit
 * only when it is allowed, so a check is a hit with a limit of 0 (nothing counted, the number
 * counted and the time until the oldest leaves the window returned), and a failure is an
 * ordinary hit. When the store fails (Redis down), sign-ins pass unlimited, as API requests do.
 */
@Injectable()
export class SignInAttempts {
  private readonly logger = new Logger('SignIn');
  private lastStoreWarning = 0;

  constructor(
    @Inject(SIGN_IN_ATTEMPTS_STORE) private readonly store: RateLimitStore,
    @Inject(SIGN_IN_LIMITS) private readonly limits: SignInLimits,
  ) {}

  /** Seconds until a sign-in may be tried again, or 0 when it may be tried now. */
  async retryAfter(address: string, username: string): Promise<number> {
    const waits = await Promise.all(
      this.budgets(address, username).map(async ([key, limit]) => {
        const hit = await this.store.hit(key, 0, this.limits.windowMs);
        return hit.counted >= limit ? Math.max(1, Math.ceil(hit.resetMs / 1000)) : 0;
      }),
    ).catch((error: unknown) => this.storeFailed(error, [0]));
    return Math.max(...waits);
  }

  async recordFailure(address: string, username: string): Promise<void> {
    await Promise.all(
      this.budgets(address, username).map(([key, limit]) =>
        this.store.hit(key, limit, this.limits.windowMs),
      ),
    ).catch((error: unknown) => this.storeFailed(error, undefined));
  }

  private budgets(address: string, username: string): [key: string, limit: number][] {
    return [
      [`user:${hashed(address, username)}`, this.limits.perAddressAndUsername],
      [`address:${hashed(address)}`, this.limits.perAddress],
    ];
  }

  private storeFailed<T>(error: unknown, fallback: T): T {
    const now = Date.now();
    if (now - this.lastStoreWarning >= STORE_WARNING_INTERVAL_MS) {
      this.lastStoreWarning = now;
      const reason = error instanceof Error ? error.message : String(error);
      this.logger.warn(`sign-in attempts store failed (${reason}): sign-ins pass without limits`);
    }
    return fallback;
  }
}
