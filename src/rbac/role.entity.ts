import { Column, Entity, Index, OneToMany, PrimaryGeneratedColumn, type Relation } from 'typeorm';
import type { RolePermission } from './role-permission.entity.js';

@Entity('roles')
export class Role {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'roles_pkey' })
  id: string;

  @Index('roles_name_key', { unique: true })
  @Column({ type: 'text' })
  name: string;

  @OneToMany('RolePermission', (permission: RolePermission) => permission.role)
  permissions: Relation<RolePermission[]>;
}
