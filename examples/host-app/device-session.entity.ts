import { User } from 'grants-api';
import {
  Column,
  Entity,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  type Relation,
} from 'typeorm';

export const PLATFORMS = ['ios', 'android', 'web'] as const;
export type Platform = (typeof PLATFORMS)[number];

/** The host's own entity: a device signed in as one of the grants API's users. */
@Entity('device_sessions')
export class DeviceSession {
  @PrimaryGeneratedColumn('identity', { type: 'integer', generatedIdentity: 'ALWAYS' })
  id: number;

  @Column({ name: 'user_id', type: 'integer' })
  userId: number;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id' })
  user: Relation<User>;

  @Column({ name: 'device_name', type: 'text' })
  deviceName: string;

  @Column({ type: 'text' })
  platform: Platform;

  @Column({ name: 'last_seen', type: 'timestamptz', default: () => 'now()' })
  lastSeen: Date;
}
