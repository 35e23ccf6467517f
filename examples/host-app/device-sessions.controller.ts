import { Controller, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { ListPaginator, PaginatedList, permission } from 'grants-api';
import { DataSource } from 'typeorm';
import { DeviceSessionListQuery } from './device-session-list.query.js';

/** A raw row of `list`'s query; the item keeps the wire's key order, whatever the row's. */
interface Row {
  id: number;
  user_id: number;
  username: string;
  device_name: string;
  platform: string;
  last_seen: Date;
}

/** Who may list every device session (superusers hold every permission). */
export const VIEW_DEVICE_SESSIONS = permission('host_devices', 'view_devicesession');

@ApiTags('devices')
@Controller('device_sessions')
export class DeviceSessionsController {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly lists: ListPaginator,
  ) {}

  /** The one method of the list: authentik's envelope, 400s and 403s, from our decorators. */
  @PaginatedList({ operationId: 'device_sessions_list', permission: VIEW_DEVICE_SESSIONS })
  list(@Query() query: DeviceSessionListQuery) {
    const sessions = this.db
      .createQueryBuilder()
      .from('device_sessions', 's')
      .innerJoin('users', 'u', 'u.id = s.user_id')
      .select('s.id', 'id')
      .addSelect('s.user_id', 'user_id')
      .addSelect('u.username', 'username')
      .addSelect('s.device_name', 'device_name')
      .addSelect('s.platform', 'platform')
      .addSelect('s.last_seen', 'last_seen');
    return this.lists.paginate(sessions, query, (rows: Row[]) =>
      rows.map((row) => ({
        pk: row.id,
        user: row.user_id,
        username: row.username,
        device_name: row.device_name,
        platform: row.platform,
        last_seen: row.last_seen,
      })),
    );
  }
}
