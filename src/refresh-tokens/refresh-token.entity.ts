import { Entity, Index } from 'typeorm';
import { IssuedToken } from '../grants/issued-token.entity.js';

@Entity('refresh_tokens')
@Index('refresh_tokens_provider_expires_idx', ['providerId', 'expires', 'id'])
@Index('refresh_tokens_user_provider_expires_idx', ['userId', 'providerId', 'expires', 'id'])
@Index('refresh_tokens_revoked_at_idx', ['revokedAt'], { where: 'revoked' })
// Lets the expired-grant cleanup find its batches without scanning the table.
@Index('refresh_tokens_expiry_idx', ['expires'], { where: 'expiring' })
export class RefreshToken extends IssuedToken {}
