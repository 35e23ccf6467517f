import { Controller, Get, Query, Req, UseInterceptors } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { Access, OtherMethodsNotAllowed } from '../common/auth/access.decorator.js';
import { CurrentPrincipal } from '../common/auth/current-principal.decorator.js';
import type { Principal } from '../common/auth/principal.js';
import { methodNotAllowed } from '../common/errors/api-errors.js';
import { ApiPaginatedResponse } from '../common/pagination/pagination.schema.js';
import { PaginationInterceptor } from '../common/pagination/pagination.interceptor.js';
import { CertificateKeyPairsService } from './certificate-key-pairs.service.js';
import { CertificateKeyPairListQuery } from './dto/certificate-key-pair-list.query.js';
import { CertificateKeyPairResponse } from './dto/certificate-key-pair.response.js';

/** Read-only: key pairs are created by the service itself (see SigningKeysService). */
@ApiTags('crypto')
@Controller('crypto/certificatekeypairs')
@UseInterceptors(PaginationInterceptor)
export class CertificateKeyPairsController {
  constructor(private readonly pairs: CertificateKeyPairsService) {}

  @Get()
  @Access({
    operationId: 'crypto_certificatekeypairs_list',
    description: 'CertificateKeyPair Viewset',
  })
  @ApiPaginatedResponse(CertificateKeyPairResponse, 'PaginatedCertificateKeyPairList')
  list(
    @CurrentPrincipal() principal: Principal | null,
    @Query() query: CertificateKeyPairListQuery,
  ) {
    return this.pairs.list(principal, query);
  }

  @OtherMethodsNotAllowed('crypto_certificatekeypairs')
  unsupported(@Req() request: Request): never {
    throw methodNotAllowed(request.method);
  }
}
