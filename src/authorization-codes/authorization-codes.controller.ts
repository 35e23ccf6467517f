import {
  All,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Query,
  Req,
  UseInterceptors,
} from '@nestjs/common';
import {
  ApiExcludeEndpoint,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import type { Request } from 'express';
import { Access } from '../common/auth/access.decorator.js';
import { CurrentPrincipal } from '../common/auth/current-principal.decorator.js';
import type { Principal } from '../common/auth/principal.js';
import { methodNotAllowed } from '../common/errors/api-errors.js';
import { ApiPaginatedResponse } from '../common/pagination/pagination.schema.js';
import { PaginationInterceptor } from '../common/pagination/pagination.interceptor.js';
import { GrantFilterQuery, GrantListQuery } from '../grants/dto/grant-list.query.js';
import { GrantResponse } from '../grants/dto/grant.response.js';
import { GrantsService } from '../grants/grants.service.js';
import { UsedByResponse } from '../common/used-by.response.js';
import { AUTHORIZATION_CODES } from './authorization-codes.kind.js';

const ID_PARAM = {
  name: 'id',
  description: 'A unique integer value identifying this Authorization Code.',
};

@ApiTags('oauth2')
@Controller('oauth2/authorization_codes')
@UseInterceptors(PaginationInterceptor)
export class AuthorizationCodesController {
  constructor(private readonly grants: GrantsService) {}

  @Get()
  @Access({
    operationId: 'oauth2_authorization_codes_list',
    description: 'AuthorizationCode Viewset',
  })
  @ApiPaginatedResponse(GrantResponse, 'PaginatedExpiringBaseGrantModelList')
  list(@CurrentPrincipal() principal: Principal, @Query() query: GrantListQuery) {
    return this.grants.list(AUTHORIZATION_CODES, principal, query);
  }

  @Get(':id')
  @Access({
    operationId: 'oauth2_authorization_codes_retrieve',
    description: 'AuthorizationCode Viewset',
    anonymous: 'pass',
    notFound: true,
  })
  @ApiParam({ ...ID_PARAM, type: 'integer' })
  @ApiOkResponse({ type: GrantResponse, description: '' })
  retrieve(
    @CurrentPrincipal() principal: Principal | null,
    @Param('id') id: string,
    @Query() query: GrantFilterQuery,
  ) {
    return this.grants.retrieve(AUTHORIZATION_CODES, principal, id, query);
  }

  @Delete(':id')
  @HttpCode(204)
  @Access({
    operationId: 'oauth2_authorization_codes_destroy',
    description: 'AuthorizationCode Viewset',
    anonymous: 'pass',
    notFound: true,
  })
  @ApiParam({ ...ID_PARAM, type: 'integer' })
  @ApiNoContentResponse({ description: 'No response body' })
  destroy(
    @CurrentPrincipal() principal: Principal | null,
    @Param('id') id: string,
    @Query() query: GrantFilterQuery,
  ) {
    return this.grants.destroy(AUTHORIZATION_CODES, principal, id, query);
  }

  @Get(':id/used_by')
  @Access({
    operationId: 'oauth2_authorization_codes_used_by_list',
    description: 'Get a list of all objects that use this object',
    notFound: true,
  })
  @ApiParam({ ...ID_PARAM, type: 'integer' })
  @ApiOkResponse({ type: [UsedByResponse], description: '' })
  usedBy(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Query() query: GrantFilterQuery,
  ) {
    return this.grants.usedBy(AUTHORIZATION_CODES, principal, id, query);
  }

  /** Declared last so that it only catches the methods the routes above do not serve. */
  @All(['', ':id', ':id/used_by'])
  @Access({ operationId: 'oauth2_authorization_codes_method_not_allowed' })
  @ApiExcludeEndpoint()
  unsupported(@Req() request: Request): never {
    throw methodNotAllowed(request.method);
  }
}
