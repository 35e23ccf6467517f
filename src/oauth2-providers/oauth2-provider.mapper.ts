import type { Column } from '../common/sql/columns.js';
import type { ClientType, IssuerMode, SubMode } from './oauth2-provider.entity.js';
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
