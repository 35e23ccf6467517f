import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { hasGlobalPermission, type Principal } from '../common/auth/principal.js';
import { Permissions } from '../common/auth/permissions.js';
import { permissionDenied, ValidationError } from '../common/errors/api-errors.js';
import { Messages } from '../common/validation/messages.js';

/** Revoking someone else's grants takes the delete permission of every grant kind. */
const REVOKE_PERMISSIONS = [
  Permissions.deleteAuthorizationCode,
  Permissions.deleteAccessToken,
  Permissions.deleteRefreshToken,
];

export interface RevokedGrants {
  authorization_codes: number;
  access_tokens: number;
  refresh_tokens: number;
}

/**
 * "Log out all devices": deletes a user's authorization codes and access tokens and marks their
 * refresh tokens revoked (kept for the retention window), optionally for one provider only.
 * Runs in the caller's transaction when given one, else in its own; idempotent.
 */
@Injectable()
export class GrantRevocationService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * `POST oauth2/revoke_grants/`: the caller's own grants, or anyone's for a superuser or a holder
   * of the three delete permissions. Others get 403 before anything about the user is revealed.
   */
  async revokeForCaller(
    principal: Principal,
    userId: number,
    providerId?: number,
  ): Promise<RevokedGrants> {
    const self = userId === principal.userId;
    if (!self && !REVOKE_PERMISSIONS.every((name) => hasGlobalPermission(principal, name))) {
      throw permissionDenied();
    }
    return this.dataSource.transaction(async (manager) => {
      const [found] = await manager.query(
        `SELECT EXISTS (SELECT 1 FROM users WHERE id = $1) AS user,
                ($2::int IS NULL OR EXISTS (SELECT 1 FROM oauth2_providers WHERE id = $2)) AS provider`,
        [userId, providerId ?? null],
      );
      const errors: Record<string, string[]> = {};
      if (!found.user) errors.user = [Messages.doesNotExist(userId)];
      if (!found.provider) errors.provider = [Messages.doesNotExist(providerId)];
      if (Object.keys(errors).length > 0) throw new ValidationError(errors);
      return this.revokeUserGrants(userId, providerId, manager);
    });
  }

  async revokeUserGrants(
    userId: number,
    providerId?: number,
    manager?: EntityManager,
  ): Promise<RevokedGrants> {
    if (!manager) {
      return this.dataSource.transaction((own) => this.revokeUserGrants(userId, providerId, own));
    }
    const provider = providerId === undefined ? '' : ' AND provider_id = $2';
    const parameters = providerId === undefined ? [userId] : [userId, providerId];
    const affected = async (sql: string) => {
      const [, count] = (await manager.query(sql, parameters)) as [unknown, number];
      return count;
    };
    return {
      authorization_codes: await affected(
        `DELETE FROM authorization_codes WHERE user_id = $1${provider}`,
      ),
      access_tokens: await affected(`DELETE FROM access_tokens WHERE user_id = $1${provider}`),
      refresh_tokens: await affected(
        `UPDATE refresh_tokens SET revoked = true, revoked_at = now()
         WHERE user_id = $1 AND NOT revoked${provider}`,
      ),
    };
  }
}
