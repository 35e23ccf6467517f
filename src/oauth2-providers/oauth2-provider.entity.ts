import {
  Column,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  OneToOne,
  PrimaryGeneratedColumn,
  type Relation,
} from 'typeorm';
import type { Application } from '../applications/application.entity.js';

export const CLIENT_TYPES = ['confidential', 'public'] as const;
export type ClientType = (typeof CLIENT_TYPES)[number];
export const SUB_MODES = [
  'hashed_user_id',
  'user_id',
  'user_uuid',
  'user_username',
  'user_email',
  'user_upn',
] as const;
export type SubMode = (typeof SUB_MODES)[number];
export const ISSUER_MODES = ['global', 'per_provider'] as const;
export type IssuerMode = (typeof ISSUER_MODES)[number];

/**
 * An OAuth2/OpenID provider. Flows, property mappings, keys and JWKS sources belong to parts of
 * authentik this service does not implement; they are kept as opaque uuid references.
 */
@Entity('oauth2_providers')
// GIN trigram index for substring search (migration ScalableLists); not expressible here.
@Index('oauth2_providers_search_trgm_idx', { synchronize: false })
export class OAuth2Provider {
  @PrimaryGeneratedColumn({ primaryKeyConstraintName: 'oauth2_providers_pkey' })
  id: number;

  @Index('oauth2_providers_name_key', { unique: true })
  @Column({ type: 'text' })
  name: string;

  @Column({ name: 'authentication_flow', type: 'uuid', nullable: true })
  authenticationFlow: string | null;

  @Column({ name: 'authorization_flow', type: 'uuid', nullable: true })
  authorizationFlow: string | null;

  @Column({ name: 'invalidation_flow', type: 'uuid', nullable: true })
  invalidationFlow: string | null;

  @Column({ name: 'property_mappings', type: 'uuid', array: true, default: '{}' })
  propertyMappings: string[];

  @Column({
    name: 'client_type',
    type: 'enum',
    enum: CLIENT_TYPES,
    enumName: 'oauth2_client_type',
    default: 'confidential',
  })
  clientType: ClientType;

  @Index('oauth2_providers_client_id_key', { unique: true })
  @Column({ name: 'client_id', type: 'varchar', length: 255 })
  clientId: string;

  @Column({ name: 'client_secret', type: 'varchar', length: 255, default: '' })
  clientSecret: string;

  @Column({ name: 'access_code_validity', type: 'text', default: 'minutes=1' })
  accessCodeValidity: string;

  @Column({ name: 'access_token_validity', type: 'text', default: 'hours=1' })
  accessTokenValidity: string;

  @Column({ name: 'refresh_token_validity', type: 'text', default: 'days=30' })
  refreshTokenValidity: string;

  @Column({ name: 'include_claims_in_id_token', default: true })
  includeClaimsInIdToken: boolean;

  @Column({ name: 'signing_key', type: 'uuid', nullable: true })
  signingKey: string | null;

  @Column({ name: 'encryption_key', type: 'uuid', nullable: true })
  encryptionKey: string | null;

  /** Allowed redirect URIs, one per line. */
  @Column({ name: 'redirect_uris', type: 'text', default: '' })
  redirectUris: string;

  @Column({
    name: 'sub_mode',
    type: 'enum',
    enum: SUB_MODES,
    enumName: 'oauth2_sub_mode',
    default: 'hashed_user_id',
  })
  subMode: SubMode;

  @Column({
    name: 'issuer_mode',
    type: 'enum',
    enum: ISSUER_MODES,
    enumName: 'oauth2_issuer_mode',
    default: 'per_provider',
  })
  issuerMode: IssuerMode;

  @Column({ name: 'jwks_sources', type: 'uuid', array: true, default: '{}' })
  jwksSources: string[];

  @Index('oauth2_providers_backchannel_application_id_idx')
  @Column({ name: 'backchannel_application_id', type: 'uuid', nullable: true })
  backchannelApplicationId: string | null;

  /** The application that uses this provider as one of its backchannel providers. */
  @ManyToOne('Application', (application: Application) => application.backchannelProviders, {
    onDelete: 'SET NULL',
    nullable: true,
  })
  @JoinColumn({
    name: 'backchannel_application_id',
    foreignKeyConstraintName: 'oauth2_providers_backchannel_application_id_fkey',
  })
  backchannelApplication: Relation<Application> | null;

  /** The application whose provider this is. */
  @OneToOne('Application', (application: Application) => application.provider)
  application: Relation<Application> | null;
}
