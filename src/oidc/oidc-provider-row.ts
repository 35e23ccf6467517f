import type { DataSource } from 'typeorm';
import type {
  ClientType,
  IssuerMode,
  SubMode,
} from '../oauth2-providers/oauth2-provider.entity.js';
import { storableText } from './oidc-adapter.js';

/** What the engine needs of an OAuth2 provider and its application (read on every request). */
export interface OidcProviderRow {
  id: number;
  clientId: string;
  clientSecret: string;
  clientType: ClientType;
  redirectUris: string;
  accessCodeValidity: string;
  accessTokenValidity: string;
  refreshTokenValidity: string;
  includeClaimsInIdToken: boolean;
  signingKey: string | null;
  subMode: SubMode;
  issuerMode: IssuerMode;
  slug: string;
  applicationName: string;
}

const SELECT = `
  SELECT p.id, p.client_id AS "clientId", p.client_secret AS "clientSecret",
         p.client_type AS "clientType", p.redirect_uris AS "redirectUris",
         p.access_code_validity AS "accessCodeValidity",
         p.access_token_validity AS "accessTokenValidity",
         p.refresh_token_validity AS "refreshTokenValidity",
         p.include_claims_in_id_token AS "includeClaimsInIdToken",
         p.signing_key AS "signingKey", p.sub_mode AS "subMode", p.issuer_mode AS "issuerMode",
         a.slug, a.name AS "applicationName"
  FROM oauth2_providers p JOIN applications a ON a.provider_id = p.id`;

/**
 * Finds the OAuth2 provider a request is for. Only a provider with an application has endpoints
 * (the application's slug names them); one without is unknown here.
 */
export class OidcProviderRows {
  constructor(private readonly dataSource: DataSource) {}

  private async one(where: string, value: unknown): Promise<OidcProviderRow | undefined> {
    if (typeof value === 'string' && !storableText(value)) return undefined;
    const [row] = await this.dataSource.query(`${SELECT} WHERE ${where} LIMIT 1`, [value]);
    return row ?? undefined;
  }

  byId(id: number) {
    return this.one('p.id = $1', id);
  }

  byClientId(clientId: string) {
    return this.one('p.client_id = $1', clientId);
  }

  bySlug(slug: string) {
    return this.one('a.slug = $1', slug);
  }

  /** The provider of a live access token, found by its value's digest. */
  byAccessTokenDigest(digest: Buffer) {
    return this.one(
      'p.id = (SELECT provider_id FROM access_tokens WHERE token_digest = $1)',
      digest,
    );
  }

  /** The provider of a pending interaction (the sign-in page's uid). */
  async byInteraction(
    uid: string,
  ): Promise<{ row: OidcProviderRow; returnTo: string | undefined } | undefined> {
    if (!storableText(uid)) return undefined;
    const [record] = await this.dataSource.query(
      `SELECT provider_id, payload->>'returnTo' AS "returnTo" FROM oidc_records
       WHERE model = 'Interaction' AND id = $1 AND expires_at > now()`,
      [uid],
    );
    if (!record?.provider_id) return undefined;
    const row = await this.byId(record.provider_id);
    return row ? { row, returnTo: record.returnTo ?? undefined } : undefined;
  }
}
