import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches, ValidateIf } from 'class-validator';
import { SearchQuery, WithPageParameters } from '../../common/pagination/list-query.js';
import { Messages } from '../../common/validation/messages.js';
import { USER_TYPES } from '../user.entity.js';

/** django-filter's BooleanWidget values; anything else is a 400 rather than silently ignored. */
export const BOOLEAN_FILTER = /^(true|false|1|0)$/i;
export const isTrue = (value: string) => /^(true|1)$/i.test(value);

/** A boolean filter; absent and empty values filter nothing. */
export function BooleanFilter(): PropertyDecorator {
  const onlyWhenGiven = ValidateIf((_, value) => value !== undefined && value !== '');
  const validate = Matches(BOOLEAN_FILTER, { message: Messages.boolean });
  const document = ApiPropertyOptional({ type: 'boolean' });
  return (target, property) => {
    onlyWhenGiven(target, property);
    validate(target, property);
    document(target, property);
  };
}

/** `include_groups`, which every route answering users accepts (contract §2). */
export class UserPresentationQuery {
  @ApiPropertyOptional({
    description: 'Include the groups of users (any value but "true" leaves them out).',
    type: 'boolean',
  })
  @IsOptional()
  @IsString()
  include_groups?: string;
}

export const includesGroups = (query: { include_groups?: string }) =>
  query.include_groups === undefined || query.include_groups.toLowerCase() === 'true';

/** Repeatable filters, read by RepeatedQuery; declared here for OpenAPI only (no validators). */
export const USER_LIST_FILTERS = ['groups_by_name', 'groups_by_pk', 'type'] as const;
export type UserListFilter = (typeof USER_LIST_FILTERS)[number];

export class UserFilterQuery extends SearchQuery {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  username?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  email?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  name?: string;

  @BooleanFilter()
  is_active?: string;

  @BooleanFilter()
  is_superuser?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  path?: string;

  @ApiPropertyOptional({ type: 'array', items: { type: 'string', format: 'uuid' } })
  groups_by_pk?: never;

  @ApiPropertyOptional({ type: 'array', items: { type: 'string' } })
  groups_by_name?: never;

  @ApiPropertyOptional({ type: 'array', items: { type: 'string', enum: [...USER_TYPES] } })
  type?: never;

  @ApiPropertyOptional({
    description: 'Include the groups of users (any value but "true" leaves them out).',
    type: 'boolean',
  })
  @IsOptional()
  @IsString()
  include_groups?: string;
}

export class UserListQuery extends WithPageParameters(UserFilterQuery) {}
