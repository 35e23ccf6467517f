import { Module } from '@nestjs/common';
import { UsersServiceModule } from '../users/users-service.module.js';
import { GrantsService } from './grants.service.js';

/** The grants core every grant kind's routes share, without any routes of its own. */
@Module({
  imports: [UsersServiceModule],
  providers: [GrantsService],
  exports: [GrantsService],
})
export class GrantsServiceModule {}
