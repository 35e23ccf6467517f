import { ApiPropertyOptional } from '@nestjs/swagger';
import { ChoiceFilter, ListQuery, ListRules, References } from 'grants-api';
import { IsOptional } from 'class-validator';
import { PLATFORMS } from './device-session.entity.js';

/**
 * The one DTO of the list: what `ordering`, `search` and the filters may reach (SQL expressions
 * of the controller's query), and how the filters validate.
 */
@ListRules({
  ordering: {
    pk: 's.id',
    device_name: 's.device_name',
    last_seen: 's.last_seen',
    user: 's.user_id',
  },
  defaultOrdering: ['-last_seen'],
  primaryKey: 's.id',
  search: ['s.device_name', 'u.username'],
  filters: { user: 's.user_id', platform: 's.platform' },
})
export class DeviceSessionListQuery extends ListQuery {
  @ApiPropertyOptional({ type: 'integer' })
  @IsOptional()
  @References('users')
  user?: string;

  @ChoiceFilter(PLATFORMS)
  platform?: string;
}
