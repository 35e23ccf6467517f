import { containsPattern } from '../common/sql/like.js';
import { deleteRowById } from '../common/sql/rows.js';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type SelectQueryBuilder } from 'typeorm';
import { Models, modelPermissions, Permissions } from '../common/auth/permissions.js';
import { requireOwnerOrPermissionOn, type Principal } from '../common/auth/principal.js';
import { whereVisible } from '../common/auth/visibility.js';
import { SecretBox } from '../common/crypto/secret-box.js';
import { noMatch, ValidationError } from '../common/errors/api-errors.js';
import { paginate, type OrderingRules } from '../common/pagination/paginate.js';
import { Paginated } from '../common/pagination/paginated.js';
import { selectColumns, unprefixed } from '../common/sql/columns.js';
import type { RuntimeConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { parseIsoDateTime } from '../common/validation/iso-date-time.js';
import { userColumns, type UserRow } from '../users/user.mapper.js';
import { UsersService } from '../users/users.service.js';
import type { TokenFilterQuery, TokenListQuery } from './dto/token-list.query.js';
import type { PatchedTokenRequest, TokenRequest } from './dto/token.request.js';
import type { TokenResponse, TokenViewResponse } from './dto/token.response.js';
import type { TokenIntent } from './token.entity.js';
import { generateTokenKey } from './token-key.js';
import { toTokenResponse, tokenColumns, type TokenRow } from './token.mapper.js';

export const TokenPermissions = {
  ...modelPermissions(Models.token),
  viewKey: Permissions.viewTokenKey,
} as const;

/** Tokens a client may create or turn a token into (authentik: the others are flow-internal). */
const WRITABLE_INTENTS: readonly TokenIntent[] = ['api', 'app_password'];
/** authentik's default_token_duration. */
const DEFAULT_LIFETIME_MS = 30 * 60 * 1000;
/** A user attribute: false lets its user create tokens that never expire. */
const TOKEN_EXPIRING_ATTRIBUTE = 'goauthentik.io/user/token-expires';

const ORDERING: OrderingRules = {
  allowed: {
    pk: 't.id',
    identifier: 't.identifier',
    intent: 't.intent::text',
    user: 't.user_id',
    user__username: 'u.username',
    description: 't.description',
    expires: 't.expires',
    expiring: 't.expiring',
    managed: 't.managed',
  },
  defaults: ['identifier', 'expires'],
  primaryKey: 't.id',
};

const COLUMNS = [...tokenColumns('t', 't_'), ...userColumns('u', 'u_')];

const INSERT_SQL = `
INSERT INTO tokens (identifier, intent, user_id, description, expires, expiring, key_digest, key_ciphertext)
VALUES ($1, $2, $3, $4, $5::timestamptz, $6, $7, $8)
RETURNING id`;

/** Only the fields a request sets change ($n IS NULL keeps the column; expires has a flag). */
const UPDATE_SQL = `
UPDATE tokens SET
  identifier = COALESCE($2, identifier),
  intent = COALESCE($3::token_intent, intent),
  user_id = COALESCE($4, user_id),
  description = COALESCE($5, description),
  expires = CASE WHEN $6 THEN $7::timestamptz ELSE expires END,
  expiring = COALESCE($8, expiring)
WHERE id = $1
RETURNING id`;

/** django-filter's BooleanWidget: anything else filters nothing. */
const BOOLEAN_FILTER: Record<string, boolean> = { true: true, '1': true, false: false, '0': false };

interface Located {
  id: string;
  userId: number;
  expiring: boolean;
  expires: string | null;
}

/**
 * core/tokens/ (contract §3 applied to API tokens): superusers and holders of global `view_token`
 * see every token, everyone else their own plus those they hold an object-level `view_token` on.
 * Owners may change, delete and read back their own tokens; others need `change_token`,
 * `delete_token` or `view_token_key`, globally or on the token. Keys are stored as an HMAC (lookup)
 * and AES-GCM ciphertext (read-back), never in clear.
 */
@Injectable()
export class TokensService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: RuntimeConfig,
    private readonly secrets: SecretBox,
    private readonly users: UsersService,
  ) {}

  async list(principal: Principal, query: TokenListQuery): Promise<Paginated<TokenResponse>> {
    const page = await paginate<Record<string, unknown>>(
      this.scoped(principal, query),
      this.withColumns(this.scoped(principal, query)),
      query,
      this.config.pagination,
      ORDERING,
    );
    const items = await this.present(page.rows);
    return new Paginated(items, page.count, page.page, page.pageSize);
  }

  async retrieve(
    principal: Principal | null,
    identifier: string,
    query: TokenFilterQuery,
  ): Promise<TokenResponse> {
    const row = await this.withColumns(this.scoped(principal, query))
      .andWhere('t.identifier = :identifier', { identifier })
      .getRawOne<Record<string, unknown>>();
    if (!row) throw noMatch('Token');
    const [item] = await this.present([row]);
    return item!;
  }

  /**
   * A new token with a generated key, which this answer alone carries. Superusers may create
   * tokens for anyone and choose `expiring`; everyone else's tokens are their own, and expire
   * unless their user's `goauthentik.io/user/token-expires` attribute is false.
   */
  async create(principal: Principal, body: TokenRequest): Promise<TokenResponse> {
    const intent = checkedIntent(body.intent) ?? 'api';
    const expiring = principal.isSuperuser
      ? (body.expiring ?? true)
      : await this.defaultExpiring(principal.userId);
    let expires: string | null;
    if (body.expires === undefined) {
      expires = expiring ? new Date(Date.now() + DEFAULT_LIFETIME_MS).toISOString() : null;
    } else {
      expires = body.expires === null ? null : parseIsoDateTime(body.expires)!;
    }
    requireExpiry(expiring, expires, body.expires === undefined);
    const key = generateTokenKey();
    const [{ id }] = await this.dataSource.query(INSERT_SQL, [
      body.identifier,
      intent,
      principal.isSuperuser ? (body.user ?? principal.userId) : principal.userId,
      body.description ?? '',
      expires,
      expiring,
      this.secrets.digest(key),
      this.secrets.encrypt(key),
    ]);
    return this.byId(id, key);
  }

  /** PUT and PATCH: the body DTO decides which fields are required. */
  async update(
    principal: Principal | null,
    identifier: string,
    query: TokenFilterQuery,
    body: PatchedTokenRequest,
  ): Promise<TokenResponse> {
    const token = await this.locate(principal, identifier, query);
    requireOwnerOrPermissionOn(principal!, token.userId, TokenPermissions.change, token.id);
    const superuser = principal!.isSuperuser;
    const expiring = superuser ? body.expiring : undefined;
    const expires = body.expires && parseIsoDateTime(body.expires)!;
    requireExpiry(
      expiring ?? token.expiring,
      body.expires === undefined ? token.expires : expires!,
      body.expires === undefined,
    );
    // TypeORM answers an UPDATE with [rows, row count].
    const [updated]: [{ id: string }[], number] = await this.dataSource.query(UPDATE_SQL, [
      token.id,
      body.identifier ?? null,
      checkedIntent(body.intent) ?? null,
      superuser ? (body.user ?? null) : null,
      body.description ?? null,
      body.expires !== undefined,
      expires ?? null,
      expiring ?? null,
    ]);
    // Deleted by a concurrent request between the two statements.
    if (updated.length === 0) throw noMatch('Token');
    return this.byId(token.id);
  }

  /** Deleting revokes at once: authentication reads the tokens table on every request. */
  async destroy(
    principal: Principal | null,
    identifier: string,
    query: TokenFilterQuery,
  ): Promise<void> {
    const token = await this.locate(principal, identifier, query);
    requireOwnerOrPermissionOn(principal!, token.userId, TokenPermissions.delete, token.id);
    await deleteRowById(this.dataSource, 'tokens', token.id, 'Token');
  }

  /** The key, to the token's owner or a holder of `view_token_key` (globally or on the token). */
  async viewKey(principal: Principal, identifier: string): Promise<TokenViewResponse> {
    const token = await this.locate(principal, identifier, {});
    requireOwnerOrPermissionOn(principal, token.userId, TokenPermissions.viewKey, token.id);
    const row = await this.dataSource
      .createQueryBuilder()
      .from('tokens', 't')
      .select('t.key_ciphertext', 'key_ciphertext')
      .where('t.id = :id', { id: token.id })
      .getRawOne<{ key_ciphertext: Buffer }>();
    if (!row) throw noMatch('Token');
    return { key: this.secrets.decrypt(row.key_ciphertext) };
  }

  /** The visible token `identifier` matching the filters, or 404. */
  private async locate(
    principal: Principal | null,
    identifier: string,
    query: TokenFilterQuery,
  ): Promise<Located> {
    const row = await this.scoped(principal, query)
      .select('t.id', 'id')
      .addSelect('t.user_id', 'user_id')
      .addSelect('t.expiring', 'expiring')
      .addSelect('t.expires', 'expires')
      .andWhere('t.identifier = :identifier', { identifier })
      .getRawOne<{ id: string; user_id: number; expiring: boolean; expires: Date | null }>();
    if (!row) throw noMatch('Token');
    return {
      id: row.id,
      userId: row.user_id,
      expiring: row.expiring,
      expires: row.expires === null ? null : row.expires.toISOString(),
    };
  }

  private async byId(id: string, key?: string): Promise<TokenResponse> {
    const row = await this.withColumns(
      this.dataSource
        .createQueryBuilder()
        .from('tokens', 't')
        .innerJoin('users', 'u', 'u.id = t.user_id'),
    )
      .where('t.id = :id', { id })
      .getRawOne<Record<string, unknown>>();
    if (!row) throw noMatch('Token');
    const [item] = await this.present([row], key);
    return item!;
  }

  private async defaultExpiring(userId: number): Promise<boolean> {
    const [row] = await this.dataSource.query(
      'SELECT attributes -> $2 AS expiring FROM users WHERE id = $1',
      [userId, TOKEN_EXPIRING_ATTRIBUTE],
    );
    return row?.expiring !== false;
  }

  /** The tokens `principal` may see that match the filters and search. */
  private scoped(
    principal: Principal | null,
    query: TokenFilterQuery,
  ): SelectQueryBuilder<Record<string, unknown>> {
    const qb = whereVisible(
      this.dataSource
        .createQueryBuilder()
        .from('tokens', 't')
        .innerJoin('users', 'u', 'u.id = t.user_id'),
      principal,
      { permission: TokenPermissions.view, key: 't.id', keyKind: 'uuid', owner: 't.user_id' },
    );
    const exact: [keyof TokenFilterQuery, string][] = [
      ['identifier', 't.identifier'],
      ['intent', 't.intent::text'],
      ['user__username', 'u.username'],
      ['description', 't.description'],
      ['managed', 't.managed'],
    ];
    for (const [name, column] of exact) {
      const value = query[name];
      if (value) qb.andWhere(`${column} = :filter_${name}`, { [`filter_${name}`]: value });
    }
    if (query.expires) {
      qb.andWhere('t.expires = CAST(:filter_expires AS timestamptz)', {
        filter_expires: parseIsoDateTime(query.expires),
      });
    }
    const expiring = BOOLEAN_FILTER[(query.expiring ?? '').toLowerCase()];
    if (expiring !== undefined)
      qb.andWhere('t.expiring = :filter_expiring', { filter_expiring: expiring });
    if (query.search) {
      qb.andWhere(
        `(t.identifier ILIKE :pattern OR t.intent::text ILIKE :pattern
          OR u.username ILIKE :pattern OR t.description ILIKE :pattern)`,
        { pattern: containsPattern(query.search) },
      );
    }
    return qb;
  }

  private withColumns(qb: SelectQueryBuilder<Record<string, unknown>>) {
    return selectColumns(qb, COLUMNS);
  }

  private async present(rows: Record<string, unknown>[], key?: string): Promise<TokenResponse[]> {
    const users = await this.users.present(
      rows.map((row) => unprefixed<UserRow>(row, 'u_')),
      true,
    );
    return rows.map((row, i) => toTokenResponse(unprefixed<TokenRow>(row, 't_'), users[i]!, key));
  }
}

/** Only api and app_password tokens can be written through the API (authentik's rule). */
function checkedIntent(intent: TokenIntent | undefined): TokenIntent | undefined {
  if (intent !== undefined && !WRITABLE_INTENTS.includes(intent)) {
    throw new ValidationError({ intent: [`Invalid intent ${intent}`] });
  }
  return intent;
}

/**
 * An expiring token needs an expiry: without one it would never expire (a way around the
 * `token-expires` attribute).
 */
function requireExpiry(expiring: boolean, expires: string | null, absent: boolean): void {
  if (expiring && expires === null) {
    throw new ValidationError({
      expires: [absent ? 'An expiring token needs an expiry date.' : 'This field may not be null.'],
    });
  }
}
