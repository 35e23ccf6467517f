import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString } from 'class-validator';
import { ListQuery } from '../../common/pagination/list-query.js';
import { References } from '../../common/validation/query-rules.js';

/** Query of every grant list; filters and search also narrow retrieve and destroy. */
export class GrantListQuery extends ListQuery {
  @ApiPropertyOptional({ type: 'integer' })
  @IsOptional()
  @References('users')
  user?: string;

  @ApiPropertyOptional({ type: 'integer' })
  @IsOptional()
  @References('oauth2_providers')
  provider?: string;

  @ApiPropertyOptional({
    description: 'Include the groups of nested users (any value but "true" leaves them out).',
    type: 'boolean',
  })
  @IsOptional()
  @IsString()
  include_groups?: string;
}
