import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { Access, OtherMethodsNotAllowed } from '../common/auth/access.decorator.js';
import { CurrentPrincipal } from '../common/auth/current-principal.decorator.js';
import type { Principal } from '../common/auth/principal.js';
import { methodNotAllowed } from '../common/errors/api-errors.js';
import { ValidationError } from '../common/errors/error.schemas.js';
import { RevokedGrantsResponse, RevokeGrantsRequest } from './dto/revoke-grants.request.js';
import { GrantRevocationService } from './grant-revocation.service.js';

@ApiTags('oauth2')
@Controller('oauth2/revoke_grants')
export class RevokeGrantsController {
  constructor(private readonly revocation: GrantRevocationService) {}

  @Post()
  @HttpCode(200)
  @Access({
    operationId: 'oauth2_revoke_grants_create',
    description:
      'Revoke every grant of a user ("log out all devices"): deletes the user\'s authorization ' +
      'codes and access tokens and marks the refresh tokens revoked, in one transaction.',
  })
  @ApiOkResponse({ type: RevokedGrantsResponse, description: '' })
  @ApiBadRequestResponse({ type: ValidationError, description: '' })
  revoke(@CurrentPrincipal() principal: Principal, @Body() body: RevokeGrantsRequest) {
    return this.revocation.revokeForCaller(principal, body.user, body.provider);
  }

  @OtherMethodsNotAllowed('oauth2_revoke_grants')
  unsupported(@Req() request: Request): never {
    throw methodNotAllowed(request.method);
  }
}
