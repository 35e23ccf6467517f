import { All, applyDecorators, SetMetadata, UseFilters, UseGuards, UsePipes } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiExcludeEndpoint,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOperation,
} from '@nestjs/swagger';
import { GenericError } from '../errors/error.schemas.js';
import { ErrorsFilter } from '../errors/errors.filter.js';
import { ValidationPipe } from '../validation/validation.pipe.js';
import { ACCESS_KEY, type AccessRule } from './access-rule.js';
import { AuthGuard } from './auth.guard.js';

export { ACCESS_KEY, type AccessRule } from './access-rule.js';

/**
 * What a route of this API runs besides its handler: the contract's 400 bodies for its query and
 * body, and the contract's bodies for every error it raises. Bound to the route, not globally, so
 * that in a host application they govern our routes (and the host routes that use our
 * decorators) and nothing else.
 */
const ApiRoute = () => applyDecorators(UsePipes(ValidationPipe), UseFilters(ErrorsFilter));

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
 * One decorator per route: who may call it (the AuthGuard, bound to the route), its OpenAPI
 * operation, and the contract's validation and error bodies. Object-level permissions are checked
 * where the rows are, in the services.
 */
export function Access(options: AccessOptions) {
  const rule: AccessRule = {
    anonymous: options.anonymous ?? 'forbidden',
    permission: options.permission,
  };
  const decorators = [
    SetMetadata(ACCESS_KEY, rule),
    UseGuards(AuthGuard),
    ApiRoute(),
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

/** A route (or controller) anyone may call without credentials; errors keep the contract's bodies. */
export const Public = () =>
  applyDecorators(SetMetadata(ACCESS_KEY, { public: true } satisfies AccessRule), ApiRoute());

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
