import {
  Column,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  type Relation,
} from 'typeorm';
import { Role } from './role.entity.js';

/**
 * A permission a role grants: global when `model` and `objectPk` are empty, otherwise on the one
 * object `<appLabel>.<model>` with primary key `objectPk`. Empty strings rather than NULLs keep the
 * unique index effective for global permissions.
 */
@Entity('role_permissions')
@Index('role_permissions_unique', ['roleId', 'appLabel', 'codename', 'model', 'objectPk'], {
  unique: true,
})
@Index('role_permissions_lookup_idx', ['appLabel', 'codename', 'model', 'objectPk'])
export class RolePermission {
  @PrimaryGeneratedColumn({ primaryKeyConstraintName: 'role_permissions_pkey' })
  id: number;

  @Index('role_permissions_role_id_idx')
  @Column({ name: 'role_id', type: 'uuid' })
  roleId: string;

  @ManyToOne(() => Role, (role) => role.permissions, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'role_id', foreignKeyConstraintName: 'role_permissions_role_id_fkey' })
  role: Relation<Role>;

  @Column({ name: 'app_label', type: 'text' })
  appLabel: string;

  @Column({ type: 'text' })
  codename: string;

  @Column({ type: 'text', default: '' })
  model: string;

  @Column({ name: 'object_pk', type: 'text', default: '' })
  objectPk: string;
}
