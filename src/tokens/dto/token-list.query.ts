import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, ValidateBy, ValidateIf } from 'class-validator';
import { SearchQuery, WithPageParameters } from '../../common/pagination/list-query.js';
import { parseIsoDateTime } from '../../common/validation/iso-date-time.js';
import { TOKEN_INTENTS } from '../token.entity.js';

const onlyWhenGiven = () => ValidateIf((_, value) => value !== undefined && value !== '');

/** Exact-match filters (django-filter's): they narrow lists, retrieve, update and destroy. */
export class TokenFilterQuery extends SearchQuery {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  identifier?: string;

  @ApiPropertyOptional({ enum: TOKEN_INTENTS, enumName: 'IntentEnum' })
  @onlyWhenGiven()
  @IsIn(TOKEN_INTENTS, {
    message: ({ value }) =>
      `Select a valid choice. ${String(value)} is not one of the available choices.`,
  })
  intent?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  user__username?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  description?: string;

  @ApiPropertyOptional({ format: 'date-time' })
  @onlyWhenGiven()
  @ValidateBy(
    {
      name: 'isoDateTime',
      validator: {
        validate: (value: unknown) =>
          typeof value === 'string' && parseIsoDateTime(value) !== undefined,
      },
    },
    { message: 'Enter a valid date/time.' },
  )
  expires?: string;

  @ApiPropertyOptional({
    type: 'boolean',
    description: '`true` or `false` (`1`/`0`); any other value filters nothing.',
  })
  @IsOptional()
  @IsString()
  expiring?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  managed?: string;
}

export class TokenListQuery extends WithPageParameters(TokenFilterQuery) {}
