import {
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  Param,
  Query,
  Req,
  UseInterceptors,
  type Type,
} from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiParam, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { Access, OtherMethodsNotAllowed } from '../common/auth/access.decorator.js';
import { CurrentPrincipal } from '../common/auth/current-principal.decorator.js';
import type { Principal } from '../common/auth/principal.js';
import { methodNotAllowed } from '../common/errors/api-errors.js';
import { ApiPaginatedResponse } from '../common/pagination/pagination.schema.js';
import { PaginationInterceptor } from '../common/pagination/pagination.interceptor.js';
import { UsedByResponse } from '../common/used-by.response.js';
import { GrantFilterQuery, GrantListQuery } from './dto/grant-list.query.js';
import type { GrantKind } from './grant-kind.js';
import { GrantsService } from './grants.service.js';

/**
 * The four routes of a grant resource (contract §1): list, retrieve, destroy, used_by, plus 405
 * for every other method. One controller class per kind, built from its GrantKind.
 */
export function grantController(kind: GrantKind): Type<unknown> {
  const { path, operationStem, viewset, verboseName, item, pageSchema } = kind.routes;
  const idParam = ApiParam({
    name: 'id',
    type: 'integer',
    description: `A unique integer value identifying this ${verboseName}.`,
  });

  @ApiTags('oauth2')
  @Controller(path)
  @UseInterceptors(PaginationInterceptor)
  class GrantController {
    constructor(@Inject(GrantsService) private readonly grants: GrantsService) {}

    @Get()
    @Access({ operationId: `${operationStem}_list`, description: viewset })
    @ApiPaginatedResponse(item, pageSchema)
    list(@CurrentPrincipal() principal: Principal, @Query() query: GrantListQuery) {
      return this.grants.list(kind, principal, query);
    }

    @Get(':id')
    @Access({
      operationId: `${operationStem}_retrieve`,
      description: viewset,
      anonymous: 'pass',
      notFound: true,
    })
    @idParam
    @ApiOkResponse({ type: item, description: '' })
    retrieve(
      @CurrentPrincipal() principal: Principal | null,
      @Param('id') id: string,
      @Query() query: GrantFilterQuery,
    ) {
      return this.grants.retrieve(kind, principal, id, query);
    }

    @Delete(':id')
    @HttpCode(204)
    @Access({
      operationId: `${operationStem}_destroy`,
      description: viewset,
      anonymous: 'pass',
      notFound: true,
    })
    @idParam
    @ApiNoContentResponse({ description: 'No response body' })
    destroy(
      @CurrentPrincipal() principal: Principal | null,
      @Param('id') id: string,
      @Query() query: GrantFilterQuery,
    ) {
      return this.grants.destroy(kind, principal, id, query);
    }

    @Get(':id/used_by')
    @Access({
      operationId: `${operationStem}_used_by_list`,
      description: 'Get a list of all objects that use this object',
      notFound: true,
    })
    @idParam
    @ApiOkResponse({ type: [UsedByResponse], description: '' })
    usedBy(
      @CurrentPrincipal() principal: Principal,
      @Param('id') id: string,
      @Query() query: GrantFilterQuery,
    ) {
      return this.grants.usedBy(kind, principal, id, query);
    }

    /** Declared last so that it only catches the methods the routes above do not serve. */
    @OtherMethodsNotAllowed(operationStem, ['', ':id', ':id/used_by'])
    unsupported(@Req() request: Request): never {
      throw methodNotAllowed(request.method);
    }
  }

  Object.defineProperty(GrantController, 'name', { value: `${kind.modelName}sController` });
  return GrantController;
}
