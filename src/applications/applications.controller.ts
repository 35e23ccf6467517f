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
import { ApplicationPermissions } from './application.visibility.js';
import { ApplicationsService } from './applications.service.js';
import { ApplicationFilterQuery, ApplicationListQuery } from './dto/application-list.query.js';
import { ApplicationRequest, PatchedApplicationRequest } from './dto/application.request.js';
import { ApplicationResponse } from './dto/application.response.js';

const VIEWSET = 'Application Viewset';
const SLUG_PARAM = ApiParam({
  name: 'slug',
  type: String,
  description: 'Internal application name, used in URLs.',
});
const INVALID = ApiBadRequestResponse({ type: ValidationError, description: '' });

@ApiTags('core')
@Controller('core/applications')
@UseInterceptors(PaginationInterceptor)
export class ApplicationsController {
  constructor(private readonly applications: ApplicationsService) {}

  @Get()
  @Access({ operationId: 'core_applications_list', description: VIEWSET })
  @ApiPaginatedResponse(ApplicationResponse, 'PaginatedApplicationList')
  list(@CurrentPrincipal() principal: Principal, @Query() query: ApplicationListQuery) {
    return this.applications.list(principal, query);
  }

  @Post()
  @Access({
    operationId: 'core_applications_create',
    description: VIEWSET,
    permission: ApplicationPermissions.add,
  })
  @ApiBody({ type: ApplicationRequest })
  @ApiCreatedResponse({ type: ApplicationResponse, description: '' })
  @INVALID
  create(@CurrentPrincipal() principal: Principal, @Body() body: ApplicationRequest) {
    return this.applications.create(principal, body);
  }

  @Get(':slug')
  @Access({ operationId: 'core_applications_retrieve', description: VIEWSET, notFound: true })
  @SLUG_PARAM
  @ApiOkResponse({ type: ApplicationResponse, description: '' })
  retrieve(
    @CurrentPrincipal() principal: Principal,
    @Param('slug') slug: string,
    @Query() query: ApplicationFilterQuery,
  ) {
    return this.applications.retrieve(principal, slug, query);
  }

  @Put(':slug')
  @Access({ operationId: 'core_applications_update', description: VIEWSET, notFound: true })
  @SLUG_PARAM
  @ApiBody({ type: ApplicationRequest })
  @ApiOkResponse({ type: ApplicationResponse, description: '' })
  @INVALID
  update(
    @CurrentPrincipal() principal: Principal,
    @Param('slug') slug: string,
    @Query() query: ApplicationFilterQuery,
    @Body() body: ApplicationRequest,
  ) {
    return this.applications.update(principal, slug, query, body);
  }

  @Patch(':slug')
  @Access({
    operationId: 'core_applications_partial_update',
    description: VIEWSET,
    notFound: true,
  })
  @SLUG_PARAM
  @ApiBody({ type: PatchedApplicationRequest, required: false })
  @ApiOkResponse({ type: ApplicationResponse, description: '' })
  @INVALID
  partialUpdate(
    @CurrentPrincipal() principal: Principal,
    @Param('slug') slug: string,
    @Query() query: ApplicationFilterQuery,
    @Body() body: PatchedApplicationRequest,
  ) {
    return this.applications.update(principal, slug, query, body);
  }

  @Delete(':slug')
  @HttpCode(204)
  @Access({ operationId: 'core_applications_destroy', description: VIEWSET, notFound: true })
  @SLUG_PARAM
  @ApiNoContentResponse({ description: 'No response body' })
  destroy(
    @CurrentPrincipal() principal: Principal,
    @Param('slug') slug: string,
    @Query() query: ApplicationFilterQuery,
  ) {
    return this.applications.destroy(principal, slug, query);
  }

  /** Declared last so that it only catches the methods the routes above do not serve. */
  @OtherMethodsNotAllowed('core_applications', ['', ':slug'])
  unsupported(@Req() request: Request): never {
    throw methodNotAllowed(request.method);
  }
}
