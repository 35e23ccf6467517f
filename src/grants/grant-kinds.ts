import { ACCESS_TOKENS } from '../access-tokens/access-tokens.kind.js';
import { AUTHORIZATION_CODES } from '../authorization-codes/authorization-codes.kind.js';
import { REFRESH_TOKENS } from '../refresh-tokens/refresh-tokens.kind.js';

/** Every grant resource the API serves. */
export const GRANT_KINDS = [AUTHORIZATION_CODES, ACCESS_TOKENS, REFRESH_TOKENS] as const;
