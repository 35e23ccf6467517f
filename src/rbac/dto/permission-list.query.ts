import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches, ValidateIf } from 'class-validator';
import { SearchQuery, WithPageParameters } from '../../common/pagination/list-query.js';
import { UUID_PATTERN } from '../../common/validation/primary-keys.js';
import { INVALID_CHOICE } from '../../common/validation/query-rules.js';

/** Exact-match filters of the permission catalogue (empty values filter nothing). */
export class PermissionFilterQuery extends SearchQuery {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  codename?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  content_type__app_label?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  content_type__model?: string;

  @ApiPropertyOptional({
    format: 'uuid',
    description: 'Only the permissions this role holds globally.',
  })
  @ValidateIf((_, value) => value !== undefined && value !== '')
  @Matches(UUID_PATTERN, { message: INVALID_CHOICE })
  role?: string;
}

export class PermissionListQuery extends WithPageParameters(PermissionFilterQuery) {}
