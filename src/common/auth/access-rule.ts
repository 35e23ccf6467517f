import type { ExecutionContext } from '@nestjs/common';
import type { Reflector } from '@nestjs/core';

export const ACCESS_KEY = 'grants-api:access';

export interface AccessRule {
  /** Public routes skip authentication entirely (health probes, the API schema). */
  public?: boolean;
  /**
   * What an anonymous caller gets: the 403 "credentials were not provided" (lists, actions), or
   * passage to the handler, whose visibility rule then answers 404 (authentik's detail routes).
   */
  anonymous?: 'forbidden' | 'pass';
  /** A permission the caller must hold globally (e.g. `authentik_core.add_user`). */
  permission?: string;
}

/** The rule of the route `context` runs (the method's, else its controller's), if any. */
export function accessRuleOf(
  reflector: Reflector,
  context: ExecutionContext,
): AccessRule | undefined {
  return reflector.getAllAndOverride<AccessRule | undefined>(ACCESS_KEY, [
    context.getHandler(),
    context.getClass(),
  ]);
}
