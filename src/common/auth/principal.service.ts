import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { queryRows } from '../../database/pool-query.js';
import { SecretBox } from '../crypto/secret-box.js';
import type { Principal } from './principal.js';

interface PrincipalRow {
  user_id: number;
  username: string;
  is_superuser: boolean;
  permissions: { permission: string; object_pk: string }[];
}

/*
 * One round trip: the token (intent api, not expired) and its active user, the user's groups with
 * all their ancestors (UNION stops on cycles), the roles of the user and of those groups, and the
 * permissions of those roles. No caching: a deleted token or deactivated user stops working at once.
 */
const PRINCIPAL_SQL = `
WITH RECURSIVE caller AS (
  SELECT u.id, u.username
  FROM tokens t JOIN users u ON u.id = t.user_id
  WHERE t.key_digest = $1 AND t.intent = 'api' AND u.is_active
    AND (NOT t.expiring OR t.expires IS NULL OR t.expires > now())
), ancestry AS (
  SELECT g.id, g.parent_id, g.is_superuser
  FROM user_groups ug JOIN groups g ON g.id = ug.group_id
  WHERE ug.user_id = (SELECT id FROM caller)
  UNION
  SELECT p.id, p.parent_id, p.is_superuser
  FROM groups p JOIN ancestry a ON p.id = a.parent_id
), caller_roles AS (
  SELECT role_id FROM user_roles WHERE user_id = (SELECT id FROM caller)
  UNION
  SELECT role_id FROM group_roles WHERE group_id IN (SELECT id FROM ancestry)
)
SELECT c.id AS user_id, c.username,
  EXISTS (SELECT 1 FROM ancestry WHERE is_superuser) AS is_superuser,
  COALESCE((
    SELECT json_agg(DISTINCT jsonb_build_object(
      'permission', rp.app_label || '.' || rp.codename, 'object_pk', rp.object_pk))
    FROM role_permissions rp WHERE rp.role_id IN (SELECT role_id FROM caller_roles)
  ), '[]') AS permissions
FROM caller c`;

@Injectable()
export class PrincipalService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly secrets: SecretBox,
  ) {}

  /**
   * The caller an API key belongs to, or null for an unknown/expired key or an inactive user.
   * With the request the key came in, its digest is the one the rate limiter already computed.
   */
  async fromApiKey(key: string, request?: object): Promise<Principal | null> {
    const digest = request ? this.secrets.digestFor(request, key) : this.secrets.digest(key);
    const rows = await queryRows<PrincipalRow>(this.dataSource, PRINCIPAL_SQL, [digest]);
    const row = rows[0];
    if (!row) return null;
    const globalPermissions = new Set<string>();
    const objectPermissions = new Map<string, Set<string>>();
    for (const { permission, object_pk: objectPk } of row.permissions) {
      if (objectPk === '') {
        globalPermissions.add(permission);
      } else {
        const pks = objectPermissions.get(permission) ?? new Set<string>();
        pks.add(objectPk);
        objectPermissions.set(permission, pks);
      }
    }
    return {
      userId: row.user_id,
      username: row.username,
      isSuperuser: row.is_superuser,
      globalPermissions,
      objectPermissions,
    };
  }
}
