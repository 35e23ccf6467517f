import { Module } from '@nestjs/common';
import { GrantsModule } from '../grants/grants.module.js';
import { AuthorizationCodesController } from './authorization-codes.controller.js';

@Module({
  imports: [GrantsModule],
  controllers: [AuthorizationCodesController],
})
export class AuthorizationCodesModule {}
