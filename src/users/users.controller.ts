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
import { RepeatedQuery, type QueryLists } from '../common/validation/repeated-query.js';
import { SessionUserResponse } from './dto/session-user.response.js';
import {
  USER_LIST_FILTERS,
  UserListQuery,
  UserPresentationQuery,
  type UserListFilter,
} from './dto/user-list.query.js';
import { PatchedUserRequest, UserPasswordSetRequest, UserRequest } from './dto/user.request.js';
import { UserResponse } from './dto/user.response.js';
import { UserPermissions } from './user.permissions.js';
import { UsersService } from './users.service.js';

const ID_PARAM = {
  name: 'id',
  type: 'integer',
  description: 'A unique integer value identifying this User.',
} as const;
const DESCRIPTION = 'User Viewset';

@ApiTags('core')
@Controller('core/users')
@UseInterceptors(PaginationInterceptor)
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get()
  @Access({ operationId: 'core_users_list', description: DESCRIPTION })
  @ApiPaginatedResponse(UserResponse, 'PaginatedUserList')
  list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: UserListQuery,
    @RepeatedQuery(USER_LIST_FILTERS) lists: QueryLists<UserListFilter>,
  ) {
    return this.users.list(principal, query, lists);
  }

  @Post()
  @Access({
    operationId: 'core_users_create',
    description: DESCRIPTION,
    permission: UserPermissions.add,
  })
  @ApiCreatedResponse({ type: UserResponse, description: '' })
  @ApiBadRequestResponse({ type: ValidationError, description: '' })
  create(
    @CurrentPrincipal() principal: Principal,
    @Body() body: UserRequest,
    @Query() query: UserPresentationQuery,
  ) {
    return this.users.create(principal, body, query);
  }

  /** Declared before the `:id` routes, which would otherwise take `me` for an id. */
  @Get('me')
  @Access({
    operationId: 'core_users_me_retrieve',
    description: 'Get information about current user',
  })
  @ApiOkResponse({ type: SessionUserResponse, description: '' })
  me(@CurrentPrincipal() principal: Principal, @Query() query: UserPresentationQuery) {
    return this.users.me(principal, query);
  }

  @OtherMethodsNotAllowed('core_users_me', 'me')
  meUnsupported(@Req() request: Request): never {
    throw methodNotAllowed(request.method);
  }

  @Get(':id')
  @Access({
    operationId: 'core_users_retrieve',
    description: DESCRIPTION,
    anonymous: 'pass',
    notFound: true,
  })
  @ApiParam(ID_PARAM)
  @ApiOkResponse({ type: UserResponse, description: '' })
  retrieve(
    @CurrentPrincipal() principal: Principal | null,
    @Param('id') id: string,
    @Query() query: UserPresentationQuery,
  ) {
    return this.users.retrieve(principal, id, query);
  }

  @Put(':id')
  @Access({
    operationId: 'core_users_update',
    description: DESCRIPTION,
    anonymous: 'pass',
    notFound: true,
  })
  @ApiParam(ID_PARAM)
  @ApiOkResponse({ type: UserResponse, description: '' })
  @ApiBadRequestResponse({ type: ValidationError, description: '' })
  update(
    @CurrentPrincipal() principal: Principal | null,
    @Param('id') id: string,
    @Body() body: UserRequest,
    @Query() query: UserPresentationQuery,
  ) {
    return this.users.update(principal, id, body, query);
  }

  @Patch(':id')
  @Access({
    operationId: 'core_users_partial_update',
    description: DESCRIPTION,
    anonymous: 'pass',
    notFound: true,
  })
  @ApiParam(ID_PARAM)
  @ApiOkResponse({ type: UserResponse, description: '' })
  @ApiBadRequestResponse({ type: ValidationError, description: '' })
  partialUpdate(
    @CurrentPrincipal() principal: Principal | null,
    @Param('id') id: string,
    @Body() body: PatchedUserRequest,
    @Query() query: UserPresentationQuery,
  ) {
    return this.users.update(principal, id, body, query);
  }

  @Delete(':id')
  @HttpCode(204)
  @Access({
    operationId: 'core_users_destroy',
    description: DESCRIPTION,
    anonymous: 'pass',
    notFound: true,
  })
  @ApiParam(ID_PARAM)
  @ApiNoContentResponse({ description: 'No response body' })
  destroy(@CurrentPrincipal() principal: Principal | null, @Param('id') id: string) {
    return this.users.destroy(principal, id);
  }

  @Post(':id/set_password')
  @HttpCode(204)
  @Access({
    operationId: 'core_users_set_password_create',
    description: 'Set password for user',
    notFound: true,
  })
  @ApiParam(ID_PARAM)
  @ApiNoContentResponse({ description: 'Successfully changed password' })
  @ApiBadRequestResponse({ type: ValidationError, description: 'Bad request' })
  setPassword(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Body() body: UserPasswordSetRequest,
  ) {
    return this.users.setPassword(principal, id, body);
  }

  /** Declared last so that it only catches the methods the routes above do not serve. */
  @OtherMethodsNotAllowed('core_users', ['', ':id', ':id/set_password'])
  unsupported(@Req() request: Request): never {
    throw methodNotAllowed(request.method);
  }
}
