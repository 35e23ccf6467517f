import { Module } from '@nestjs/common';
import { SigningKeysModule } from '../signing-keys/signing-keys.module.js';
import { InteractionProviders } from './interaction-providers.js';
import { OidcDispatcher } from './oidc-dispatcher.js';
import { OidcEngine } from './oidc-engine.js';

/**
 * The OAuth2/OpenID Connect engine (oidc-provider) at authentik's `/application/o/…` paths. Its
 * requests never reach a Nest controller: src/common/http hands them to OidcDispatcher first.
 */
@Module({
  imports: [SigningKeysModule],
  providers: [
    OidcEngine,
    OidcDispatcher,
    { provide: InteractionProviders, useExisting: OidcEngine },
  ],
  exports: [InteractionProviders, OidcEngine, OidcDispatcher],
})
export class OidcModule {}
