import { randomBytes } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { SecretBox } from '../../src/common/crypto/secret-box.js';
import { sha256 } from '../../src/common/crypto/digest.js';
import type { GrantKind } from '../../src/grants/grant-kind.js';
import type { TokenIntent } from '../../src/tokens/token.entity.js';
import type { UserType } from '../../src/users/user.entity.js';
import { registerDigest, registerSecret } from './secret-registry.js';

let sequence = 0;
const next = () => `${++sequence}_${randomBytes(3).toString('hex')}`;

export interface UserSpec {
  username?: string;
  name?: string;
  email?: string;
  isActive?: boolean;
  groups?: string[];
  roles?: string[];
  attributes?: Record<string, unknown>;
  type?: UserType;
  lastLogin?: string | null;
}

export interface GrantSpec {
  user: number;
  provider: number;
  expires?: string | null;
  expiring?: boolean;
  scope?: string;
  /** Tokens only. */
  idToken?: Record<string, unknown> | null;
  revoked?: boolean;
  revokedAt?: string;
}

/** Builds rows directly in the database (real SQL, no mocks) for the e2e tests. */
export class Fixtures {
  private readonly secrets: SecretBox;

  constructor(
    readonly db: DataSource,
    app: INestApplication,
  ) {
    this.secrets = app.get(SecretBox);
  }

