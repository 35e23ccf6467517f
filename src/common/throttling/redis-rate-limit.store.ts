import { randomUUID } from 'node:crypto';
import { Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { Redis } from 'ioredis';
import type { RateLimitHit, RateLimitStore } from './rate-limit.store.js';

/*
 * MemoryRateLimitStore.hit as one atomic script, on the Redis server's clock so that instances
 * with skewed clocks agree. A sorted set holds, per counted request, the time it leaves the
 * window; the key itself expires with the newest of them.
 *
 * KEYS[1]: the key. ARGV: window length in ms, limit, a member unique to this request.
 * Returns: 1 when allowed (else 0), requests counted, ms until the oldest counted one leaves.
 */
const HIT_SCRIPT = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local window = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local counted = redis.call('ZCARD', KEYS[1])
local allowed = 0
if counted < tonumber(ARGV[2]) then
  redis.call('ZADD', KEYS[1], now + window, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], window)
  counted = counted + 1
  allowed = 1
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
local reset = 0
if oldest[2] then reset = tonumber(oldest[2]) - now end
return {allowed, counted, reset}
`;

interface HitCommand {
  rateLimitHit(
    key: string,
    windowMs: number,
    limit: number,
    member: string,
  ): Promise<[allowed: 0 | 1, counted: number, resetMs: number]>;
}

/**
 * The rate limits in Redis, shared by every instance using the same REDIS_URL and key prefix.
 * It never makes a request wait for Redis: commands fail at once while the connection is down
 * and after a second when Redis stalls, and the guard then lets the request pass.
 */
export class RedisRateLimitStore implements RateLimitStore, OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('RateLimitStore');
  private readonly client: Redis & HitCommand;
  private reachable: boolean | undefined;

  constructor(
    url: string,
    private readonly keyPrefix: string,
  ) {
    this.client = new Redis(url, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      connectTimeout: 1_000,
      commandTimeout: 1_000,
      // Reconnect for as long as the service runs, at most two seconds apart.
      retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
    }) as Redis & HitCommand;
    this.client.defineCommand('rateLimitHit', { numberOfKeys: 1, lua: HIT_SCRIPT });
    // Each change of state is logged once; never the URL, which may hold a password.
    this.client.on('ready', () => this.setReachable(true));
    this.client.on('error', (error: Error) => this.setReachable(false, error));
  }

  async onModuleInit(): Promise<void> {
    try {
      await this.client.connect();
    } catch (error) {
      this.setReachable(false, error as Error);
    }
  }

  onApplicationShutdown(): void {
    this.client.disconnect();
  }

  async hit(key: string, limit: number, windowMs: number): Promise<RateLimitHit> {
    const [allowed, counted, resetMs] = await this.client.rateLimitHit(
      `${this.keyPrefix}${key}`,
      windowMs,
      limit,
      randomUUID(),
    );
    return { allowed: allowed === 1, counted, resetMs };
  }

  private setReachable(reachable: boolean, error?: Error): void {
    if (this.reachable === reachable) return;
    this.reachable = reachable;
    if (reachable) this.logger.log('Redis reachable: rate limits are enforced');
    else
      this.logger.warn(
        `Redis unreachable (${error?.message ?? 'unknown error'}): requests pass without ` +
          'rate limits until it answers again',
      );
  }
}
