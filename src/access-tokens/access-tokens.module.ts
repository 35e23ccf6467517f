import { grantKindModule } from '../grants/grant-kind.module.js';
import { ACCESS_TOKENS } from './access-tokens.kind.js';

/** `oauth2/access_tokens/` on its own; exports GrantsService. */
export const AccessTokensModule = grantKindModule(ACCESS_TOKENS);
