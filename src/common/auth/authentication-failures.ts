import type { ExecutionContext } from '@nestjs/common';

/**
 * Told by the AuthGuard about every request whose API key opened nothing, before it answers 403:
 * rate limiting counts them against the client's address (and may answer 429 instead).
 */
export interface AuthenticationFailures {
  record(context: ExecutionContext): Promise<void>;
}

export const AUTHENTICATION_FAILURES = Symbol('AuthenticationFailures');
