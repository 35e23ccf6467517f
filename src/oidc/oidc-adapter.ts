import type { Adapter, AdapterPayload } from 'oidc-provider';
import { errors } from 'oidc-provider';
import type { DataSource, EntityManager } from 'typeorm';
import { sha256 } from '../common/crypto/digest.js';

/** The engine models stored in the grant tables the admin API lists; the rest go to oidc_records. */
const GRANT_TABLES = {
  AuthorizationCode: { table: 'authorization_codes', digest: 'code_digest' },
  AccessToken: { table: 'access_tokens', digest: 'token_digest' },
  RefreshToken: { table: 'refresh_tokens', digest: 'token_digest' },
} as const;
type GrantModel = keyof typeof GRANT_TABLES;

const isGrantModel = (name: string): name is GrantModel => Object.hasOwn(GRANT_TABLES, name);

/**
 * Models every instance reads alike (provider_id NULL): the browser's session, so that a user
 * signed in to one application is signed in to all of them (single sign-on, as in authentik),
 * and signing out at one application's end-session signs out of all.
 */
const SHARED_MODELS = new Set(['Session']);

/** What the Client model's metadata is built from (src/oidc/oidc-client.ts). */
export type ClientMetadataSource = (clientId: string) => Promise<AdapterPayload | undefined>;

export interface AdapterContext {
  dataSource: DataSource;
  /** The OAuth2 provider whose instance this is; null for the fallback instance (no client). */
  providerId: number | null;
  clientMetadata: ClientMetadataSource;
}

/** PostgreSQL text holds no NUL: a value with one names no row (and must not reach a query). */
export const storableText = (value: string) => !value.includes('\u0000');

const epoch = (date: Date | null | undefined) =>
  date ? Math.floor(date.getTime() / 1000) : undefined;
const fromEpoch = (seconds: unknown) =>
  typeof seconds === 'number' ? new Date(seconds * 1000) : null;
const text = (value: unknown) => (typeof value === 'string' ? value : null);

/** The payload as stored: never the value itself (`jti`), which find() puts back. */
function storable(payload: AdapterPayload): Record<string, unknown> {
  const { jti: _jti, ...rest } = payload as AdapterPayload & { jti?: string };
  return rest;
}

/**
 * oidc-provider's storage, on our tables (design.md "Storage"). Codes and tokens land in the grant
 * tables, found again by the SHA-256 digest of their value; every other model is a row of
 * oidc_records. Every find reads the tables (no cache): an admin's DELETE or revoke_grants takes
 * effect at the next request. Each instance (one per OAuth2 provider) sees only its own rows.
 */
export class OidcAdapter implements Adapter {
  constructor(
    private readonly model: string,
    private readonly context: AdapterContext,
  ) {}

  private get db(): DataSource {
    return this.context.dataSource;
  }

  /** The provider_id of this model's oidc_records rows: null for the shared models. */
  private get recordScope(): number | null {
    return SHARED_MODELS.has(this.model) ? null : this.providerId;
  }

  private get providerId(): number {
    if (this.context.providerId === null) {
      // The fallback instance answers requests for unknown clients: it never issues anything.
      throw new Error('the fallback OIDC instance stores nothing');
    }
    return this.context.providerId;
  }

