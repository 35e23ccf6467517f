import { Global, Module } from '@nestjs/common';
import { PrincipalService } from './principal.service.js';

/**
 * Bearer authentication: resolves API keys to principals for the AuthGuard, which `@Access`
 * binds to each route (never globally, so that a host application's own routes stay its own).
 */
@Global()
@Module({
  providers: [PrincipalService],
  exports: [PrincipalService],
})
export class AuthModule {}
