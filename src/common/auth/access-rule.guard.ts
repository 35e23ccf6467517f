import { Injectable, Logger, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { permissionDenied } from '../errors/api-errors.js';
import { accessRuleOf } from './access-rule.js';

/**
 * Deny by default, for an application whose every route is ours (the standalone service): a route
 * that declares no rule (`@Access` or `@Public`) is refused, so that a forgotten decorator never
 * opens one. Authentication itself is the AuthGuard's, which `@Access` binds to its route. A host
 * application does not install this guard: its own routes are its business.
 */
@Injectable()
export class RequireAccessRuleGuard implements CanActivate {
  private readonly logger = new Logger('AuthGuard');

  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    if (accessRuleOf(this.reflector, context)) return true;
    this.logger.error(
      `route without an @Access rule: ${context.getClass().name}.${context.getHandler().name}`,
    );
    throw permissionDenied();
  }
}
