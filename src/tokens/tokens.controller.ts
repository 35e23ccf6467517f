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
import { PaginationInterceptor } from '../common/pagination/pagination.interceptor.js';
import { ApiPaginatedResponse } from '../common/pagination/pagination.schema.js';
import { TokenFilterQuery, TokenListQuery } from './dto/token-list.query.js';
import { PatchedTokenRequest, TokenRequest } from './dto/token.request.js';
import { TokenResponse, TokenViewResponse } from './dto/token.response.js';
import { TokensService } from './tokens.service.js';

const IDENTIFIER_PARAM = { name: 'identifier', type: String } as const;
const DESCRIPTION = 'Token Viewset';

@ApiTags('core')
@Controller('core/tokens')
@UseInterceptors(PaginationInterceptor)
export class TokensController {
  constructor(private readonly tokens: TokensService) {}

  @Get()
  @Access({ operationId: 'core_tokens_list', description: DESCRIPTION })
  @ApiPaginatedResponse(TokenResponse, 'PaginatedTokenList')
  list(@CurrentPrincipal() principal: Principal, @Query() query: TokenListQuery) {
    return this.tokens.list(principal, query);
  }

  @Post()
  @Access({
    operationId: 'core_tokens_create',
    description: `${DESCRIPTION}. The answer carries the generated key, once.`,
  })
  @ApiCreatedResponse({ type: TokenResponse, description: '' })
  @ApiBadRequestResponse({ type: ValidationError, description: '' })
  create(@CurrentPrincipal() principal: Principal, @Body() body: TokenRequest) {
    return this.tokens.create(principal, body);
  }

  @Get(':identifier')
  @Access({
    operationId: 'core_tokens_retrieve',
    description: DESCRIPTION,
    anonymous: 'pass',
    notFound: true,
  })
  @ApiParam(IDENTIFIER_PARAM)
  @ApiOkResponse({ type: TokenResponse, description: '' })
  retrieve(
    @CurrentPrincipal() principal: Principal | null,
    @Param('identifier') identifier: string,
    @Query() query: TokenFilterQuery,
  ) {
    return this.tokens.retrieve(principal, identifier, query);
  }

  @Put(':identifier')
  @Access({
    operationId: 'core_tokens_update',
    description: DESCRIPTION,
    anonymous: 'pass',
    notFound: true,
  })
  @ApiParam(IDENTIFIER_PARAM)
  @ApiOkResponse({ type: TokenResponse, description: '' })
  @ApiBadRequestResponse({ type: ValidationError, description: '' })
  update(
    @CurrentPrincipal() principal: Principal | null,
    @Param('identifier') identifier: string,
    @Query() query: TokenFilterQuery,
    @Body() body: TokenRequest,
  ) {
    return this.tokens.update(principal, identifier, query, body);
  }

  @Patch(':identifier')
  @Access({
    operationId: 'core_tokens_partial_update',
    description: DESCRIPTION,
    anonymous: 'pass',
    notFound: true,
  })
  @ApiParam(IDENTIFIER_PARAM)
  @ApiOkResponse({ type: TokenResponse, description: '' })
  @ApiBadRequestResponse({ type: ValidationError, description: '' })
  partialUpdate(
    @CurrentPrincipal() principal: Principal | null,
    @Param('identifier') identifier: string,
    @Query() query: TokenFilterQuery,
    @Body() body: PatchedTokenRequest,
  ) {
    return this.tokens.update(principal, identifier, query, body);
  }

  @Delete(':identifier')
  @HttpCode(204)
  @Access({
    operationId: 'core_tokens_destroy',
    description: DESCRIPTION,
    anonymous: 'pass',
    notFound: true,
  })
  @ApiParam(IDENTIFIER_PARAM)
  @ApiNoContentResponse({ description: 'No response body' })
  destroy(
    @CurrentPrincipal() principal: Principal | null,
    @Param('identifier') identifier: string,
    @Query() query: TokenFilterQuery,
  ) {
    return this.tokens.destroy(principal, identifier, query);
  }

  @Get(':identifier/view_key')
  @Access({
    operationId: 'core_tokens_view_key_retrieve',
    description:
      "Return the token's key: to its owner, or to a holder of authentik_core.view_token_key.",
    notFound: true,
  })
  @ApiParam(IDENTIFIER_PARAM)
  @ApiOkResponse({ type: TokenViewResponse, description: '' })
  viewKey(@CurrentPrincipal() principal: Principal, @Param('identifier') identifier: string) {
    return this.tokens.viewKey(principal, identifier);
  }

  /** Declared last so that it only catches the methods the routes above do not serve. */
  @OtherMethodsNotAllowed('core_tokens', ['', ':identifier', ':identifier/view_key'])
  unsupported(@Req() request: Request): never {
    throw methodNotAllowed(request.method);
  }
}
