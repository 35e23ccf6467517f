import { Module } from '@nestjs/common';
import { UsersModule } from '../users/users.module.js';
import { GrantCleanupService } from './grant-cleanup.service.js';
import { grantController } from './grant.controller.js';
import { GRANT_KINDS } from './grant-kinds.js';
import { GrantRevocationModule } from './grant-revocation.module.js';
import { GrantsService } from './grants.service.js';
import { RevokeGrantsController } from './revoke-grants.controller.js';

/** The grant resources (authorization codes, access and refresh tokens), all from one core. */
@Module({
  imports: [UsersModule, GrantRevocationModule],
  controllers: [...GRANT_KINDS.map(grantController), RevokeGrantsController],
  providers: [GrantsService, GrantCleanupService],
  exports: [GrantsService, GrantCleanupService],
})
export class GrantsModule {}
