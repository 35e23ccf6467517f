import { Module } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module.js';
import { OidcModule } from '../oidc/oidc.module.js';
import {
  DEFAULT_SIGN_IN_LIMITS,
  SIGN_IN_ATTEMPTS_STORE,
  SIGN_IN_LIMITS,
  SignInAttempts,
  signInAttemptsStore,
} from './sign-in-attempts.js';
import { SignInCsrf } from './sign-in-csrf.js';
import { SignInController } from './sign-in.controller.js';
import { SignInService } from './sign-in.service.js';

/**
 * The sign-in page (`/if/flow/sign-in/<uid>/`, outside /api/v3). It asks the OAuth2/OIDC engine
 * for the interaction through InteractionProviders, which the engine's module binds.
 */
@Module({
  imports: [OidcModule],
  controllers: [SignInController],
  providers: [
    SignInService,
    SignInCsrf,
    SignInAttempts,
    { provide: SIGN_IN_LIMITS, useValue: DEFAULT_SIGN_IN_LIMITS },
    {
      provide: SIGN_IN_ATTEMPTS_STORE,
      useFactory: signInAttemptsStore,
      inject: [APP_CONFIG],
    },
  ],
})
export class SignInModule {}
