import { applyDecorators, Get, UseInterceptors, type Type } from '@nestjs/common';
import { Access, type AccessOptions } from '../auth/access.decorator.js';
import { PaginationInterceptor } from './pagination.interceptor.js';
import { ApiPaginatedResponse } from './pagination.schema.js';

export interface PaginatedListOptions extends AccessOptions {
  /** Route path under the controller's (default: the controller's own path). */
  path?: string;
  /** The class of one item, for the OpenAPI document. */
  item?: Type<unknown>;
  /**
   * OpenAPI component of a page: `Paginated<Item>List` as authentik names them, or without an item
   * class, after the operation (`device_sessions_list` → `PaginatedDeviceSessionsList`).
   */
  pageSchema?: string;
}

const pascalCase = (snake: string) =>
  snake.replace(/(?:^|_)([a-z0-9])/g, (_, letter: string) => letter.toUpperCase());

/**
 * A GET list route as this API serves them: who may call it (`@Access`), the contract's 400 and
 * 403 bodies, the `{pagination, results}` envelope around the `Paginated` the handler returns,
 * and its OpenAPI description.
 */
export function PaginatedList(options: PaginatedListOptions) {
  const { path = '', item, pageSchema, ...access } = options;
  const schema =
    pageSchema ??
    `Paginated${item ? item.name : pascalCase(options.operationId.replace(/_list$/, ''))}List`;
  return applyDecorators(
    Get(path),
    Access(access),
    UseInterceptors(PaginationInterceptor),
    ApiPaginatedResponse(item, schema),
  );
}
