import {
  Column,
  Entity,
  Generated,
  Index,
  JoinTable,
  ManyToMany,
  PrimaryGeneratedColumn,
  type Relation,
} from 'typeorm';
import { Group } from '../groups/group.entity.js';
import { Role } from '../rbac/role.entity.js';

export const USER_TYPES = [
  'internal',
  'external',
  'service_account',
  'internal_service_account',
] as const;
export type UserType = (typeof USER_TYPES)[number];

@Entity('users')
// GIN trigram index for substring search (migration ScalableLists); not expressible here.
@Index('users_search_trgm_idx', { synchronize: false })
export class User {
  @PrimaryGeneratedColumn({ primaryKeyConstraintName: 'users_pkey' })
  id: number;

  @Column({ type: 'uuid', unique: true })
  @Generated('uuid')
  uuid: string;

  @Index('users_username_key', { unique: true })
  @Column({ type: 'varchar', length: 150 })
  username: string;

  @Column({ type: 'text', default: '' })
  name: string;

  @Column({ type: 'varchar', length: 254, default: '' })
  email: string;

  @Column({ name: 'is_active', default: true })
  isActive: boolean;

  @Column({ name: 'last_login', type: 'timestamptz', nullable: true })
  lastLogin: Date | null;

  @Column({ name: 'date_joined', type: 'timestamptz', default: () => 'now()' })
  dateJoined: Date;

  /** argon2id hash; null means the account cannot sign in with a password. */
  @Column({ name: 'password_hash', type: 'text', nullable: true, select: false })
  passwordHash: string | null;

  @Column({ type: 'text', default: 'users' })
  path: string;

  @Column({ type: 'enum', enum: USER_TYPES, enumName: 'user_type', default: 'internal' })
  type: UserType;

  @Column({ type: 'jsonb', default: {} })
  attributes: Record<string, unknown>;

  @ManyToMany(() => Group, (group) => group.users)
  @JoinTable({
    name: 'user_groups',
    joinColumn: { name: 'user_id', foreignKeyConstraintName: 'user_groups_user_id_fkey' },
    inverseJoinColumn: { name: 'group_id', foreignKeyConstraintName: 'user_groups_group_id_fkey' },
  })
  groups: Relation<Group[]>;

  @ManyToMany(() => Role)
  @JoinTable({
    name: 'user_roles',
    joinColumn: { name: 'user_id', foreignKeyConstraintName: 'user_roles_user_id_fkey' },
    inverseJoinColumn: { name: 'role_id', foreignKeyConstraintName: 'user_roles_role_id_fkey' },
  })
  roles: Relation<Role[]>;
}
