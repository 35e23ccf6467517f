import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuthGuard } from './auth.guard.js';
import { PrincipalService } from './principal.service.js';

@Global()
@Module({
  providers: [PrincipalService, { provide: APP_GUARD, useClass: AuthGuard }],
  exports: [PrincipalService],
})
export class AuthModule {}
