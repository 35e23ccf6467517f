import {
  Column,
  Entity,
  Index,
  JoinColumn,
  JoinTable,
  ManyToMany,
  ManyToOne,
  PrimaryGeneratedColumn,
  type Relation,
} from 'typeorm';
import { Role } from '../rbac/role.entity.js';
import type { User } from '../users/user.entity.js';

@Entity('groups')
export class Group {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'groups_pkey' })
  id: string;

  @Index('groups_name_key', { unique: true })
  @Column({ type: 'text' })
  name: string;

  @Column({ name: 'is_superuser', default: false })
  isSuperuser: boolean;

  @Index('groups_parent_id_idx')
  @Column({ name: 'parent_id', type: 'uuid', nullable: true })
  parentId: string | null;

  @ManyToOne(() => Group, { onDelete: 'SET NULL', nullable: true })
  @JoinColumn({ name: 'parent_id', foreignKeyConstraintName: 'groups_parent_id_fkey' })
  parent: Relation<Group> | null;

  @Column({ type: 'jsonb', default: {} })
  attributes: Record<string, unknown>;

  @ManyToMany('User', (user: User) => user.groups)
  users: Relation<User[]>;

  @ManyToMany(() => Role)
  @JoinTable({
    name: 'group_roles',
    joinColumn: { name: 'group_id', foreignKeyConstraintName: 'group_roles_group_id_fkey' },
    inverseJoinColumn: { name: 'role_id', foreignKeyConstraintName: 'group_roles_role_id_fkey' },
  })
  roles: Relation<Role[]>;
}
