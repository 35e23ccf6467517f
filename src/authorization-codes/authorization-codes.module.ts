import { grantKindModule } from '../grants/grant-kind.module.js';
import { AUTHORIZATION_CODES } from './authorization-codes.kind.js';

/** `oauth2/authorization_codes/` on its own; exports GrantsService. */
export const AuthorizationCodesModule = grantKindModule(AUTHORIZATION_CODES);