  async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
    if (this.model === 'Client') return;
    if (isGrantModel(this.model)) return this.upsertGrant(this.model, id, payload);
    const expires = new Date(Date.now() + expiresIn * 1000);
    await this.db.query(
      `INSERT INTO oidc_records (model, id, provider_id, payload, grant_id, uid, user_code, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (model, id) DO UPDATE SET payload = excluded.payload,
         grant_id = excluded.grant_id, uid = excluded.uid, user_code = excluded.user_code,
         expires_at = excluded.expires_at`,
      [
        this.model,
        id,
        this.recordScope,
        storable(payload),
        text(payload.grantId),
        text(payload.uid),
        text(payload.userCode),
        expires,
      ],
    );
  }

  async find(id: string): Promise<AdapterPayload | undefined> {
    if (this.model === 'Client') return this.context.clientMetadata(id);
    if (this.context.providerId === null || !storableText(id)) return undefined;
    if (isGrantModel(this.model)) return this.findGrant(this.model, id);
    const [row] = await this.db.query(
      `SELECT payload, consumed_at FROM oidc_records
       WHERE model = $1 AND id = $2 AND provider_id IS NOT DISTINCT FROM $3 AND (expires_at IS NULL OR expires_at > now())`,
      [this.model, id, this.recordScope],
    );
    return row ? this.restore(id, row.payload, row.consumed_at) : undefined;
  }

  async findByUid(uid: string): Promise<AdapterPayload | undefined> {
    if (this.context.providerId === null || !storableText(uid)) return undefined;
    const [row] = await this.db.query(
      `SELECT id, payload, consumed_at FROM oidc_records
       WHERE model = $1 AND uid = $2 AND provider_id IS NOT DISTINCT FROM $3 AND (expires_at IS NULL OR expires_at > now())`,
      [this.model, uid, this.recordScope],
    );
    return row ? this.restore(row.id, row.payload, row.consumed_at) : undefined;
  }

  async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
    if (this.context.providerId === null || !storableText(userCode)) return undefined;
    const [row] = await this.db.query(
      `SELECT id, payload, consumed_at FROM oidc_records
       WHERE model = $1 AND user_code = $2 AND provider_id IS NOT DISTINCT FROM $3 AND (expires_at IS NULL OR expires_at > now())`,
      [this.model, userCode, this.recordScope],
    );
    return row ? this.restore(row.id, row.payload, row.consumed_at) : undefined;
  }

  async consume(id: string): Promise<void> {
    if (this.model === 'AuthorizationCode') return this.consumeCode(id);
    if (this.model === 'RefreshToken') return this.revokeRefreshToken(id);
    await this.db.query(
      `UPDATE oidc_records SET consumed_at = now() WHERE model = $1 AND id = $2 AND provider_id IS NOT DISTINCT FROM $3`,
      [this.model, id, this.recordScope],
    );
  }

  async destroy(id: string): Promise<void> {
    if (this.model === 'Client' || this.context.providerId === null || !storableText(id)) return;
    // A refresh token is revoked rather than deleted: kept (retention window) so that a replay is
    // recognised, and never usable again.
    if (this.model === 'RefreshToken') return this.revokeRefreshToken(id);
    if (isGrantModel(this.model)) {
      const { table, digest } = GRANT_TABLES[this.model];
      await this.db.query(`DELETE FROM ${table} WHERE ${digest} = $1 AND provider_id = $2`, [
        sha256(id),
        this.providerId,
      ]);
      return;
    }
    await this.db.query(
      'DELETE FROM oidc_records WHERE model = $1 AND id = $2 AND provider_id IS NOT DISTINCT FROM $3',
      [this.model, id, this.recordScope],
    );
  }

  /**
   * Everything one authorization produced, when a code or refresh token is replayed (or a token
   * revoked): access tokens and codes deleted, refresh tokens marked revoked (as revoke_grants
   * does), and the engine's records of that grant (consumed codes) deleted.
   */
  async revokeByGrantId(grantId: string): Promise<void> {
    if (this.context.providerId === null) return;
    const parameters = [grantId, this.providerId];
    switch (this.model) {
      case 'AccessToken':
        await this.db.query(
          'DELETE FROM access_tokens WHERE grant_id = $1 AND provider_id = $2',
          parameters,
        );
        return;
      case 'RefreshToken':
        await this.db.query(
          `UPDATE refresh_tokens SET revoked = true, revoked_at = now()
           WHERE grant_id = $1 AND provider_id = $2 AND NOT revoked`,
          parameters,
        );
        return;
      case 'AuthorizationCode':
        await this.db.query(
          'DELETE FROM authorization_codes WHERE grant_id = $1 AND provider_id = $2',
          parameters,
        );
        break;
    }
    await this.db.query(
      'DELETE FROM oidc_records WHERE model = $1 AND grant_id = $2 AND provider_id = $3',
      [this.model, grantId, this.providerId],
    );
  }

  private restore(id: string, payload: Record<string, unknown>, consumedAt: Date | null) {
    const consumed = epoch(consumedAt);
    return { ...payload, jti: id, ...(consumed === undefined ? {} : { consumed }) };
  }

  private async upsertGrant(model: GrantModel, id: string, payload: AdapterPayload) {
    const { table, digest } = GRANT_TABLES[model];
    const userId = Number(payload.accountId);
    if (!Number.isSafeInteger(userId)) throw new Error(`${model} without a user account`);
    const columns: Record<string, unknown> = {
      provider_id: this.providerId,
      user_id: userId,
      expires: fromEpoch(payload.exp),
      expiring: true,
      scope: payload.scope ?? '',
      auth_time: fromEpoch(payload.authTime),
      nonce: text(payload.nonce),
      session_id: text(payload.sessionUid),
      grant_id: text(payload.grantId),
      engine_payload: storable(payload),
      [digest]: sha256(id),
    };
    if (model === 'AuthorizationCode') {
      columns.code_challenge = text(payload.codeChallenge);
      columns.code_challenge_method = text(payload.codeChallengeMethod);
    }
    const names = Object.keys(columns);
    const updates = ['expires', 'scope', 'engine_payload']
      .map((name) => `${name} = excluded.${name}`)
      .join(', ');
    await this.db.query(
      `INSERT INTO ${table} (${names.join(', ')})
       VALUES (${names.map((_, i) => `$${i + 1}`).join(', ')})
       ON CONFLICT (${digest}) DO UPDATE SET ${updates}`,
      Object.values(columns),
    );
    if (payload.grantId && typeof payload.exp === 'number') {
      await this.extendGrant(payload.grantId, payload.exp);
    }
  }

  /**
   * The engine refuses tokens of an expired Grant: a grant lives as long as the longest-lived
   * code or token issued from it (rotated refresh tokens included).
   */
  private async extendGrant(grantId: string, exp: number) {
    await this.db.query(
      `UPDATE oidc_records
       SET payload = jsonb_set(payload, '{exp}', to_jsonb($3::bigint)), expires_at = to_timestamp($3)
       WHERE model = 'Grant' AND id = $1 AND provider_id = $2
         AND coalesce((payload->>'exp')::bigint, 0) < $3`,
      [grantId, this.providerId, exp],
    );
  }

  private async findGrant(model: GrantModel, id: string): Promise<AdapterPayload | undefined> {
    const { table, digest } = GRANT_TABLES[model];
    const value = sha256(id);
    const revokedAt = model === 'AuthorizationCode' ? 'NULL' : 'g.revoked_at';
    // A deactivated user's codes and tokens are dead at once, revoked or not (introspection,
    // userinfo and refresh all find them here).
    const [row] = await this.db.query(
      `SELECT g.engine_payload, g.revoked, ${revokedAt} AS revoked_at
       FROM ${table} g JOIN users u ON u.id = g.user_id
       WHERE g.${digest} = $1 AND g.provider_id = $2 AND u.is_active`,
      [value, this.providerId],
    );
    if (row?.engine_payload) {
      if (!row.revoked) return this.restore(id, row.engine_payload, null);
      // A revoked refresh token reads as consumed: presenting it again revokes its whole grant.
      if (model === 'RefreshToken') {
        return this.restore(id, row.engine_payload, row.revoked_at ?? new Date());
      }
      return undefined;
    }
    if (model !== 'AuthorizationCode') return undefined;
    // An exchanged code is gone from the admin list but remembered until its expiry: a replay.
    const [consumed] = await this.db.query(
      `SELECT payload, consumed_at FROM oidc_records
       WHERE model = 'AuthorizationCode' AND id = $1 AND provider_id = $2 AND expires_at > now()`,
      [value.toString('hex'), this.providerId],
    );
    return consumed ? this.restore(id, consumed.payload, consumed.consumed_at) : undefined;
  }

  /**
   * An exchanged code leaves authorization_codes (as in authentik) and stays in oidc_records,
   * under its digest, until it expires. Two exchanges racing for one code: the second finds
   * nothing left to delete and fails as a replay would.
   */
  private async consumeCode(id: string): Promise<void> {
    const value = sha256(id);
    await this.db.transaction(async (manager: EntityManager) => {
      const [rows] = (await manager.query(
        `DELETE FROM authorization_codes WHERE code_digest = $1 AND provider_id = $2
         RETURNING engine_payload, grant_id, expires`,
        [value, this.providerId],
      )) as [{ engine_payload: object; grant_id: string | null; expires: Date | null }[], number];
      const row = rows[0];
      if (!row) throw new errors.InvalidGrant('authorization code already consumed');
      await manager.query(
        `INSERT INTO oidc_records (model, id, provider_id, payload, grant_id, expires_at, consumed_at)
         VALUES ('AuthorizationCode', $1, $2, $3, $4, $5, now())
         ON CONFLICT (model, id) DO NOTHING`,
        [value.toString('hex'), this.providerId, row.engine_payload, row.grant_id, row.expires],
      );
    });
  }

  private async revokeRefreshToken(id: string): Promise<void> {
    await this.db.query(
      `UPDATE refresh_tokens SET revoked = true, revoked_at = now()
       WHERE token_digest = $1 AND provider_id = $2 AND NOT revoked`,
      [sha256(id), this.providerId],
    );
  }
}
