import { grantKindModule } from '../grants/grant-kind.module.js';
import { REFRESH_TOKENS } from './refresh-tokens.kind.js';

/** `oauth2/refresh_tokens/` on its own; exports GrantsService. */
export const RefreshTokensModule = grantKindModule(REFRESH_TOKENS);
