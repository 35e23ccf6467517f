import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Patch,
  Post,
  Put,
  Query,
  Req,
  UseInterceptors,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import type { Request } from 'express';
import { Access, OtherMethodsNotAllowed } from '../common/auth/access.decorator.js';
import { CurrentPrincipal } from '../common/auth/current-principal.decorator.js';
import type { Principal } from '../common/auth/principal.js';
import { methodNotAllowed } from '../common/errors/api-errors.js';
import { ValidationError } from '../common/errors/error.schemas.js';
import { ApiPaginatedResponse } from '../common/pagination/pagination.schema.js';
import { PaginationInterceptor } from '../common/pagination/pagination.interceptor.js';
import { UsedByResponse } from '../common/used-by.response.js';
import {
  OAuth2ProviderFilterQuery,
  OAuth2ProviderListQuery,
} from './dto/oauth2-provider-list.query.js';
import {
  OAuth2ProviderRequest,
  PatchedOAuth2ProviderRequest,
} from './dto/oauth2-provider.request.js';
import { OAuth2ProviderResponse } from './dto/oauth2-provider.response.js';
import { OAuth2ProvidersService, ProviderPermissions } from './oauth2-providers.service.js';

const VIEWSET = 'OAuth2Provider Viewset';
const ID_PARAM = ApiParam({
  name: 'id',
  type: 'integer',
  description: 'A unique integer value identifying this OAuth2/OpenID Provider.',
});
const INVALID = ApiBadRequestResponse({ type: ValidationError, description: '' });

@ApiTags('providers')
@Controller('providers/oauth2')
@UseInterceptors(PaginationInterceptor)
export class OAuth2ProvidersController {
  constructor(private readonly providers: OAuth2ProvidersService) {}

  @Get()
  @Access({ operationId: 'providers_oauth2_list', description: VIEWSET })
  @ApiPaginatedResponse(OAuth2ProviderResponse, 'PaginatedOAuth2ProviderList')
  list(@CurrentPrincipal() principal: Principal, @Query() query: OAuth2ProviderListQuery) {
    return this.providers.list(principal, query);
  }

  @Post()
  @Access({
    operationId: 'providers_oauth2_create',
    description: VIEWSET,
    permission: ProviderPermissions.add,
  })
  @ApiBody({ type: OAuth2ProviderRequest })
  @ApiCreatedResponse({ type: OAuth2ProviderResponse, description: '' })
  @INVALID
  create(@CurrentPrincipal() principal: Principal, @Body() body: OAuth2ProviderRequest) {
    return this.providers.create(principal, body);
  }

  @Get(':id')
  @Access({ operationId: 'providers_oauth2_retrieve', description: VIEWSET, notFound: true })
  @ID_PARAM
  @ApiOkResponse({ type: OAuth2ProviderResponse, description: '' })
  retrieve(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Query() query: OAuth2ProviderFilterQuery,
  ) {
    return this.providers.retrieve(principal, id, query);
  }

  @Put(':id')
  @Access({ operationId: 'providers_oauth2_update', description: VIEWSET, notFound: true })
  @ID_PARAM
  @ApiBody({ type: OAuth2ProviderRequest })
  @ApiOkResponse({ type: OAuth2ProviderResponse, description: '' })
  @INVALID
  update(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Query() query: OAuth2ProviderFilterQuery,
    @Body() body: OAuth2ProviderRequest,
  ) {
    return this.providers.update(principal, id, query, body);
  }

  @Patch(':id')
  @Access({ operationId: 'providers_oauth2_partial_update', description: VIEWSET, notFound: true })
  @ID_PARAM
  @ApiBody({ type: PatchedOAuth2ProviderRequest, required: false })
  @ApiOkResponse({ type: OAuth2ProviderResponse, description: '' })
  @INVALID
  partialUpdate(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Query() query: OAuth2ProviderFilterQuery,
    @Body() body: PatchedOAuth2ProviderRequest,
  ) {
    return this.providers.update(principal, id, query, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @Access({ operationId: 'providers_oauth2_destroy', description: VIEWSET, notFound: true })
  @ID_PARAM
  @ApiNoContentResponse({ description: 'No response body' })
  destroy(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Query() query: OAuth2ProviderFilterQuery,
  ) {
    return this.providers.destroy(principal, id, query);
  }

  @Get(':id/used_by')
  @Access({
    operationId: 'providers_oauth2_used_by_list',
    description: 'Get a list of all objects that use this object',
    notFound: true,
  })
  @ID_PARAM
  @ApiOkResponse({ type: [UsedByResponse], description: '' })
  usedBy(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Query() query: OAuth2ProviderFilterQuery,
  ) {
    return this.providers.usedBy(principal, id, query);
  }

  /** Declared last so that it only catches the methods the routes above do not serve. */
  @OtherMethodsNotAllowed('providers_oauth2', ['', ':id', ':id/used_by'])
  unsupported(@Req() request: Request): never {
    throw methodNotAllowed(request.method);
  }
}
