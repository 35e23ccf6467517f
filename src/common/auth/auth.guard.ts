import {
  Inject,
  Injectable,
  Logger,
  Optional,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { notAuthenticated, permissionDenied, tokenInvalid } from '../errors/api-errors.js';
import { accessRuleOf } from './access-rule.js';
import { AUTHENTICATION_FAILURES, type AuthenticationFailures } from './authentication-failures.js';
import { hasGlobalPermission, type Principal } from './principal.js';
import { PrincipalService } from './principal.service.js';

export type AuthenticatedRequest = Request & { principal?: Principal | null };

/** The key of an `Authorization: Bearer <key>` header; undefined for no header or another scheme. */
export function bearerKey(header: string | string[] | undefined): string | undefined {
  if (typeof header !== 'string' || !header) return undefined;
  const match = /^bearer(?:\s+(.*))?$/i.exec(header.trim());
  return match ? (match[1] ?? '').trim() : undefined;
}

/**
 * Authenticates the caller and applies the route's AccessRule; routes without one are denied.
 * `@Access` binds it to each route it decorates (see access.decorator.ts).
 */
@Injectable()
export class AuthGuard implements CanActivate {
  private readonly logger = new Logger('AuthGuard');

  constructor(
    private readonly reflector: Reflector,
    private readonly principals: PrincipalService,
    @Optional()
    @Inject(AUTHENTICATION_FAILURES)
    private readonly failures?: AuthenticationFailures,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const rule = accessRuleOf(this.reflector, context);
    if (!rule) {
      this.logger.error(
        `route without an @Access rule: ${context.getClass().name}.${context.getHandler().name}`,
      );
      throw permissionDenied();
    }
    if (rule.public) return true;

    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const key = bearerKey(request.headers.authorization);
    if (key === undefined) {
      if (rule.anonymous === 'pass') {
        request.principal = null;
        return true;
      }
      throw notAuthenticated();
    }
    // An empty or malformed key is never looked up.
    const principal =
      key && !/\s/.test(key) ? await this.principals.fromApiKey(key, request) : null;
    if (!principal) {
      await this.failures?.record(context);
      throw tokenInvalid();
    }
    if (rule.permission && !hasGlobalPermission(principal, rule.permission))
      throw permissionDenied();
    request.principal = principal;
    return true;
  }
}
