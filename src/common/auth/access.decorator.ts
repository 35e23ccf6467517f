import { All, applyDecorators, SetMetadata } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiExcludeEndpoint,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOperation,
} from '@nestjs/swagger';
import { GenericError } from '../errors/error.schemas.js';

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

export interface AccessOptions {
  operationId: string;
  summary?: string;
  description?: string;
  anonymous?: AccessRule['anonymous'];
  /** The route answers 404 for a row that is not visible (documented in OpenAPI). */
  notFound?: boolean;
  /**
   * A permission the caller must hold globally, checked before the handler runs (creating rows).
   * Permissions that may also be held on one object are checked by the service, on the row.
   */
  permission?: string;
}

/**
 * One decorator per route: who may call it, and its OpenAPI operation. The AuthGuard denies every
 * route that lacks it. Object-level permissions are checked where the rows are, in the services.
 */
export function Access(options: AccessOptions) {
  const rule: AccessRule = {
    anonymous: options.anonymous ?? 'forbidden',
    permission: options.permission,
  };
  const decorators = [
    SetMetadata(ACCESS_KEY, rule),
    ApiOperation({
      operationId: options.operationId,
      summary: options.summary,
      description: options.description,
    }),
    ApiBearerAuth('authentik'),
    ApiForbiddenResponse({ type: GenericError, description: '' }),
  ];
  if (options.notFound)
    decorators.push(ApiNotFoundResponse({ type: GenericError, description: '' }));
  return applyDecorators(...decorators);
}

/** A route (or controller) anyone may call without credentials. */
export const Public = () => SetMetadata(ACCESS_KEY, { public: true } satisfies AccessRule);

/**
 * The route that answers every method of `paths` (relative to the controller) with 405: declared
 * after the controller's other routes, it only receives the methods they do not serve. Callers
 * are authenticated first, as on the routes it stands for; it is not in the OpenAPI document.
 */
export const OtherMethodsNotAllowed = (operationStem: string, paths: string | string[] = '') =>
  applyDecorators(
    All(paths),
    Access({ operationId: `${operationStem}_method_not_allowed` }),
    ApiExcludeEndpoint(),
  );
