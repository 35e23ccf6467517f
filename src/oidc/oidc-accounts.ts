import type { Account, AccountClaims, FindAccount } from 'oidc-provider';
import type { DataSource } from 'typeorm';
import type { SubMode } from '../oauth2-providers/oauth2-provider.entity.js';
import { userUid } from '../users/user.mapper.js';

/** The scopes the engine knows, and the claims each one releases (as authentik's mappings). */
export const OIDC_SCOPES = ['openid', 'profile', 'email', 'offline_access'];
export const OIDC_CLAIMS = {
  openid: ['sub'],
  profile: ['name', 'given_name', 'preferred_username', 'nickname', 'groups'],
  email: ['email', 'email_verified'],
};

export interface SignedInUser {
  id: number;
  uuid: string;
  username: string;
  name: string;
  email: string;
  attributes: Record<string, unknown>;
}

/**
 * The `sub` claim per the provider's sub_mode, as authentik computes it: hashed_user_id is the
 * user's authentik `uid` (hex SHA-256 of "<pk>-<install id>"); user_upn is the `upn` attribute,
 * falling back to that uid when the user has none (authentik's own fallback).
 */
export function subjectOf(user: SignedInUser, subMode: SubMode, installId: string): string {
  const uid = () => userUid(user.id, installId);
  switch (subMode) {
    case 'user_id':
      return String(user.id);
    case 'user_uuid':
      return user.uuid;
    case 'user_username':
      return user.username;
    case 'user_email':
      return user.email;
    case 'user_upn': {
      const upn = user.attributes?.upn;
      return typeof upn === 'string' && upn !== '' ? upn : uid();
    }
    default:
      return uid();
  }
}

/**
 * The `sub` the engine puts in ID tokens, userinfo and introspection. oidc-provider makes `sub`
 * the account id (`String(users.id)`, what the grant tables' user_id holds) unless the client's
 * subject type is "pairwise": every client is, so that this hook turns the account id into the
 * provider's sub_mode subject.
 */
export function subjectFinder(
  dataSource: DataSource,
  subMode: SubMode,
  installId: () => string,
): (accountId: string) => Promise<string> {
  return async (accountId) => {
    const id = Number(accountId);
    if (subMode === 'hashed_user_id') return userUid(id, installId());
    if (subMode === 'user_id') return String(id);
    const [user]: SignedInUser[] = await dataSource.query(
      'SELECT id, uuid, username, name, email, attributes FROM users WHERE id = $1',
      [id],
    );
    // Deleted since (its tokens are gone with it): the id's hash names no one else.
    return user ? subjectOf(user, subMode, installId()) : userUid(id, installId());
  };
}

/**
 * The engine's account lookup: an active user by id (the account id is `String(users.id)`).
 * A user deactivated or deleted since is no account at all, so that the engine refuses their
 * tokens at userinfo and refresh, and asks them to sign in again.
 */
export function accountFinder(dataSource: DataSource): FindAccount {
  return async (_ctx, id) => {
    if (!/^\d{1,10}$/.test(id)) return undefined;
    const [user]: SignedInUser[] = await dataSource.query(
      `SELECT id, uuid, username, name, email, attributes FROM users
       WHERE id = $1 AND is_active`,
      [Number(id)],
    );
    if (!user) return undefined;
    const account: Account = {
      accountId: String(user.id),
      claims: async (_use, scope): Promise<AccountClaims> => {
        const scopes = new Set(scope.split(' '));
        // The engine sets `sub` itself (see subjectFinder).
        const claims: AccountClaims = { sub: String(user.id) };
        if (scopes.has('profile')) {
          const groups: { name: string }[] = await dataSource.query(
            `SELECT g.name FROM user_groups ug JOIN groups g ON g.id = ug.group_id
             WHERE ug.user_id = $1 ORDER BY g.name`,
            [user.id],
          );
          Object.assign(claims, {
            name: user.name,
            given_name: user.name,
            preferred_username: user.username,
            nickname: user.username,
            groups: groups.map((group) => group.name),
          });
        }
        if (scopes.has('email')) {
          Object.assign(claims, { email: user.email, email_verified: true });
        }
        return claims;
      },
    };
    return account;
  };
}
