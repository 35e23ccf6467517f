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
import { RoleFilterQuery, RoleListQuery } from './dto/role-list.query.js';
import { PatchedRoleRequest, RoleRequest } from './dto/role.request.js';
import { RoleResponse } from './dto/role.response.js';
import { RolePermissions, RolesService } from './roles.service.js';

const UUID_PARAM = {
  name: 'uuid',
  description: 'A UUID string identifying this role.',
  schema: { type: 'string', format: 'uuid' },
} as const;
const DESCRIPTION = 'Role viewset';

@ApiTags('rbac')
@Controller('rbac/roles')
@UseInterceptors(PaginationInterceptor)
export class RolesController {
  constructor(private readonly roles: RolesService) {}

  @Get()
  @Access({ operationId: 'rbac_roles_list', description: DESCRIPTION })
  @ApiPaginatedResponse(RoleResponse, 'PaginatedRoleList')
  list(@CurrentPrincipal() principal: Principal, @Query() query: RoleListQuery) {
    return this.roles.list(principal, query);
  }

  @Post()
  @Access({
    operationId: 'rbac_roles_create',
    description: DESCRIPTION,
    permission: RolePermissions.add,
  })
  @ApiCreatedResponse({ type: RoleResponse, description: '' })
  @ApiBadRequestResponse({ type: ValidationError, description: '' })
  create(@Body() body: RoleRequest) {
    return this.roles.create(body);
  }

  @Get(':uuid')
  @Access({
    operationId: 'rbac_roles_retrieve',
    description: DESCRIPTION,
    anonymous: 'pass',
    notFound: true,
  })
  @ApiParam(UUID_PARAM)
  @ApiOkResponse({ type: RoleResponse, description: '' })
  retrieve(
    @CurrentPrincipal() principal: Principal | null,
    @Param('uuid') id: string,
    @Query() query: RoleFilterQuery,
  ) {
    return this.roles.retrieve(principal, id, query);
  }

  @Put(':uuid')
  @Access({
    operationId: 'rbac_roles_update',
    description: DESCRIPTION,
    anonymous: 'pass',
    notFound: true,
  })
  @ApiParam(UUID_PARAM)
  @ApiOkResponse({ type: RoleResponse, description: '' })
  @ApiBadRequestResponse({ type: ValidationError, description: '' })
  update(
    @CurrentPrincipal() principal: Principal | null,
    @Param('uuid') id: string,
    @Query() query: RoleFilterQuery,
    @Body() body: RoleRequest,
  ) {
    return this.roles.update(principal, id, query, body);
  }

  @Patch(':uuid')
  @Access({
    operationId: 'rbac_roles_partial_update',
    description: DESCRIPTION,
    anonymous: 'pass',
    notFound: true,
  })
  @ApiParam(UUID_PARAM)
  @ApiOkResponse({ type: RoleResponse, description: '' })
  @ApiBadRequestResponse({ type: ValidationError, description: '' })
  partialUpdate(
    @CurrentPrincipal() principal: Principal | null,
    @Param('uuid') id: string,
    @Query() query: RoleFilterQuery,
    @Body() body: PatchedRoleRequest,
  ) {
    return this.roles.update(principal, id, query, body);
  }

  @Delete(':uuid')
  @HttpCode(204)
  @Access({
    operationId: 'rbac_roles_destroy',
    description: DESCRIPTION,
    anonymous: 'pass',
    notFound: true,
  })
  @ApiParam(UUID_PARAM)
  @ApiNoContentResponse({ description: 'No response body' })
  destroy(
    @CurrentPrincipal() principal: Principal | null,
    @Param('uuid') id: string,
    @Query() query: RoleFilterQuery,
  ) {
    return this.roles.destroy(principal, id, query);
  }

  /** Declared last so that it only catches the methods the routes above do not serve. */
  @OtherMethodsNotAllowed('rbac_roles', ['', ':uuid'])
  unsupported(@Req() request: Request): never {
    throw methodNotAllowed(request.method);
  }
}
