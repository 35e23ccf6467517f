import { applyDecorators, type Type } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiProperty, ApiSchema } from '@nestjs/swagger';
import { ValidationError } from '../errors/error.schemas.js';

@ApiSchema({ name: 'Pagination' })
export class PaginationSchema {
  @ApiProperty() next: number;
  @ApiProperty() previous: number;
  @ApiProperty() count: number;
  @ApiProperty() current: number;
  @ApiProperty() total_pages: number;
  @ApiProperty() start_index: number;
  @ApiProperty() end_index: number;
}

const paginatedSchemas = new Map<string, Type<unknown>>();

/** The OpenAPI component `name` of a page of `item`s (objects when unnamed): `{pagination, results}`. */
export function paginatedSchema(item: Type<unknown> | undefined, name: string): Type<unknown> {
  let schema = paginatedSchemas.get(name);
  if (!schema) {
    @ApiSchema({ name })
    class PaginatedList {
      @ApiProperty({ type: PaginationSchema }) pagination: PaginationSchema;
      @ApiProperty(item ? { type: [item] } : { type: 'array', items: { type: 'object' } })
      results: unknown[];
    }
    schema = PaginatedList;
    paginatedSchemas.set(name, schema);
  }
  return schema;
}

/** Documents a paginated list: 200 with the envelope, 400 with a ValidationError. */
export function ApiPaginatedResponse(item: Type<unknown> | undefined, name: string) {
  return applyDecorators(
    ApiOkResponse({ type: paginatedSchema(item, name), description: '' }),
    ApiBadRequestResponse({ type: ValidationError, description: '' }),
  );
}
