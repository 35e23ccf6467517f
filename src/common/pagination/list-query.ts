import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString } from 'class-validator';
import { NoNullCharacters } from '../validation/query-rules.js';

/**
 * Query parameters every paginated list accepts. Values stay raw strings here: page, page size
 * and ordering never produce a 400 (see page.ts and ordering.ts for how they are read).
 */
export class ListQuery {
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

  @ApiPropertyOptional({ description: 'A search term.' })
  @IsOptional()
  @IsString()
  @NoNullCharacters()
  search?: string;
}
