import { Column, Entity, Generated, PrimaryColumn } from 'typeorm';

/** Exactly one row per database: the install id that user `uid`s are derived from. */
@Entity('install')
export class Install {
  /** Always true; as the primary key it allows a single row. */
  @PrimaryColumn({ type: 'boolean', default: true, primaryKeyConstraintName: 'install_pkey' })
  singleton: boolean;

  @Column({ name: 'install_id', type: 'uuid' })
  @Generated('uuid')
  installId: string;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;
}
