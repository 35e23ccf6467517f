import escapeHtml from 'escape-html';
import type {
  AdapterPayload,
  Client,
  Configuration,
  ErrorOut,
  FindAccount,
  JWK,
  KoaContextWithOIDC,
} from 'oidc-provider';
import { interactionPolicy } from 'oidc-provider';
import type { SigningJwk } from '../signing-keys/signing-keys.service.js';
import { OIDC_CLAIMS, OIDC_SCOPES } from './oidc-accounts.js';
import { OidcAdapter, type AdapterContext } from './oidc-adapter.js';
import type { OidcProviderRow } from './oidc-provider-row.js';
import { validitySeconds } from './validity.js';

/** authentik's paths (design.md "URLs"); the instance mounts at the root and owns them all. */
export const OIDC_PREFIX = '/application/o';
/** Without a trailing slash: the engine appends `/<uid>` for the resume route. */
export const AUTHORIZE_PATH = `${OIDC_PREFIX}/authorize`;
export const signInPath = (uid: string) => `/if/flow/sign-in/${encodeURIComponent(uid)}/`;

const DEFAULT_TTL = {
  code: 60,
  accessToken: 3600,
  refreshToken: 30 * 86_400,
  interaction: 3600,
  session: 14 * 86_400,
};

/** The provider fields that shape an instance; anything else is read per request. */
export interface InstanceSettings {
  /** null: the fallback instance, which answers for unknown clients (it has none). */
  row: OidcProviderRow | null;
  issuer: string;
  jwk: SigningJwk;
  cookieKeys: string[];
  findAccount: FindAccount;
  /** The `sub` of an account id for this provider (its sub_mode). */
  subject: (accountId: string) => Promise<string>;
  adapter: AdapterContext;
}

export function ttlsOf(row: OidcProviderRow | null) {
  const code = validitySeconds(row?.accessCodeValidity) ?? DEFAULT_TTL.code;
  const accessToken = validitySeconds(row?.accessTokenValidity) ?? DEFAULT_TTL.accessToken;
  const refreshToken = validitySeconds(row?.refreshTokenValidity) ?? DEFAULT_TTL.refreshToken;
  return { code, accessToken, refreshToken };
}

/** The Client model's metadata, from the provider row as it is now. */
export function clientMetadata(row: OidcProviderRow, alg: SigningJwk['alg']): AdapterPayload {
  const redirectUris = row.redirectUris
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
  const confidential = row.clientType === 'confidential';
  // Native apps' custom schemes (com.example.app:/cb) are only allowed to native clients.
  const native = redirectUris.some((uri) => !/^https?:/i.test(uri));
  return {
    client_id: row.clientId,
    ...(confidential ? { client_secret: row.clientSecret } : {}),
    // client_secret_basic also accepts client_secret_post (oidc-provider treats them as one
    // secret-based family), which is what authentik does.
    token_endpoint_auth_method: confidential ? 'client_secret_basic' : 'none',
    application_type: native ? 'native' : 'web',
    client_name: row.applicationName,
    redirect_uris: redirectUris,
    // "pairwise" is only how sub_mode is implemented (below), so the engine's rule that redirect
    // URIs on several hosts need a sector identifier document does not apply: it gets a name in
    // the reserved .invalid domain, never fetched (sectorIdentifierUriValidate), never used.
    sector_identifier_uri: `https://sector.invalid/${encodeURIComponent(row.clientId)}`,
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    id_token_signed_response_alg: alg,
  };
}

/**
 * Implicit consent: the requested scopes (among the supported ones) are granted on every
 * authorization, so the sign-in page is the only interaction.
 */
async function implicitConsent(ctx: KoaContextWithOIDC) {
  const { oidc } = ctx;
  const accountId = oidc.session!.accountId!;
  const clientId = oidc.client!.clientId;
  const grantId = oidc.result?.consent?.grantId ?? oidc.session!.grantIdFor(clientId);
  let grant = grantId ? await oidc.provider.Grant.find(grantId) : undefined;
  if (grant && (grant.accountId !== accountId || grant.clientId !== clientId)) grant = undefined;
  grant ??= new oidc.provider.Grant({ accountId, clientId });
  const scope = [...oidc.requestParamOIDCScopes].join(' ');
  if (scope) grant.addOIDCScope(scope);
  await grant.save();
  return grant;
}

/** Only the login prompt ever needs the end-user: consent is implicit, even when requested. */
function signInOnlyPolicy() {
  const policy = interactionPolicy.base();
  const consent = policy.get('consent')!;
  consent.checks.remove('consent_prompt');
  consent.checks.remove('native_client_prompt');
  return policy;
}

