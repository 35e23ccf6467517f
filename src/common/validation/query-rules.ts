import { ValidateBy, ValidateIf, type ValidationOptions } from 'class-validator';

export const INVALID_CHOICE =
  'Select a valid choice. That choice is not one of the available choices.';
export const NULL_CHARACTERS = 'Null characters are not allowed.';

/** Errors of constraints marked this way form a bare-array 400 body instead of a field entry. */
export const LIST_ERROR = { listError: true } as const;

const REFERENCES_KEY = Symbol('grants-api:references');
const MAX_INTEGER = 2n ** 31n - 1n;

export interface Reference {
  property: string;
  /** Table and primary-key column the value must name a row of. */
  table: string;
  column: string;
  /** Existence is confirmed by the service, and only when its result is empty. */
  deferred: boolean;
}

export interface ReferenceOptions {
  /** The key column (default `id`). */
  column?: string;
  /** The largest key the column can hold (default: PostgreSQL `integer`'s). */
  max?: bigint;
  /**
   * Leave the existence check to the service, which calls `confirmReferences` only when its
   * result is empty: rows matching `filter = value` prove the referenced row exists, so a
   * non-empty answer costs no extra query. The pipe still checks when another field is invalid,
   * so that one 400 names every bad field.
   */
  deferred?: boolean;
}

/**
 * A filter naming a row by its integer primary key: malformed values and values naming no row
 * both answer 400 "Select a valid choice" (checked in one query for all of a DTO's references).
 */
export function References(table: string, options: ReferenceOptions = {}): PropertyDecorator {
  const { column = 'id', deferred = false, max = MAX_INTEGER } = options;
  // Absent and empty values filter nothing.
  const onlyWhenGiven = ValidateIf((_, value) => value !== undefined && value !== '');
  // Digits only, leading zeros allowed (Django reads `007` as 7); beyond the column's range no
  // row can match, which is the same 400 and keeps the value out of SQL.
  const validate = ValidateBy(
    {
      name: 'references',
      validator: {
        validate: (value: unknown) =>
          typeof value === 'string' && /^\d+$/.test(value) && BigInt(value) <= max,
      },
    },
    { message: INVALID_CHOICE },
  );
  return (target, property) => {
    onlyWhenGiven(target, property);
    validate(target, property);
    const references: Reference[] = Reflect.getMetadata(REFERENCES_KEY, target) ?? [];
    Reflect.defineMetadata(
      REFERENCES_KEY,
      [...references, { property: String(property), table, column, deferred }],
      target,
    );
  };
}

export function referencesOf(type: object): Reference[] {
  return Reflect.getMetadata(REFERENCES_KEY, (type as { prototype: object }).prototype) ?? [];
}

export function NoNullCharacters(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'noNullCharacters',
      validator: {
        validate: (value: unknown) => typeof value !== 'string' || !value.includes('\0'),
      },
    },
    { message: NULL_CHARACTERS, context: LIST_ERROR, ...options },
  );
}
