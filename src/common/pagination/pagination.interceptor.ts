import {
  Injectable,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { map, type Observable } from 'rxjs';
import { Paginated, paginationOf } from './paginated.js';

/** Wraps a handler's Paginated result in the contract's `{pagination, results}` envelope. */
@Injectable()
export class PaginationInterceptor implements NestInterceptor {
  intercept(_: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next
      .handle()
      .pipe(
        map((result: unknown) =>
          result instanceof Paginated
            ? { pagination: paginationOf(result), results: result.items }
            : result,
        ),
      );
  }
}
