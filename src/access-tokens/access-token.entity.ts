import { Entity, Index } from 'typeorm';
import { IssuedToken } from '../grants/issued-token.entity.js';

@Entity('access_tokens')
@Index('access_tokens_provider_expires_idx', ['providerId', 'expires', 'id'])
@Index('access_tokens_user_provider_expires_idx', ['userId', 'providerId', 'expires', 'id'])
@Index('access_tokens_grant_id_idx', ['grantId'])
// Ordering by expiry, and the expired-grant cleanup's range scans.
@Index('access_tokens_expires_idx', ['expires', 'id'])
export class AccessToken extends IssuedToken {}
