import {
  Column,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  type Relation,
} from 'typeorm';
import { User } from '../users/user.entity.js';

export const TOKEN_INTENTS = ['verification', 'api', 'recovery', 'app_password'] as const;
export type TokenIntent = (typeof TOKEN_INTENTS)[number];

/**
 * An API token. The key is never stored in clear: `keyDigest` (HMAC-SHA256 under a key derived
 * from SECRET_KEY) finds the token for a bearer key, and `keyCiphertext` (AES-256-GCM) lets an
 * entitled caller read the key back.
 */
@Entity('tokens')
export class Token {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'tokens_pkey' })
  id: string;

  @Index('tokens_identifier_key', { unique: true })
  @Column({ type: 'varchar', length: 255 })
  identifier: string;

  @Column({
    type: 'enum',
    enum: TOKEN_INTENTS,
    enumName: 'token_intent',
    default: 'verification',
  })
  intent: TokenIntent;

  @Index('tokens_user_id_idx')
  @Column({ name: 'user_id', type: 'integer' })
  userId: number;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'tokens_user_id_fkey' })
  user: Relation<User>;

  @Column({ type: 'text', default: '' })
  description: string;

  @Column({ type: 'timestamptz', nullable: true })
  expires: Date | null;

  @Column({ default: true })
  expiring: boolean;

  /** Set for tokens the service manages itself, e.g. `goauthentik.io/token/bootstrap`-style ids. */
  @Column({ type: 'text', nullable: true })
  managed: string | null;

  @Index('tokens_key_digest_key', { unique: true })
  @Column({ name: 'key_digest', type: 'bytea', select: false })
  keyDigest: Buffer;

  @Column({ name: 'key_ciphertext', type: 'bytea', select: false })
  keyCiphertext: Buffer;
}
