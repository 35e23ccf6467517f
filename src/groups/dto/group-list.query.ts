import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString } from 'class-validator';
import { SearchQuery, WithPageParameters } from '../../common/pagination/list-query.js';
import { BooleanFilter } from '../../users/dto/user-list.query.js';

/** `include_users`, which every route answering groups accepts. */
export class GroupPresentationQuery {
  @ApiPropertyOptional({
    description: 'Include the members as user objects (users_obj) when "true".',
    type: 'boolean',
  })
  @IsOptional()
  @IsString()
  include_users?: string;
}

/** Repeatable filters, read by RepeatedQuery; declared here for OpenAPI only (no validators). */
export const GROUP_LIST_FILTERS = ['members_by_pk', 'members_by_username'] as const;
export type GroupListFilter = (typeof GROUP_LIST_FILTERS)[number];

export class GroupFilterQuery extends SearchQuery {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  name?: string;

  @BooleanFilter()
  is_superuser?: string;

  @ApiPropertyOptional({ type: 'array', items: { type: 'integer' } })
  members_by_pk?: never;

  @ApiPropertyOptional({ type: 'array', items: { type: 'string' } })
  members_by_username?: never;

  @ApiPropertyOptional({
    description: 'Include the members as user objects (users_obj) when "true".',
    type: 'boolean',
  })
  @IsOptional()
  @IsString()
  include_users?: string;
}

export class GroupListQuery extends WithPageParameters(GroupFilterQuery) {}
