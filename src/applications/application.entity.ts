import {
  Column,
  Entity,
  Index,
  JoinColumn,
  OneToMany,
  OneToOne,
  PrimaryGeneratedColumn,
  type Relation,
} from 'typeorm';
import { OAuth2Provider } from '../oauth2-providers/oauth2-provider.entity.js';

export const POLICY_ENGINE_MODES = ['all', 'any'] as const;
export type PolicyEngineMode = (typeof POLICY_ENGINE_MODES)[number];

@Entity('applications')
export class Application {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'applications_pkey' })
  id: string;

  @Column({ type: 'text' })
  name: string;

  @Index('applications_slug_key', { unique: true })
  @Column({ type: 'varchar', length: 50 })
  slug: string;

  @Column({ name: 'provider_id', type: 'integer', nullable: true })
  providerId: number | null;

  @OneToOne(() => OAuth2Provider, (provider) => provider.application, {
    onDelete: 'SET NULL',
    nullable: true,
  })
  @JoinColumn({
    name: 'provider_id',
    foreignKeyConstraintName: 'applications_provider_id_fkey',
  })
  provider: Relation<OAuth2Provider> | null;

  @OneToMany(() => OAuth2Provider, (provider) => provider.backchannelApplication)
  backchannelProviders: Relation<OAuth2Provider[]>;

  @Column({ name: 'meta_launch_url', type: 'text', default: '' })
  metaLaunchUrl: string;

  @Column({ name: 'open_in_new_tab', default: false })
  openInNewTab: boolean;

  @Column({ type: 'text', default: '' })
  group: string;

  @Column({
    name: 'policy_engine_mode',
    type: 'enum',
    enum: POLICY_ENGINE_MODES,
    enumName: 'policy_engine_mode',
    default: 'any',
  })
  policyEngineMode: PolicyEngineMode;
}
