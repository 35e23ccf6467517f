import { Module } from '@nestjs/common';
import { GrantCleanupService } from './grant-cleanup.service.js';
import { grantKindModule } from './grant-kind.module.js';
import { GRANT_KINDS } from './grant-kinds.js';
import { GrantRevocationModule } from './grant-revocation.module.js';
import { GrantsServiceModule } from './grants-service.module.js';
import { RevokeGrantsController } from './revoke-grants.controller.js';

/**
 * Every grant resource (authorization codes, access and refresh tokens: one module per kind, all
 * from one core), revoke_grants, and the expired-grant cleanup (which needs the application's
 * ScheduleModule).
 */
@Module({
  imports: [...GRANT_KINDS.map(grantKindModule), GrantsServiceModule, GrantRevocationModule],
  controllers: [RevokeGrantsController],
  providers: [GrantCleanupService],
  exports: [GrantsServiceModule, GrantCleanupService],
})
export class GrantsModule {}
