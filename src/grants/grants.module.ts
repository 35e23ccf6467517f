import { Module } from '@nestjs/common';
import { UsersModule } from '../users/users.module.js';
import { GrantsService } from './grants.service.js';

/** The grants core shared by authorization codes (and, later, access and refresh tokens). */
@Module({
  imports: [UsersModule],
  providers: [GrantsService],
  exports: [GrantsService],
})
export class GrantsModule {}
