import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, ValidateIf } from 'class-validator';
import { NoNullCharacters } from '../../common/validation/query-rules.js';

/*
 * Filters of the providers and applications lists (django-filter semantics): absent or empty
 * values filter nothing; text filters match exactly; choice filters name one of the choices.
 */

const givenValue = () => ValidateIf((_, value) => value !== undefined && value !== '');

/** An exact-match text filter. NUL characters are a field error, as django's CharField says. */
export function TextFilter(description?: string): PropertyDecorator {
  const decorators = [
    IsOptional(),
    IsString(),
    NoNullCharacters({ context: {} }),
    ApiPropertyOptional({ type: String, ...(description ? { description } : {}) }),
  ];
  return (target, property) => decorators.forEach((decorate) => decorate(target, property));
}

/** django's ChoiceField message: `Select a valid choice. x is not one of the available choices.` */
export function ChoiceFilter(choices: readonly string[], enumName?: string): PropertyDecorator {
  const decorators = [
    givenValue(),
    IsIn([...choices], {
      message: ({ value }) =>
        `Select a valid choice. ${String(value)} is not one of the available choices.`,
    }),
    ApiPropertyOptional({ enum: choices, ...(enumName ? { enumName } : {}) }),
  ];
  return (target, property) => decorators.forEach((decorate) => decorate(target, property));
}
