import type { Type } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString } from 'class-validator';
import { NoNullCharacters } from '../validation/query-rules.js';

/** `search`, which narrows lists and (contract §2) retrieve and destroy alike. */
export class SearchQuery {
  @ApiPropertyOptional({ description: 'A search term.' })
  @IsOptional()
  @IsString()
  @NoNullCharacters()
  search?: string;
}

/**
 * Adds the page parameters of every paginated list to a resource's filter query. Values stay raw
 * strings: page, page size and ordering never produce a 400 (see page.ts and ordering.ts).
 */
export function WithPageParameters<T extends Type<object>>(Filters: T) {
  class PaginatedQuery extends Filters {
    @ApiPropertyOptional({ description: 'Which field to use when ordering the results.' })
    @IsOptional()
    @IsString()
    ordering?: string;

    @ApiPropertyOptional({
      description: 'A page number within the paginated result set.',
      type: 'integer',
    })
    @IsOptional()
    @IsString()
    page?: string;

    @ApiPropertyOptional({ description: 'Number of results to return per page.', type: 'integer' })
    @IsOptional()
    @IsString()
    page_size?: string;
  }
  return PaginatedQuery;
}
