// First: routes the notices oidc-provider prints when it loads.
import { engineNotices } from './engine-notices.js';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import Provider, { type KoaContextWithOIDC } from 'oidc-provider';
import { DataSource } from 'typeorm';
import { sha256 } from '../common/crypto/digest.js';
import { deriveKey } from '../common/crypto/secret-box.js';
import type { RuntimeConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { InstallService } from '../install/install.service.js';
import { SigningKeysService } from '../signing-keys/signing-keys.service.js';
import { InteractionProviders } from './interaction-providers.js';
import { accountFinder, subjectFinder } from './oidc-accounts.js';
import {
  AUTHORIZE_PATH,
  buildConfiguration,
  clientMetadata,
  OIDC_PREFIX,
} from './oidc-configuration.js';
import { OidcProviderRows, type OidcProviderRow } from './oidc-provider-row.js';

/** Instances kept at most; without PUBLIC_URL each origin the service is reached by makes one. */
const MAX_INSTANCES = 200;

/** The issuer of a provider: per_provider `<base>/application/o/<slug>/`, global `<base>/application/o/`. */
export function issuerOf(row: Pick<OidcProviderRow, 'issuerMode' | 'slug'>, base: string): string {
  return row.issuerMode === 'global'
    ? `${base}${OIDC_PREFIX}/`
    : `${base}${OIDC_PREFIX}/${encodeURIComponent(row.slug)}/`;
}

/**
 * The OAuth2/OIDC engine: one oidc-provider instance per OAuth2 provider, built from the provider
 * fields that shape it (the cache key below) and kept while they do not change. Client metadata
 * is not part of it: the Client model reads the provider row on every request, so an admin's
 * change of redirect URIs, secret or client type applies at once.
 */
@Injectable()
export class OidcEngine implements InteractionProviders {
  private readonly logger = new Logger('OidcEngine');
  private readonly instances = new Map<string, Promise<Provider>>();
  private readonly cookieKeys: string[];
  readonly rows: OidcProviderRows;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: RuntimeConfig,
    private readonly signingKeys: SigningKeysService,
    private readonly install: InstallService,
  ) {
    this.rows = new OidcProviderRows(dataSource);
    this.cookieKeys = [deriveKey(config.secretKey, 'oidc-provider cookies').toString('base64url')];
    if (engineNotices.unsupportedRuntime) {
      this.logger.warn(
        `Node.js ${process.versions.node}: oidc-provider supports Node.js 22 LTS and later; Node.js 24 LTS is recommended`,
      );
    }
  }

  /** PUBLIC_URL, without a trailing slash, when set. */
  get publicBase(): string | undefined {
    return this.config.publicUrl?.replace(/\/+$/, '');
  }

  /** The instance of one OAuth2 provider, for requests reaching the service at `base`. */
  instanceFor(row: OidcProviderRow, base: string): Promise<Provider> {
    const key = JSON.stringify([
      row.id,
      row.slug,
      row.issuerMode,
      row.signingKey,
      base,
      row.includeClaimsInIdToken,
      row.subMode,
      row.accessCodeValidity,
      row.accessTokenValidity,
      row.refreshTokenValidity,
    ]);
    return this.cached(key, () => this.create(row, issuerOf(row, base)));
  }

  /**
   * The instance that answers requests naming no known client (unknown client_id, token or
   * interaction): it has no client and stores nothing, so the engine itself gives the protocol's
   * error (invalid_client, invalid_token, ...).
   */
  fallback(base: string): Promise<Provider> {
    return this.cached(JSON.stringify(['fallback', base]), () =>
      this.create(null, `${base}${OIDC_PREFIX}/`),
    );
  }

  async forInteraction(uid: string): Promise<Provider | undefined> {
    const found = await this.rows.byInteraction(uid);
    if (!found) return undefined;
    // Any instance of the provider can finish the interaction; the one of the origin it began at
    // is usually built already.
    const base = this.publicBase ?? originOf(found.returnTo);
    return base === undefined ? undefined : this.instanceFor(found.row, base);
  }

  private cached(key: string, create: () => Promise<Provider>): Promise<Provider> {
    let instance = this.instances.get(key);
    if (instance) {
      // Most recently used last: the first entry is the one evicted.
      this.instances.delete(key);
    } else {
      instance = create();
      instance.catch(() => this.instances.delete(key));
      if (this.instances.size >= MAX_INSTANCES) {
        this.instances.delete(this.instances.keys().next().value!);
      }
    }
    this.instances.set(key, instance);
    return instance;
  }

  private async create(row: OidcProviderRow | null, issuer: string): Promise<Provider> {
    const jwk = await this.signingKeys.signingJwk(row?.signingKey ?? null);
    const providerId = row?.id ?? null;
    const provider = new Provider(
      issuer,
      buildConfiguration({
        row,
        issuer,
        jwk,
        cookieKeys: this.cookieKeys,
        findAccount: accountFinder(this.dataSource),
        subject: subjectFinder(
          this.dataSource,
          row?.subMode ?? 'hashed_user_id',
          () => this.install.installId,
        ),
        adapter: {
          dataSource: this.dataSource,
          providerId,
          clientMetadata: async (clientId) => {
            if (providerId === null) return undefined;
            const current = await this.rows.byId(providerId);
            return current?.clientId === clientId ? clientMetadata(current, jwk.alg) : undefined;
          },
        },
      }),
    );
    // X-Forwarded-* reach the engine only from trusted proxies (the dispatcher drops them else).
    provider.proxy = this.config.trustProxy !== false;
    provider.use(offlineAccessWithoutConsentPrompt);
    provider.use(authentikDiscovery);
    provider.use((ctx, next) => this.recordIdTokenClaims(ctx as KoaContextWithOIDC, next));
    // Failures are logged as one line (never a stack, never the request's query); with a listener
    // of its own, Koa does not print them to stderr either.
    const logFailure = (error: Error) =>
      this.logger.error(`OIDC engine error: ${error.name}: ${error.message}`);
    provider.on('server_error', (_ctx: unknown, error: Error) => logFailure(error));
    // Koa's own 'error' event (the Provider is the Koa app; its typings list only the engine's).
    (provider as unknown as NodeJS.EventEmitter).on('error', (error: Error) => logFailure(error));
    return provider;
  }

  /**
   * authentik lists the ID token's claims with the access and refresh tokens it was issued with:
   * once the token endpoint answered, its claims are stored on both rows.
   */
  private async recordIdTokenClaims(ctx: KoaContextWithOIDC, next: () => Promise<unknown>) {
    await next();
    const body = ctx.body as Record<string, unknown> | undefined;
    if (ctx.oidc?.route !== 'token' || ctx.status !== 200 || typeof body?.id_token !== 'string') {
      return;
    }
    const claims = jwtClaims(body.id_token);
    if (!claims) return;
    try {
      await this.storeIdTokenClaims(claims, body);
    } catch (error) {
      // The tokens are issued and answered all the same; only the admin list lacks the claims.
      this.logger.warn(`ID token claims not stored: ${(error as Error).message}`);
    }
  }

  private async storeIdTokenClaims(claims: object, body: Record<string, unknown>) {
    for (const [table, value] of [
      ['access_tokens', body.access_token],
      ['refresh_tokens', body.refresh_token],
    ] as const) {
      if (typeof value !== 'string') continue;
      await this.dataSource.query(`UPDATE ${table} SET id_token = $1 WHERE token_digest = $2`, [
        claims,
        sha256(value),
      ]);
    }
  }
}

