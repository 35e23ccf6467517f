import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString } from 'class-validator';
import { SearchQuery, WithPageParameters } from '../../common/pagination/list-query.js';
import { References } from '../../common/validation/query-rules.js';

/**
 * Filters of every grant route: they narrow lists, retrieve and destroy alike (contract §2). The
 * service confirms a filtered user or provider exists only when nothing matched.
 */
export class GrantFilterQuery extends SearchQuery {
  @ApiPropertyOptional({ type: 'integer' })
  @IsOptional()
  @References('users', { deferred: true })
  user?: string;

  @ApiPropertyOptional({ type: 'integer' })
  @IsOptional()
  @References('oauth2_providers', { deferred: true })
  provider?: string;

  @ApiPropertyOptional({
    description: 'Include the groups of nested users (any value but "true" leaves them out).',
    type: 'boolean',
  })
  @IsOptional()
  @IsString()
  include_groups?: string;
}

export class GrantListQuery extends WithPageParameters(GrantFilterQuery) {}
