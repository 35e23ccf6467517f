import { SearchQuery, WithPageParameters } from '../../common/pagination/list-query.js';
import { TextFilter } from '../../oauth2-providers/dto/filter-rules.js';

/** Filters of core_applications_*: they narrow the list and the detail routes alike. */
export class ApplicationFilterQuery extends SearchQuery {
  @TextFilter()
  name?: string;

  @TextFilter()
  slug?: string;

  @TextFilter()
  group?: string;

  @TextFilter()
  meta_launch_url?: string;
}

export class ApplicationListQuery extends WithPageParameters(ApplicationFilterQuery) {}
