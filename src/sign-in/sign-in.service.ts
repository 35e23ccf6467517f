import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { verify } from 'argon2';
import { DataSource } from 'typeorm';
import { hashPassword } from '../bootstrap/bootstrap.service.js';
import { User } from '../users/user.entity.js';

/** users.username is varchar(150); a longer one names nobody. */
const MAX_USERNAME_LENGTH = 150;
/** Beyond any password manager's; a longer one fails without being hashed against a user's. */
const MAX_PASSWORD_LENGTH = 4096;
/** oauth2_providers.client_id is varchar(255). */
const MAX_CLIENT_ID_LENGTH = 255;

/** Text PostgreSQL can compare: it refuses NUL characters (a 500 otherwise). */
const storable = (value: string, max: number) => value.length <= max && !value.includes('\0');

/** Checks credentials and records sign-ins; the page (controller) decides what to answer. */
@Injectable()
export class SignInService {
  private dummyHash?: Promise<string>;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * What the page shows and allows for the client: the name it greets with (the application's,
   * else its provider's) and the redirect URIs the provider accepts (one per line).
   */
  async client(clientId: unknown): Promise<{ name?: string; redirectUris: string[] }> {
    if (typeof clientId !== 'string' || !storable(clientId, MAX_CLIENT_ID_LENGTH)) {
      return { redirectUris: [] };
    }
    const [row]: { application: string | null; provider: string; redirect_uris: string }[] =
      await this.dataSource.query(
        `SELECT a.name AS application, p.name AS provider, p.redirect_uris
           FROM oauth2_providers p LEFT JOIN applications a ON a.provider_id = p.id
          WHERE p.client_id = $1`,
        [clientId],
      );
    if (!row) return { redirectUris: [] };
    return {
      name: row.application || row.provider || undefined,
      redirectUris: row.redirect_uris
        .split('\n')
        .map((uri) => uri.trim())
        .filter(Boolean),
    };
  }

  /**
   * The id of the active user these credentials open, else undefined. Every failure costs one
   * argon2 verification, also for unknown users and users without a password (against a hash of
   * a random password), so that the time taken does not tell which usernames exist.
   */
  async authenticate(username: string, password: string): Promise<number | undefined> {
    const user =
      storable(username, MAX_USERNAME_LENGTH) && password.length <= MAX_PASSWORD_LENGTH
        ? await this.dataSource.manager.findOne(User, {
            where: { username },
            select: { id: true, isActive: true, passwordHash: true },
          })
        : null;
    const hash = user?.passwordHash ?? (await this.dummy());
    const matches = await verify(hash, password).catch(() => false);
    return matches && user?.passwordHash && user.isActive ? user.id : undefined;
  }

  async recordSignIn(userId: number): Promise<void> {
    await this.dataSource.query('UPDATE users SET last_login = now() WHERE id = $1', [userId]);
  }

  /** Made once, with the parameters real hashes have, so that verifying it takes as long. */
  private dummy(): Promise<string> {
    this.dummyHash ??= hashPassword(randomBytes(32).toString('base64url'));
    return this.dummyHash;
  }
}
