import {
  Body,
  Controller,
  Get,
  HttpCode,
  Param,
  Patch,
  Post,
  Query,
  Req,
  UseInterceptors,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import type { Request } from 'express';
import { Access, OtherMethodsNotAllowed } from '../common/auth/access.decorator.js';
import { Permissions } from '../common/auth/permissions.js';
import { CurrentPrincipal } from '../common/auth/current-principal.decorator.js';
import type { Principal } from '../common/auth/principal.js';
import { methodNotAllowed } from '../common/errors/api-errors.js';
import { ValidationError } from '../common/errors/error.schemas.js';
import { PaginationInterceptor } from '../common/pagination/pagination.interceptor.js';
import { ApiPaginatedResponse } from '../common/pagination/pagination.schema.js';
import {
  PatchedPermissionAssignRequest,
  PermissionAssignRequest,
  PermissionAssignResult,
} from './dto/permission-assign.request.js';
import { PermissionListQuery } from './dto/permission-list.query.js';
import { PermissionResponse } from './dto/permission.response.js';
import { PermissionsService } from './permissions.service.js';

const ROLE_PARAM = {
  name: 'uuid',
  description: 'A UUID string identifying this role.',
  schema: { type: 'string', format: 'uuid' },
} as const;
const ASSIGN_PATH = 'assigned_by_roles/:uuid/assign';
const UNASSIGN_PATH = 'assigned_by_roles/:uuid/unassign';

@ApiTags('rbac')
@Controller('rbac/permissions')
@UseInterceptors(PaginationInterceptor)
export class PermissionsController {
  constructor(private readonly permissions: PermissionsService) {}

  @Get()
  @Access({
    operationId: 'rbac_permissions_list',
    description: 'Read-only list of all permissions, filterable by model and app',
  })
  @ApiPaginatedResponse(PermissionResponse, 'PaginatedPermissionList')
  list(@Query() query: PermissionListQuery) {
    return this.permissions.list(query);
  }

  @Get(':id')
  @Access({
    operationId: 'rbac_permissions_retrieve',
    description: 'Read-only list of all permissions, filterable by model and app',
    notFound: true,
  })
  @ApiParam({
    name: 'id',
    description: 'A unique integer value identifying this permission.',
    type: 'integer',
  })
  @ApiOkResponse({ type: PermissionResponse, description: '' })
  retrieve(@Param('id') id: string) {
    return this.permissions.retrieve(id);
  }

  @Post(ASSIGN_PATH)
  @HttpCode(200)
  @Access({
    operationId: 'rbac_permissions_assigned_by_roles_assign',
    description:
      'Assign permission(s) to role. When `object_pk` is set, the permissions are only assigned ' +
      'to the specific object, otherwise they are assigned globally. Requires ' +
      '`authentik_rbac.assign_role_permissions`, and a non-superuser may only assign ' +
      'permissions they hold themselves.',
    permission: Permissions.assignRolePermissions,
    notFound: true,
  })
  @ApiParam(ROLE_PARAM)
  @ApiOkResponse({ type: [PermissionAssignResult], description: '' })
  @ApiBadRequestResponse({ type: ValidationError, description: '' })
  assign(
    @CurrentPrincipal() principal: Principal,
    @Param('uuid') roleId: string,
    @Body() body: PermissionAssignRequest,
  ) {
    return this.permissions.assign(principal, roleId, body);
  }

  @Patch(UNASSIGN_PATH)
  @HttpCode(204)
  @Access({
    operationId: 'rbac_permissions_assigned_by_roles_unassign_partial_update',
    description:
      'Unassign permission(s) from role. When `object_pk` is set, the permissions are only ' +
      'unassigned from the specific object, otherwise globally. Requires ' +
      '`authentik_rbac.unassign_role_permissions`.',
    permission: Permissions.unassignRolePermissions,
    notFound: true,
  })
  @ApiParam(ROLE_PARAM)
  @ApiNoContentResponse({ description: 'Successfully unassigned' })
  @ApiBadRequestResponse({ type: ValidationError, description: '' })
  async unassign(@Param('uuid') roleId: string, @Body() body: PatchedPermissionAssignRequest) {
    await this.permissions.unassign(roleId, body);
  }

  /** Declared last so that it only catches the methods the routes above do not serve. */
  @OtherMethodsNotAllowed('rbac_permissions', ['', ':id', ASSIGN_PATH, UNASSIGN_PATH])
  unsupported(@Req() request: Request): never {
    throw methodNotAllowed(request.method);
  }
}
