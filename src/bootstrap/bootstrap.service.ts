import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { argon2id, hash } from 'argon2';
import { DataSource, type EntityManager } from 'typeorm';
import { SecretBox } from '../common/crypto/secret-box.js';
import type { RuntimeConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { Group } from '../groups/group.entity.js';
import { Token } from '../tokens/token.entity.js';
import { User } from '../users/user.entity.js';

export const BOOTSTRAP_USERNAME = 'akadmin';
export const BOOTSTRAP_GROUP = 'authentik Admins';
export const BOOTSTRAP_TOKEN_IDENTIFIER = 'authentik-bootstrap-token';
const LOCK_KEY = 'grants-api:bootstrap';

export async function hashPassword(password: string): Promise<string> {
  return hash(password, { type: argon2id });
}

/**
 * authentik's first-start bootstrap: with BOOTSTRAP_TOKEN or BOOTSTRAP_PASSWORD set, make sure the
 * superuser `akadmin` (group `authentik Admins`) and its API token exist. Idempotent and safe when
 * several instances start at once (advisory lock). An existing user keeps its password; the token
 * follows BOOTSTRAP_TOKEN.
 */
@Injectable()
export class BootstrapService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Bootstrap');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: RuntimeConfig,
    private readonly secrets: SecretBox,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { token, password, email } = this.config.bootstrap;
    if (!token && !password) return;
    await this.dataSource.transaction(async (manager) => {
      await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [LOCK_KEY]);
      const user = await this.ensureAdmin(manager, password, email);
      if (token) await this.ensureToken(manager, user, token);
    });
  }

  private async ensureAdmin(
    manager: EntityManager,
    password?: string,
    email?: string,
  ): Promise<User> {
    let group = await manager.findOneBy(Group, { name: BOOTSTRAP_GROUP });
    if (!group) {
      group = await manager.save(
        manager.create(Group, { name: BOOTSTRAP_GROUP, isSuperuser: true }),
      );
      this.logger.log(`created group "${BOOTSTRAP_GROUP}"`);
    }
    let user = await manager.findOne(User, {
      where: { username: BOOTSTRAP_USERNAME },
      select: { id: true, passwordHash: true, username: true },
    });
    if (!user) {
      user = await manager.save(
        manager.create(User, {
          username: BOOTSTRAP_USERNAME,
          name: 'authentik Default Admin',
          email: email ?? 'root@localhost',
          passwordHash: password ? await hashPassword(password) : null,
        }),
      );
      this.logger.log(`created user "${BOOTSTRAP_USERNAME}"`);
    } else if (password && !user.passwordHash) {
      await manager.update(User, user.id, { passwordHash: await hashPassword(password) });
    }
    await manager.query(
      'INSERT INTO user_groups (user_id, group_id) VALUES ($1, $2) ON CONFLICT DO NOTHING',
      [user.id, group.id],
    );
    return user;
  }

  private async ensureToken(manager: EntityManager, user: User, key: string): Promise<void> {
    const digest = this.secrets.digest(key);
    const existing = await manager.findOne(Token, {
      where: { identifier: BOOTSTRAP_TOKEN_IDENTIFIER },
      select: { id: true, keyDigest: true },
    });
    if (existing && existing.keyDigest.equals(digest)) return;
    const fields = {
      identifier: BOOTSTRAP_TOKEN_IDENTIFIER,
      intent: 'api' as const,
      userId: user.id,
      expiring: false,
      expires: null,
      description: 'Bootstrap token (BOOTSTRAP_TOKEN)',
      managed: 'goauthentik.io/token/bootstrap',
      keyDigest: digest,
      keyCiphertext: this.secrets.encrypt(key),
    };
    if (existing) await manager.update(Token, existing.id, fields);
    else await manager.insert(Token, fields);
    this.logger.log(`${existing ? 'updated' : 'created'} token "${BOOTSTRAP_TOKEN_IDENTIFIER}"`);
  }
}
