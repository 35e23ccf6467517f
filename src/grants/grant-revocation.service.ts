import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';

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
        `UPDATE refresh_tokens SET revoked = true WHERE user_id = $1 AND NOT revoked${provider}`,
      ),
    };
  }
}
