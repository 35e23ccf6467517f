import { Column, Entity, Index } from 'typeorm';
import { ExpiringGrant } from '../grants/expiring-grant.entity.js';

@Entity('authorization_codes')
@Index('authorization_codes_provider_expires_idx', ['providerId', 'expires', 'id'])
@Index('authorization_codes_user_provider_expires_idx', ['userId', 'providerId', 'expires', 'id'])
@Index('authorization_codes_grant_id_idx', ['grantId'])
// Ordering by expiry, and the expired-grant cleanup's range scans.
@Index('authorization_codes_expires_idx', ['expires', 'id'])
export class AuthorizationCode extends ExpiringGrant {
  /** SHA-256 of the code; the code itself is never stored. */
  @Index('authorization_codes_code_digest_key', { unique: true })
  @Column({ name: 'code_digest', type: 'bytea', select: false })
  codeDigest: Buffer;

  @Column({ name: 'code_challenge', type: 'text', nullable: true, select: false })
  codeChallenge: string | null;

  @Column({ name: 'code_challenge_method', type: 'text', nullable: true, select: false })
  codeChallengeMethod: string | null;
}
