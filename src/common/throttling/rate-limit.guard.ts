import {
  Inject,
  Injectable,
  Logger,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { RuntimeConfig } from '../../config/config.js';
import { APP_CONFIG } from '../../config/config.module.js';
import { ACCESS_KEY, type AccessRule } from '../auth/access.decorator.js';
import { DetailError } from '../errors/api-errors.js';
import type { AuthenticationFailures } from '../auth/authentication-failures.js';
import { CallerResolver } from './callers.js';
import { RATE_LIMIT_STORE, type RateLimitHit, type RateLimitStore } from './rate-limit.store.js';

/** DRF's Throttled detail, which authentik answers with: whole seconds, rounded up. */
export function throttledDetail(waitSeconds: number): string {
  const unit = waitSeconds === 1 ? 'second' : 'seconds';
  return `Request was throttled. Expected available in ${waitSeconds} ${unit}.`;
}

/** How often a failing store is reported while requests pass without limits. */
const STORE_WARNING_INTERVAL_MS = 30_000;

/** Headers are set through whichever API the adapter's response has (Express or Fastify). */
function setHeader(response: object, name: string, value: number): void {
  const target = response as {
    header?: (name: string, value: string) => unknown;
    setHeader?: (name: string, value: string) => unknown;
  };
  if (typeof target.header === 'function') target.header(name, String(value));
  else target.setHeader?.(name, String(value));
}

/**
 * Spends one request of a budget and puts the IETF draft's RateLimit-Limit/-Remaining/-Reset on
 * the answer; throws DRF's 429 with Retry-After when the budget is spent. When the store fails
 * (Redis down), requests pass: availability first, for an admin API.
 */
@Injectable()
export class RateLimiter {
  private readonly logger = new Logger('RateLimit');
  private lastStoreWarning = 0;

  constructor(@Inject(RATE_LIMIT_STORE) private readonly store: RateLimitStore) {}

  async charge(response: object, key: string, limit: number, windowMs: number): Promise<void> {
    if (limit === 0) return;
    let hit: RateLimitHit;
    try {
      hit = await this.store.hit(key, limit, windowMs);
    } catch (error) {
      this.warnStoreFailure(error);
      return;
    }
    const reset = Math.max(1, Math.ceil(hit.resetMs / 1000));
    setHeader(response, 'RateLimit-Limit', limit);
    setHeader(response, 'RateLimit-Remaining', limit - hit.counted);
    setHeader(response, 'RateLimit-Reset', reset);
    if (hit.allowed) return;
    setHeader(response, 'Retry-After', reset);
    throw new DetailError(429, throttledDetail(reset));
  }

  private warnStoreFailure(error: unknown): void {
    const now = Date.now();
    if (now - this.lastStoreWarning < STORE_WARNING_INTERVAL_MS) return;
    this.lastStoreWarning = now;
    const reason = error instanceof Error ? error.message : String(error);
    this.logger.warn(`rate-limit store failed (${reason}): requests pass without rate limits`);
  }
}

/**
 * A budget of requests per minute for each API key presented, and for each client address for
 * anonymous callers. A global guard runs before the AuthGuard that `@Access` binds to each route:
 * it needs no query (a key's budget is named by a hash of its digest), so a valid token's request
 * costs the database nothing more. A key that opens nothing is charged to its address as well,
 * by the AuthGuard through `AddressChargedFailures`, so made-up keys share the anonymous budget.
 * Routes without an `@Access` rule (public ones, a host application's) are never limited.
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly callers: CallerResolver,
    private readonly limiter: RateLimiter,
    @Inject(APP_CONFIG) private readonly config: RuntimeConfig,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const rule = this.reflector.getAllAndOverride<AccessRule | undefined>(ACCESS_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    // Only this API's routes: not the public ones (health probes), nor a host application's.
    if (!rule || rule.public) return true;

    const http = context.switchToHttp();
    const caller = this.callers.identify(http.getRequest());
    const { perToken, perAnonymousAddress, windowMs } = this.config.rateLimit;
    const [limit, key] =
      caller.kind === 'token'
        ? [perToken, `token:${caller.bucket}`]
        : [perAnonymousAddress, `address:${caller.address}`];
    await this.limiter.charge(http.getResponse<object>(), key, limit, windowMs);
    return true;
  }
}

/** A key that opened nothing spends its address's anonymous budget (429 once it is spent). */
@Injectable()
export class AddressChargedFailures implements AuthenticationFailures {
  constructor(
    private readonly callers: CallerResolver,
    private readonly limiter: RateLimiter,
    @Inject(APP_CONFIG) private readonly config: RuntimeConfig,
  ) {}

  async record(context: ExecutionContext): Promise<void> {
    const http = context.switchToHttp();
    const { perAnonymousAddress, windowMs } = this.config.rateLimit;
    const address = this.callers.clientAddress(http.getRequest<object>());
    await this.limiter.charge(
      http.getResponse<object>(),
      `address:${address}`,
      perAnonymousAddress,
      windowMs,
    );
  }
}
