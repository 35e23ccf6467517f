import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';

/**
 * Values of repeatable query parameters (`?groups_by_pk=a&groups_by_pk=b`), which django-filter's
 * MultipleChoiceFilters accept and authentik's client sends. The query DTO pipe keeps the last
 * value of a repeated key, so these are read here, raw, and checked by the service. Empty values
 * are dropped, as empty scalar filters are.
 */
export type QueryLists<K extends string> = Record<K, string[]>;

export const RepeatedQuery = createParamDecorator(
  (names: readonly string[], context: ExecutionContext): Record<string, string[]> => {
    const query = context.switchToHttp().getRequest<Request>().query;
    return Object.fromEntries(
      names.map((name) => {
        const raw = query[name];
        const values = Array.isArray(raw) ? raw : [raw];
        return [name, values.filter((v): v is string => typeof v === 'string' && v !== '')];
      }),
    );
  },
);

/** Django's ModelMultipleChoiceField / MultipleChoiceField messages. */
export const invalidValue = (value: string) => `“${value}” is not a valid value.`;
export const invalidChoice = (value: string) =>
  `Select a valid choice. ${value} is not one of the available choices.`;