  async user(spec: UserSpec = {}): Promise<number> {
    const username = spec.username ?? `user_${next()}`;
    const [{ id }] = await this.db.query(
      `INSERT INTO users (username, name, email, is_active, attributes, type, last_login)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
      [
        username,
        spec.name ?? `Name of ${username}`,
        spec.email ?? `${username}@example.com`,
        spec.isActive ?? true,
        spec.attributes ?? {},
        spec.type ?? 'internal',
        spec.lastLogin ?? null,
      ],
    );
    for (const group of spec.groups ?? []) await this.addToGroup(id, group);
    for (const role of spec.roles ?? []) {
      await this.db.query('INSERT INTO user_roles (user_id, role_id) VALUES ($1, $2)', [id, role]);
    }
    return id;
  }

  async group(
    spec: { name?: string; parent?: string | null; isSuperuser?: boolean; roles?: string[] } = {},
  ): Promise<string> {
    const [{ id }] = await this.db.query(
      'INSERT INTO groups (name, parent_id, is_superuser) VALUES ($1, $2, $3) RETURNING id',
      [spec.name ?? `group_${next()}`, spec.parent ?? null, spec.isSuperuser ?? false],
    );
    for (const role of spec.roles ?? []) {
      await this.db.query('INSERT INTO group_roles (group_id, role_id) VALUES ($1, $2)', [
        id,
        role,
      ]);
    }
    return id;
  }

  async addToGroup(user: number, group: string): Promise<void> {
    await this.db.query('INSERT INTO user_groups (user_id, group_id) VALUES ($1, $2)', [
      user,
      group,
    ]);
  }

  /** A role holding `permissions`: `app.codename` globally, or `[app.codename, objectPk]`. */
  async role(permissions: (string | [string, string])[]): Promise<string> {
    const [{ id }] = await this.db.query('INSERT INTO roles (name) VALUES ($1) RETURNING id', [
      `role_${next()}`,
    ]);
    for (const entry of permissions) {
      const [name, objectPk] = typeof entry === 'string' ? [entry, ''] : entry;
      const [appLabel, codename] = name.split('.');
      const model = objectPk ? codename!.replace(/^[a-z]+_/, '') : '';
      await this.db.query(
        `INSERT INTO role_permissions (role_id, app_label, codename, model, object_pk)
         VALUES ($1, $2, $3, $4, $5)`,
        [id, appLabel, codename, model, objectPk],
      );
    }
    return id;
  }

  /** A user holding `permissions` through a role on a group of its own. */
  async userWith(permissions: (string | [string, string])[], spec: UserSpec = {}): Promise<number> {
    const role = await this.role(permissions);
    const group = await this.group({ roles: [role] });
    return this.user({ ...spec, groups: [...(spec.groups ?? []), group] });
  }

  async superuser(spec: UserSpec = {}): Promise<number> {
    const group = await this.group({ isSuperuser: true });
    return this.user({ ...spec, groups: [...(spec.groups ?? []), group] });
  }

  async provider(
    spec: { name?: string; clientId?: string; clientSecret?: string; redirectUris?: string } = {},
  ): Promise<number> {
    const suffix = next();
    const clientSecret = spec.clientSecret ?? `secret_${suffix}_${randomBytes(16).toString('hex')}`;
    registerSecret('OAuth2 client secret', clientSecret);
    const [{ id }] = await this.db.query(
      `INSERT INTO oauth2_providers (name, client_id, client_secret, redirect_uris)
       VALUES ($1, $2, $3, $4) RETURNING id`,
      [
        spec.name ?? `provider_${suffix}`,
        spec.clientId ?? `client_${suffix}`,
        clientSecret,
        spec.redirectUris ?? 'https://app.example.com/callback',
      ],
    );
    return id;
  }

  async application(spec: {
    name?: string;
    slug?: string;
    provider?: number | null;
  }): Promise<string> {
    const suffix = next();
    const [{ id }] = await this.db.query(
      'INSERT INTO applications (name, slug, provider_id) VALUES ($1, $2, $3) RETURNING id',
      [
        spec.name ?? `App ${suffix}`,
        spec.slug ?? `app-${suffix}`.slice(0, 50),
        spec.provider ?? null,
      ],
    );
    return id;
  }

  /** A row of any grant table; tokens get ID-token claims. Returns its id. */
  async grant(kind: Pick<GrantKind, 'table' | 'issuedToken'>, spec: GrantSpec): Promise<number> {
    const digestColumn = kind.issuedToken ? 'token_digest' : 'code_digest';
    const extra = kind.issuedToken ? ', id_token, revoked, revoked_at' : '';
    const extraValues = kind.issuedToken ? ', $8, $9, $10' : '';
    const value = randomBytes(32).toString('hex');
    const nonce = `nonce-${next()}`;
    registerSecret(`${kind.table} value`, value);
    registerDigest(`${kind.table} digest`, sha256(value));
    registerSecret(`${kind.table} nonce`, nonce);
    const parameters: unknown[] = [
      spec.provider,
      spec.user,
      spec.expires === undefined ? new Date(Date.now() + 60_000).toISOString() : spec.expires,
      spec.expiring ?? true,
      spec.scope ?? 'openid profile',
      sha256(value),
      nonce,
    ];
    if (kind.issuedToken) {
      parameters.push(
        spec.idToken === undefined
          ? { iss: 'https://idp.example/', sub: String(spec.user) }
          : spec.idToken,
        spec.revoked ?? false,
        spec.revoked ? (spec.revokedAt ?? new Date().toISOString()) : null,
      );
    }
    const [{ id }] = await this.db.query(
      `INSERT INTO ${kind.table} (provider_id, user_id, expires, expiring, scope, ${digestColumn}, nonce${extra})
       VALUES ($1, $2, $3, $4, $5, $6, $7${extraValues}) RETURNING id`,
      parameters,
    );
    return Number(id);
  }

  async code(spec: GrantSpec): Promise<number> {
    return this.grant({ table: 'authorization_codes', issuedToken: false }, spec);
  }

  /** An API token for `user`; returns its key. */
  async apiToken(
    user: number,
    spec: { intent?: TokenIntent; expires?: string | null; expiring?: boolean } = {},
  ): Promise<string> {
    const key = randomBytes(24).toString('base64url');
    registerSecret('API token key', key);
    await this.db.query(
      `INSERT INTO tokens (identifier, intent, user_id, expires, expiring, key_digest, key_ciphertext)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [
        `token_${next()}`,
        spec.intent ?? 'api',
        user,
        spec.expires ?? null,
        spec.expiring ?? false,
        this.secrets.digest(key),
        this.secrets.encrypt(key),
      ],
    );
    return key;
  }

  /** A user of its own with a token: `{ id, auth }` where auth is the Authorization header. */
  async caller(permissions: (string | [string, string])[] = [], spec: UserSpec = {}) {
    const id =
      permissions.length > 0 ? await this.userWith(permissions, spec) : await this.user(spec);
    return { id, auth: `Bearer ${await this.apiToken(id)}` };
  }

  async superCaller(spec: UserSpec = {}) {
    const id = await this.superuser(spec);
    return { id, auth: `Bearer ${await this.apiToken(id)}` };
  }
}
