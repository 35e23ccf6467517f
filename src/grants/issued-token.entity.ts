import { Column, Index } from 'typeorm';
import { ExpiringGrant } from './expiring-grant.entity.js';

/** Columns shared by access and refresh tokens. */
export abstract class IssuedToken extends ExpiringGrant {
  /** SHA-256 of the token; the token itself is never stored. */
  @Index({ unique: true })
  @Column({ name: 'token_digest', type: 'bytea', select: false })
  tokenDigest: Buffer;

  /** When the token was revoked; revoked refresh tokens are kept for a retention window. */
  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt: Date | null;

  /** Claims of the ID token issued with this token. */
  @Column({ name: 'id_token', type: 'jsonb', nullable: true })
  idToken: Record<string, unknown> | null;
}
