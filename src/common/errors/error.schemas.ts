import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** OpenAPI component of every `{"detail": ...}` error, named as authentik names it. */
export class GenericError {
  @ApiProperty()
  detail: string;

  @ApiPropertyOptional()
  code?: string;
}

/** OpenAPI component of 400 bodies: field names map to message lists. */
export class ValidationError {
  @ApiPropertyOptional({ type: [String] })
  non_field_errors?: string[];

  @ApiPropertyOptional()
  code?: string;
}
