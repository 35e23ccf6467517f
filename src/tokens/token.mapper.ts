import type { Column } from '../common/sql/columns.js';
import { formatIsoUtc, isoUtcSql } from '../common/sql/timestamps.js';
import type { UserResponse } from '../users/dto/user.response.js';
import type { TokenResponse } from './dto/token.response.js';
import type { TokenIntent } from './token.entity.js';

/** Columns ([expression, alias]) a query selects to build a Token from table `alias`. */
export function tokenColumns(alias: string, prefix: string): Column[] {
  const plain = ['id', 'managed', 'identifier', 'intent', 'user_id', 'description', 'expiring'];
  return [
    ...plain.map((column): Column => [`${alias}.${column}`, `${prefix}${column}`]),
    [isoUtcSql(`${alias}.expires`), `${prefix}expires`],
  ];
}

export interface TokenRow {
  id: string;
  managed: string | null;
  identifier: string;
  intent: TokenIntent;
  user_id: number;
  description: string;
  expires: string | null;
  expiring: boolean;
}

/** The Token item; `key` only in the answer to create. */
export function toTokenResponse(token: TokenRow, user: UserResponse, key?: string): TokenResponse {
  return {
    pk: token.id,
    managed: token.managed,
    identifier: token.identifier,
    ...(key === undefined ? {} : { key }),
    intent: token.intent,
    user: token.user_id,
    user_obj: user,
    description: token.description,
    expires: formatIsoUtc(token.expires),
    expiring: token.expiring,
  };
}
