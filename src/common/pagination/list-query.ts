import type { Type } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { getMetadataStorage, IsOptional, IsString } from 'class-validator';
import { NoNullCharacters } from '../validation/query-rules.js';

/** `search`, which narrows lists and (contract §2) retrieve and destroy alike. */
export class SearchQuery {
  @ApiPropertyOptional({ description: 'A search term.' })
  @IsOptional()
  @IsString()
  @NoNullCharacters()
  search?: string;
}

/**
 * Adds the page parameters of every paginated list to a resource's filter query. Values stay raw
 * strings: page, page size and ordering never produce a 400 (see page.ts and ordering.ts).
 */
export function WithPageParameters<T extends Type<object>>(Filters: T) {
  class PaginatedQuery extends Filters {
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
  }
  return PaginatedQuery;
}

/** The query of an authentik-style list: `search`, `ordering`, `page` and `page_size`. */
export class ListQuery extends WithPageParameters(SearchQuery) {}

const LIST_RULES_KEY = Symbol('grants-api:list-rules');

/** What a list query may steer, as SQL expressions of the list's query builder (whitelists). */
export interface ListRulesOptions {
  /** Ordering term → SQL expression: the only terms `ordering` accepts (others are dropped). */
  ordering: Readonly<Record<string, string>>;
  /** Terms used when `ordering` names none of the allowed ones (`-` prefix: descending). */
  defaultOrdering?: readonly string[];
  /** SQL expression of the primary key: the final tie-breaker of every ordering. */
  primaryKey: string;
  /** SQL expressions `search` matches, case-insensitively, anywhere in any of them. */
  search?: readonly string[];
  /** Query parameter → SQL expression it must equal, when given and not empty. */
  filters?: Readonly<Record<string, string>>;
}

function declaredProperties(type: Type<object>): Set<string> {
  return new Set(
    getMetadataStorage()
      .getTargetValidationMetadatas(type, '', true, false)
      .map((metadata) => metadata.propertyName),
  );
}

/**
 * Declares, on a list's query DTO, how its parameters reach SQL: ordering terms, search columns
 * and equality filters. Validation stays with the properties' own decorators (`References`,
 * `ChoiceFilter`, ...). Mistakes that would make a parameter silently do nothing are refused when
 * the class is declared: a filter that is not a validated property (the ValidationPipe would drop
 * it), a default ordering term that is not allowed.
 */
export function ListRules(rules: ListRulesOptions): ClassDecorator {
  return (target) => {
    const type = target as unknown as Type<object>;
    const declared = declaredProperties(type);
    const problems = [
      ...Object.keys(rules.filters ?? {})
        .filter((name) => !declared.has(name))
        .map((name) => `filter "${name}" is not a validated property of ${type.name}`),
      ...(rules.defaultOrdering ?? [])
        .filter((term) => !Object.hasOwn(rules.ordering, term.replace(/^-/, '')))
        .map((term) => `default ordering "${term}" is not one of the ordering terms`),
      ...(rules.search?.length && !declared.has('search')
        ? [`${type.name} declares search columns but has no "search" property`]
        : []),
    ];
    if (problems.length > 0) throw new Error(`@ListRules on ${type.name}: ${problems.join('; ')}`);
    Reflect.defineMetadata(LIST_RULES_KEY, rules, target);
  };
}

/** The rules `@ListRules` declared on the class of `query` (or one of its parents). */
export function listRulesOf(query: object): ListRulesOptions {
  const rules = Reflect.getMetadata(LIST_RULES_KEY, query.constructor) as
    ListRulesOptions | undefined;
  if (!rules) throw new Error(`${query.constructor.name} has no @ListRules declaration`);
  return rules;
}
