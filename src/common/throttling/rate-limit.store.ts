/** Where the rate limits count requests: this process, or Redis for several instances. */
export interface RateLimitStore {
  /**
   * Counts one request against `key`, unless `limit` requests are already counted in the last
   * `windowMs` (a sliding window, DRF's: a refused request is not counted).
   */
  hit(key: string, limit: number, windowMs: number): Promise<RateLimitHit>;
}

export interface RateLimitHit {
  allowed: boolean;
  /** Requests counted in the window, this one included when allowed. */
  counted: number;
  /** Until the oldest counted request leaves the window: one more request is then allowed. */
  resetMs: number;
}

export const RATE_LIMIT_STORE = Symbol('RateLimitStore');
