import { SearchQuery, WithPageParameters } from '../../common/pagination/list-query.js';
import { CLIENT_TYPES, ISSUER_MODES, SUB_MODES } from '../oauth2-provider.entity.js';
import { ChoiceFilter, TextFilter } from './filter-rules.js';

/** Filters of providers_oauth2_*: they narrow the list and the detail routes alike. */
export class OAuth2ProviderFilterQuery extends SearchQuery {
  @TextFilter()
  name?: string;

  @TextFilter()
  client_id?: string;

  @ChoiceFilter(CLIENT_TYPES)
  client_type?: string;

  @ChoiceFilter(ISSUER_MODES)
  issuer_mode?: string;

  @ChoiceFilter(SUB_MODES)
  sub_mode?: string;
}

export class OAuth2ProviderListQuery extends WithPageParameters(OAuth2ProviderFilterQuery) {}
