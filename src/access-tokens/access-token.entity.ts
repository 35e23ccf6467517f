import { Entity, Index } from 'typeorm';
import { IssuedToken } from '../grants/issued-token.entity.js';

@Entity('access_tokens')
@Index('access_tokens_provider_expires_idx', ['providerId', 'expires', 'id'])
@Index('access_tokens_user_provider_expires_idx', ['userId', 'providerId', 'expires', 'id'])
// Lets the expired-grant cleanup find its batches without scanning the table.
@Index('access_tokens_expiry_idx', ['expires'], { where: 'expiring' })
export class AccessToken extends IssuedToken {}