function originOf(url: string | undefined): string | undefined {
  try {
    return url ? new URL(url).origin : undefined;
  } catch {
    return undefined;
  }
}

function jwtClaims(jwt: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}

const isAuthorizePath = (path: string) => /^\/application\/o\/authorize\/?$/i.test(path);

/**
 * OpenID Connect grants offline_access only with prompt=consent; authentik issues a refresh token
 * whenever offline_access is asked for. Consent is implicit here (no page), so asking for it
 * changes nothing but that: it is added to such requests.
 */
async function offlineAccessWithoutConsentPrompt(
  ctx: KoaContextWithOIDC,
  next: () => Promise<unknown>,
) {
  if (isAuthorizePath(ctx.path)) {
    if (ctx.method === 'GET') {
      const params = new URLSearchParams(ctx.querystring);
      if (askConsentForOffline(params)) ctx.querystring = params.toString();
    } else if (ctx.method === 'POST') {
      const request = ctx.req as typeof ctx.req & { body?: unknown };
      if (Buffer.isBuffer(request.body)) {
        const params = new URLSearchParams(request.body.toString('utf8'));
        if (askConsentForOffline(params)) request.body = Buffer.from(params.toString(), 'utf8');
      }
    }
  }
  await next();
}

function askConsentForOffline(params: URLSearchParams): boolean {
  const scopes = (params.get('scope') ?? '').split(' ');
  const prompts = (params.get('prompt') ?? '').split(' ').filter(Boolean);
  if (
    !scopes.includes('offline_access') ||
    prompts.includes('consent') ||
    prompts.includes('none')
  ) {
    return false;
  }
  params.set('prompt', [...prompts, 'consent'].join(' '));
  return true;
}

/** Discovery with authentik's trailing slashes on the two routes the engine needs without one. */
async function authentikDiscovery(ctx: KoaContextWithOIDC, next: () => Promise<unknown>) {
  await next();
  if (ctx.oidc?.route !== 'discovery' || !ctx.body || typeof ctx.body !== 'object') return;
  const body = ctx.body as Record<string, unknown>;
  const issuerOrigin = new URL(ctx.oidc.issuer).origin;
  for (const [key, value] of Object.entries(body)) {
    if (typeof value !== 'string' || !(key.endsWith('_endpoint') || key === 'jwks_uri')) continue;
    // The endpoints on the issuer's origin (PUBLIC_URL), whatever Host the request came with.
    const url = new URL(value);
    let path = url.pathname;
    if (path === AUTHORIZE_PATH || path.endsWith('/end-session')) path += '/';
    body[key] = `${issuerOrigin}${path}`;
  }
  // "pairwise" is how sub_mode is implemented (oidc-configuration.ts); to clients the subject is
  // the provider's, the same for every client of it, as authentik announces.
  body.subject_types_supported = ['public'];
}