function page(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><main><h1>${escapeHtml(title)}</h1>${body}</main></body>
</html>`;
}

/** The engine's HTML error page (authorization errors that cannot go back to the client). */
async function renderError(ctx: KoaContextWithOIDC, out: ErrorOut) {
  ctx.type = 'html';
  ctx.body = page(
    'Sign-in failed',
    `<p role="alert">${escapeHtml(out.error_description ?? out.error)}</p>` +
      `<p><code>${escapeHtml(out.error)}</code></p>`,
  );
}

async function logoutSource(ctx: KoaContextWithOIDC, form: string) {
  ctx.type = 'html';
  ctx.body = page(
    'Sign out',
    `${form}<p>Do you want to sign out?</p>` +
      '<button type="submit" form="op.logoutForm" value="yes" name="logout">Yes, sign me out</button> ' +
      '<button type="submit" form="op.logoutForm">No, stay signed in</button>',
  );
}

async function postLogoutSuccessSource(ctx: KoaContextWithOIDC) {
  ctx.type = 'html';
  ctx.body = page('Signed out', '<p>You have been signed out.</p>');
}

/** oidc-provider's configuration for one OAuth2 provider (or the fallback instance). */
export function buildConfiguration(settings: InstanceSettings): Configuration {
  const { row, jwk } = settings;
  const alg = jwk.alg;
  const ttl = ttlsOf(row);
  const slugPath = row ? `${OIDC_PREFIX}/${row.slug}` : `${OIDC_PREFIX}/-`;
  return {
    adapter: (name: string) => new OidcAdapter(name, settings.adapter),
    clients: [],
    findAccount: settings.findAccount,
    // Every client is "pairwise" so that `sub` follows the provider's sub_mode (the engine would
    // otherwise use the account id, i.e. the user's pk, whatever the mode).
    subjectTypes: ['pairwise'],
    pairwiseIdentifier: (_ctx, accountId) => settings.subject(accountId),
    sectorIdentifierUriValidate: () => false,
    jwks: { keys: [jwk as JWK] },
    cookies: {
      keys: settings.cookieKeys,
      long: { httpOnly: true, sameSite: 'lax' },
      short: { httpOnly: true, sameSite: 'lax' },
    },
    features: {
      devInteractions: { enabled: false },
      // oidc-provider's defaults, spelled out (its defaults print a notice when first used).
      introspection: { enabled: true, allowedPolicy: introspectionAllowed },
      revocation: { enabled: true, allowedPolicy: revocationAllowed },
      userinfo: { enabled: true },
      rpInitiatedLogout: { enabled: true, logoutSource, postLogoutSuccessSource },
      // Not part of authentik's provider; each would be one more surface to secure.
      dPoP: { enabled: false },
      pushedAuthorizationRequests: { enabled: false },
      resourceIndicators: { enabled: false },
      registration: { enabled: false },
    },
    scopes: OIDC_SCOPES,
    claims: OIDC_CLAIMS,
    // include_claims_in_id_token: the scope's claims in the ID token too, not only at userinfo.
    conformIdTokenClaims: row ? !row.includeClaimsInIdToken : true,
    responseTypes: ['code'],
    clientAuthMethods: ['client_secret_basic', 'client_secret_post', 'none'],
    clientDefaults: {
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      id_token_signed_response_alg: alg,
      token_endpoint_auth_method: 'client_secret_basic',
    },
    enabledJWA: {
      idTokenSigningAlgValues: [alg],
      userinfoSigningAlgValues: [alg],
      introspectionSigningAlgValues: [alg],
      authorizationSigningAlgValues: [alg],
    },
    // Public clients must use PKCE (S256, the only method oidc-provider 9 implements).
    pkce: { required: (_ctx, client) => client.clientAuthMethod === 'none' },
    allowOmittingSingleRegisteredRedirectUri: false,
    ttl: {
      AuthorizationCode: ttl.code,
      AccessToken: ttl.accessToken,
      IdToken: ttl.accessToken,
      RefreshToken: ttl.refreshToken,
      Interaction: DEFAULT_TTL.interaction,
      Session: DEFAULT_TTL.session,
      Grant: Math.max(ttl.code, ttl.accessToken, ttl.refreshToken),
    },
    // Rotation: every refresh gives a new refresh token; the old one is revoked, and presenting
    // it again revokes the grant (reuse detection).
    rotateRefreshToken: true,
    issueRefreshToken: async (_ctx, client, code) =>
      client.grantTypeAllowed('refresh_token') && code.scopes.has('offline_access'),
    // Tokens live their own validity, as in authentik, not the browser session's.
    expiresWithSession: async () => false,
    loadExistingGrant: implicitConsent,
    interactions: {
      policy: signInOnlyPolicy(),
      url: (_ctx, interaction) => signInPath(interaction.uid),
    },
    routes: {
      authorization: AUTHORIZE_PATH,
      token: `${OIDC_PREFIX}/token/`,
      userinfo: `${OIDC_PREFIX}/userinfo/`,
      revocation: `${OIDC_PREFIX}/revoke/`,
      introspection: `${OIDC_PREFIX}/introspect/`,
      jwks: `${slugPath}/jwks/`,
      // Without a trailing slash: the engine appends /confirm and /success.
      end_session: `${slugPath}/end-session`,
    },
    clientBasedCORS,
    renderError,
  };
}

/** A public client may introspect only its own tokens; a confidential one, any of its provider's. */
async function introspectionAllowed(
  ctx: KoaContextWithOIDC,
  client: Client,
  token: { clientId?: string },
) {
  return client.clientAuthMethod !== 'none' || token.clientId === ctx.oidc.client?.clientId;
}

/** Only the client a token was issued to may revoke it. */
async function revocationAllowed(
  _ctx: KoaContextWithOIDC,
  client: Client,
  token: { clientId?: string },
) {
  return token.clientId === client.clientId;
}

/** Browsers may call userinfo, and public clients the token endpoint, from a redirect URI's origin. */
function clientBasedCORS(ctx: KoaContextWithOIDC, origin: string, client: Client) {
  if (ctx.oidc.route !== 'userinfo' && client.clientAuthMethod !== 'none') return false;
  return (client.redirectUris ?? []).some(
    (uri) => URL.canParse(uri) && new URL(uri).origin === origin,
  );
}
