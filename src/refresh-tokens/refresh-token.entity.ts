import { Entity, Index } from 'typeorm';
import { IssuedToken } from '../grants/issued-token.entity.js';

@Entity('refresh_tokens')
@Index('refresh_tokens_provider_expires_idx', ['providerId', 'expires', 'id'])
@Index('refresh_tokens_user_provider_expires_idx', ['userId', 'providerId', 'expires', 'id'])
@Index('refresh_tokens_revoked_at_idx', ['revokedAt'], { where: 'revoked' })
@Index('refresh_tokens_grant_id_idx', ['grantId'])
// Ordering by expiry, and the expired-grant cleanup's range scans.
@Index('refresh_tokens_expires_idx', ['expires', 'id'])
export class RefreshToken extends IssuedToken {}
