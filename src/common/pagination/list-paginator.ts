import { Inject, Injectable } from '@nestjs/common';
import type { SelectQueryBuilder } from 'typeorm';
import type { RuntimeConfig } from '../../config/config.js';
import { APP_CONFIG } from '../../config/config.module.js';
import { paginateList, type PageParameters, type Presenter } from './paginate.js';
import type { Paginated } from './paginated.js';

/** `paginateList` with the configured page sizes, for controllers and services to inject. */
@Injectable()
export class ListPaginator {
  constructor(@Inject(APP_CONFIG) private readonly config: Pick<RuntimeConfig, 'pagination'>) {}

  /** One page of `qb` as the query DTO (with its `@ListRules`) asks for it, rows `present`ed. */
  paginate<Row, Item = Row>(
    qb: SelectQueryBuilder<object>,
    query: PageParameters & { search?: string },
    present?: Presenter<Row, Item>,
  ): Promise<Paginated<Item>> {
    return paginateList(qb, query, this.config.pagination, present);
  }
}
