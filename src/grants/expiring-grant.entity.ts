import { Column, JoinColumn, ManyToOne, PrimaryGeneratedColumn, type Relation } from 'typeorm';
import { OAuth2Provider } from '../oauth2-providers/oauth2-provider.entity.js';
import { User } from '../users/user.entity.js';

/**
 * Columns shared by authorization codes, access tokens and refresh tokens. Each concrete grant
 * table declares its own indexes (TypeORM index names must be unique per table).
 */
export abstract class ExpiringGrant {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id: string;

  @Column({ name: 'provider_id', type: 'integer' })
  providerId: number;

  @ManyToOne(() => OAuth2Provider, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'provider_id' })
  provider: Relation<OAuth2Provider>;

  @Column({ name: 'user_id', type: 'integer' })
  userId: number;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id' })
  user: Relation<User>;

  @Column({ type: 'timestamptz', nullable: true })
  expires: Date | null;

  @Column({ default: true })
  expiring: boolean;

  @Column({ default: false })
  revoked: boolean;

  /** Space-separated scope names. */
  @Column({ type: 'text', default: '' })
  scope: string;

  @Column({ name: 'auth_time', type: 'timestamptz', nullable: true })
  authTime: Date | null;

  @Column({ type: 'text', nullable: true, select: false })
  nonce: string | null;

  @Column({ name: 'session_id', type: 'text', nullable: true, select: false })
  sessionId: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  /** The OAuth2/OIDC engine's grant: what one authorization produced (src/oidc). */
  @Column({ name: 'grant_id', type: 'text', nullable: true })
  grantId: string | null;

  /** The engine's model payload, without the value itself; only the engine reads it. */
  @Column({ name: 'engine_payload', type: 'jsonb', nullable: true, select: false })
  enginePayload: Record<string, unknown> | null;
}
