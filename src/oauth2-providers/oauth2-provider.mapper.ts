import type { SelectQueryBuilder } from 'typeorm';
import type { Column } from '../common/sql/columns.js';
import type { ClientType, IssuerMode, OAuth2Provider, SubMode } from './oauth2-provider.entity.js';
import type { OAuth2ProviderWrite } from './dto/oauth2-provider.request.js';
import type { OAuth2ProviderResponse } from './dto/oauth2-provider.response.js';

/**
 * Columns a query selects (under `prefix`) to build a nested OAuth2Provider from table alias
 * `alias`, its application `app` (provider_id = alias.id) and backchannel application `backchannel`.
 */
export function providerColumns(
  alias: string,
  app: string,
  backchannel: string,
  prefix: string,
): Column[] {
  const own = [
    'id',
    'name',
    'authentication_flow',
    'authorization_flow',
    'invalidation_flow',
    'property_mappings',
    'client_type',
    'client_id',
    'client_secret',
    'access_code_validity',
    'access_token_validity',
    'refresh_token_validity',
    'include_claims_in_id_token',
    'signing_key',
    'encryption_key',
    'redirect_uris',
    'sub_mode',
    'issuer_mode',
    'jwks_sources',
  ].map((column): Column => [`${alias}.${column}`, `${prefix}${column}`]);
  return [
    ...own,
    [`${app}.slug`, `${prefix}app_slug`],
    [`${app}.name`, `${prefix}app_name`],
    [`${backchannel}.slug`, `${prefix}backchannel_slug`],
    [`${backchannel}.name`, `${prefix}backchannel_name`],
  ];
}

/**
 * Joins what `providerColumns` reads besides the provider row `alias`: its application `app` and
 * its backchannel application `backchannel` (both many-to-one, so the row count is unchanged).
 */
export function joinProviderApplications<T extends object>(
  qb: SelectQueryBuilder<T>,
  alias: string,
  app: string,
  backchannel: string,
): SelectQueryBuilder<T> {
  return qb
    .leftJoin('applications', app, `${app}.provider_id = ${alias}.id`)
    .leftJoin(
      'applications',
      backchannel,
      `${backchannel}.id = ${alias}.backchannel_application_id`,
    );
}

export interface ProviderRow {
  id: number;
  name: string;
  authentication_flow: string | null;
  authorization_flow: string | null;
  invalidation_flow: string | null;
  property_mappings: string[];
  client_type: ClientType;
  client_id: string;
  client_secret: string;
  access_code_validity: string;
  access_token_validity: string;
  refresh_token_validity: string;
  include_claims_in_id_token: boolean;
  signing_key: string | null;
  encryption_key: string | null;
  redirect_uris: string;
  sub_mode: SubMode;
  issuer_mode: IssuerMode;
  jwks_sources: string[];
  app_slug: string | null;
  app_name: string | null;
  backchannel_slug: string | null;
  backchannel_name: string | null;
}

/**
 * The nested provider, keys in authentik's order. `revealSecret` is decided by the caller's
 * permissions (contract §3): everyone else sees the key with an empty value.
 */
export function toProviderResponse(
  row: ProviderRow,
  revealSecret: boolean,
): OAuth2ProviderResponse {
  return {
    pk: row.id,
    name: row.name,
    authentication_flow: row.authentication_flow,
    authorization_flow: row.authorization_flow,
    invalidation_flow: row.invalidation_flow,
    property_mappings: row.property_mappings,
    component: 'ak-provider-oauth2-form',
    assigned_application_slug: row.app_slug,
    assigned_application_name: row.app_name,
    assigned_backchannel_application_slug: row.backchannel_slug,
    assigned_backchannel_application_name: row.backchannel_name,
    verbose_name: 'OAuth2/OpenID Provider',
    verbose_name_plural: 'OAuth2/OpenID Providers',
    meta_model_name: 'authentik_providers_oauth2.oauth2provider',
    client_type: row.client_type,
    client_id: row.client_id,
    client_secret: revealSecret ? row.client_secret : '',
    access_code_validity: row.access_code_validity,
    access_token_validity: row.access_token_validity,
    refresh_token_validity: row.refresh_token_validity,
    include_claims_in_id_token: row.include_claims_in_id_token,
    signing_key: row.signing_key,
    encryption_key: row.encryption_key,
    redirect_uris: row.redirect_uris,
    sub_mode: row.sub_mode,
    issuer_mode: row.issuer_mode,
    jwks_sources: row.jwks_sources,
  };
}

/** Wire field → entity property of every writable field; read-only fields are not here. */
const WRITABLE = {
  name: 'name',
  authentication_flow: 'authenticationFlow',
  authorization_flow: 'authorizationFlow',
  invalidation_flow: 'invalidationFlow',
  property_mappings: 'propertyMappings',
  client_type: 'clientType',
  client_id: 'clientId',
  client_secret: 'clientSecret',
  access_code_validity: 'accessCodeValidity',
  access_token_validity: 'accessTokenValidity',
  refresh_token_validity: 'refreshTokenValidity',
  include_claims_in_id_token: 'includeClaimsInIdToken',
  signing_key: 'signingKey',
  encryption_key: 'encryptionKey',
  redirect_uris: 'redirectUris',
  sub_mode: 'subMode',
  issuer_mode: 'issuerMode',
  jwks_sources: 'jwksSources',
} as const satisfies Record<keyof OAuth2ProviderWrite, keyof OAuth2Provider>;

/** The entity values of the fields a request body carries (absent fields are left out). */
export function toProviderValues(body: OAuth2ProviderWrite): Partial<OAuth2Provider> {
  const values: Record<string, unknown> = {};
  for (const [field, property] of Object.entries(WRITABLE)) {
    const value = body[field as keyof OAuth2ProviderWrite];
    // uuid lists are sets (contract §5.2): repeated ids are stored once.
    if (value !== undefined) values[property] = Array.isArray(value) ? [...new Set(value)] : value;
  }
  return values as Partial<OAuth2Provider>;
}
