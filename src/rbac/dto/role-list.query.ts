import { SearchQuery, WithPageParameters } from '../../common/pagination/list-query.js';

/** Roles have no filters besides `search` (over the name); it narrows detail routes too. */
export class RoleFilterQuery extends SearchQuery {}

export class RoleListQuery extends WithPageParameters(RoleFilterQuery) {}
