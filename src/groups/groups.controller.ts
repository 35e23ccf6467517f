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
import {
  GROUP_LIST_FILTERS,
  GroupListQuery,
  GroupPresentationQuery,
  type GroupListFilter,
} from './dto/group-list.query.js';
import { GroupRequest, PatchedGroupRequest, UserAccountRequest } from './dto/group.request.js';
import { GroupResponse } from './dto/group.response.js';
import { GroupPermissions } from './group.permissions.js';
import { GroupsService } from './groups.service.js';

const UUID_PARAM = {
  name: 'group_uuid',
  type: 'string',
  format: 'uuid',
  description: 'A UUID string identifying this Group.',
} as const;
const DESCRIPTION = 'Group Viewset';

@ApiTags('core')
@Controller('core/groups')
@UseInterceptors(PaginationInterceptor)
export class GroupsController {
  constructor(private readonly groups: GroupsService) {}

  @Get()
  @Access({ operationId: 'core_groups_list', description: DESCRIPTION })
  @ApiPaginatedResponse(GroupResponse, 'PaginatedGroupList')
  list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: GroupListQuery,
    @RepeatedQuery(GROUP_LIST_FILTERS) lists: QueryLists<GroupListFilter>,
  ) {
    return this.groups.list(principal, query, lists);
  }

  @Post()
  @Access({
    operationId: 'core_groups_create',
    description: DESCRIPTION,
    permission: GroupPermissions.add,
  })
  @ApiCreatedResponse({ type: GroupResponse, description: '' })
  @ApiBadRequestResponse({ type: ValidationError, description: '' })
  create(
    @CurrentPrincipal() principal: Principal,
    @Body() body: GroupRequest,
    @Query() query: GroupPresentationQuery,
  ) {
    return this.groups.create(principal, body, query);
  }

  @Get(':group_uuid')
  @Access({
    operationId: 'core_groups_retrieve',
    description: DESCRIPTION,
    anonymous: 'pass',
    notFound: true,
  })
  @ApiParam(UUID_PARAM)
  @ApiOkResponse({ type: GroupResponse, description: '' })
  retrieve(
    @CurrentPrincipal() principal: Principal | null,
    @Param('group_uuid') id: string,
    @Query() query: GroupPresentationQuery,
  ) {
    return this.groups.retrieve(principal, id, query);
  }

  @Put(':group_uuid')
  @Access({
    operationId: 'core_groups_update',
    description: DESCRIPTION,
    anonymous: 'pass',
    notFound: true,
  })
  @ApiParam(UUID_PARAM)
  @ApiOkResponse({ type: GroupResponse, description: '' })
  @ApiBadRequestResponse({ type: ValidationError, description: '' })
  update(
    @CurrentPrincipal() principal: Principal | null,
    @Param('group_uuid') id: string,
    @Body() body: GroupRequest,
    @Query() query: GroupPresentationQuery,
  ) {
    return this.groups.update(principal, id, body, query);
  }

  @Patch(':group_uuid')
  @Access({
    operationId: 'core_groups_partial_update',
    description: DESCRIPTION,
    anonymous: 'pass',
    notFound: true,
  })
  @ApiParam(UUID_PARAM)
  @ApiOkResponse({ type: GroupResponse, description: '' })
  @ApiBadRequestResponse({ type: ValidationError, description: '' })
  partialUpdate(
    @CurrentPrincipal() principal: Principal | null,
    @Param('group_uuid') id: string,
    @Body() body: PatchedGroupRequest,
    @Query() query: GroupPresentationQuery,
  ) {
    return this.groups.update(principal, id, body, query);
  }

  @Delete(':group_uuid')
  @HttpCode(204)
  @Access({
    operationId: 'core_groups_destroy',
    description: DESCRIPTION,
    anonymous: 'pass',
    notFound: true,
  })
  @ApiParam(UUID_PARAM)
  @ApiNoContentResponse({ description: 'No response body' })
  destroy(@CurrentPrincipal() principal: Principal | null, @Param('group_uuid') id: string) {
    return this.groups.destroy(principal, id);
  }

  @Post(':group_uuid/add_user')
  @HttpCode(204)
  @Access({
    operationId: 'core_groups_add_user_create',
    description: 'Add user to group',
    notFound: true,
  })
  @ApiParam(UUID_PARAM)
  @ApiNoContentResponse({ description: 'User added' })
  @ApiBadRequestResponse({ type: ValidationError, description: '' })
  addUser(
    @CurrentPrincipal() principal: Principal,
    @Param('group_uuid') id: string,
    @Body() body: UserAccountRequest,
  ) {
    return this.groups.addUser(principal, id, body);
  }

  @Post(':group_uuid/remove_user')
  @HttpCode(204)
  @Access({
    operationId: 'core_groups_remove_user_create',
    description: 'Remove user from group',
    notFound: true,
  })
  @ApiParam(UUID_PARAM)
  @ApiNoContentResponse({ description: 'User removed' })
  @ApiBadRequestResponse({ type: ValidationError, description: '' })
  removeUser(
    @CurrentPrincipal() principal: Principal,
    @Param('group_uuid') id: string,
    @Body() body: UserAccountRequest,
  ) {
    return this.groups.removeUser(principal, id, body);
  }

  /** Declared last so that it only catches the methods the routes above do not serve. */
  @OtherMethodsNotAllowed('core_groups', [
    '',
    ':group_uuid',
    ':group_uuid/add_user',
    ':group_uuid/remove_user',
  ])
  unsupported(@Req() request: Request): never {
    throw methodNotAllowed(request.method);
  }
}
