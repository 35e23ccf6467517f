import { DynamicModule, Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import type { RuntimeConfig } from '../../config/config.js';
import { CallerResolver } from './callers.js';
import { MemoryRateLimitStore } from './memory-rate-limit.store.js';
import { AUTHENTICATION_FAILURES } from '../auth/authentication-failures.js';
import { AddressChargedFailures, RateLimitGuard, RateLimiter } from './rate-limit.guard.js';
import { RATE_LIMIT_STORE } from './rate-limit.store.js';
import { RedisRateLimitStore } from './redis-rate-limit.store.js';

/**
 * Rate limits per API token and per client address, counted in this process or, with REDIS_URL,
 * in Redis for every instance at once. Installs nothing when both limits are 0.
 */
@Global()
@Module({})
export class ThrottlingModule {
  static forRoot(config: RuntimeConfig): DynamicModule {
    const { perToken, perAnonymousAddress, redisKeyPrefix } = config.rateLimit;
    if (perToken === 0 && perAnonymousAddress === 0) return { module: ThrottlingModule };
    const redisUrl = config.redisUrl;
    return {
      module: ThrottlingModule,
      providers: [
        {
          provide: RATE_LIMIT_STORE,
          useFactory: () =>
            redisUrl
              ? new RedisRateLimitStore(redisUrl, redisKeyPrefix)
              : new MemoryRateLimitStore(),
        },
        CallerResolver,
        RateLimiter,
        { provide: APP_GUARD, useClass: RateLimitGuard },
        // Global, so that the AuthGuard bound to each feature module's routes finds it.
        { provide: AUTHENTICATION_FAILURES, useClass: AddressChargedFailures },
      ],
      exports: [AUTHENTICATION_FAILURES],
    };
  }
}
