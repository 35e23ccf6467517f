import { Transform } from 'class-transformer';
import { ValidateBy, type ValidationArguments } from 'class-validator';
import { Messages } from '../../common/validation/messages.js';

/*
 * Body fields that validate as Django REST framework's serializer fields do, one decorator per
 * field: presence, then null, then type, then the field's own rules, and only the first message
 * (class-validator runs stacked decorators bottom-up, which would report them in reverse).
 * Generic enough for every resource; a candidate for common/validation.
 */

/** The first rule a present, non-null value breaks, or undefined. */
type Check = (value: unknown) => string | undefined;

interface Presence {
  /** Absent → "This field is required." (create, PUT); otherwise absent values pass (PATCH). */
  required?: boolean;
  nullable?: boolean;
}

const INT4_MAX = 2_147_483_647;

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Python's name for a JSON value's type, as DRF puts it in messages. */
export function jsonTypeName(value: unknown): string {
  if (Array.isArray(value)) return 'list';
  if (value === null) return 'NoneType';
  return { string: 'str', number: 'int', boolean: 'bool' }[typeof value as string] ?? 'dict';
}

function bodyField(name: string, presence: Presence, check: Check): PropertyDecorator {
  const firstError = (value: unknown): string | undefined => {
    if (value === undefined) return presence.required ? Messages.required : undefined;
    if (value === null) return presence.nullable ? undefined : Messages.null;
    return check(value);
  };
  return ValidateBy({
    name,
    validator: {
      validate: (value: unknown) => firstError(value) === undefined,
      defaultMessage: (args?: ValidationArguments) => firstError(args?.value) ?? '',
    },
  });
}

/** Strings are trimmed before validation, as DRF's CharField does. */
const trimmed = Transform(({ value }: { value: unknown }) =>
  typeof value === 'string' ? value.trim() : value,
);

export interface StringRules extends Presence {
  allowBlank?: boolean;
  maxLength?: number;
  /** A pattern the value must match, and the message when it does not. */
  pattern?: [RegExp, string];
}

function checkString(value: unknown, rules: StringRules): string | undefined {
  if (typeof value !== 'string') return Messages.string;
  if (value === '') return rules.allowBlank ? undefined : Messages.blank;
  if (rules.maxLength !== undefined && [...value].length > rules.maxLength)
    return Messages.maxLength(rules.maxLength);
  if (rules.pattern && !rules.pattern[0].test(value)) return rules.pattern[1];
  return undefined;
}

export function StringField(rules: StringRules = {}): PropertyDecorator {
  const validate = bodyField('stringField', rules, (value) => checkString(value, rules));
  return (target, property) => {
    trimmed(target, property);
    validate(target, property);
  };
}

export const SLUG_MESSAGE =
  'Enter a valid "slug" consisting of letters, numbers, underscores or hyphens.';
export const SLUG = /^[-a-zA-Z0-9_]+$/;

export function ChoiceField(choices: readonly string[], presence: Presence = {}) {
  return bodyField('choiceField', presence, (value) =>
    typeof value === 'string' && choices.includes(value) ? undefined : Messages.choice(value),
  );
}

export function BooleanField(presence: Presence = {}) {
  return bodyField('booleanField', presence, (value) =>
    typeof value === 'boolean' ? undefined : Messages.boolean,
  );
}

/** A reference to a row by integer primary key (DRF's PrimaryKeyRelatedField). */
export function IntegerPkField(presence: Presence = {}) {
  return bodyField('integerPkField', presence, (value) => {
    if (typeof value !== 'number' || !Number.isInteger(value))
      return `Incorrect type. Expected pk value, received ${jsonTypeName(value)}.`;
    // Out of the column's range: no such row (and no database error).
    return value < 1 || value > INT4_MAX ? Messages.doesNotExist(value) : undefined;
  });
}

const ISO_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,6})?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/** PostgreSQL refuses offsets beyond ±15:59. */
function zoneInRange(zone: string | undefined): boolean {
  if (!zone || zone.toUpperCase() === 'Z') return true;
  const digits = zone.slice(1).replace(':', '');
  return Number(digits.slice(0, 2)) <= 15 && Number(digits.slice(2) || 0) < 60;
}

/**
 * An ISO-8601 date-time as PostgreSQL should read it (a zone-less value is UTC), or undefined when
 * the text is not a real date-time. The text itself goes to the database so that microseconds
 * survive.
 */
export function parseIsoDateTime(raw: string): string | undefined {
  const match = ISO_DATE_TIME.exec(raw.trim());
  if (!match) return undefined;
  const [year, month, day, hour, minute, second] = match
    .slice(1, 7)
    .map((part) => Number(part ?? 0));
  const date = new Date(Date.UTC(year!, month! - 1, day!));
  const real =
    date.getUTCFullYear() === year &&
    date.getUTCMonth() === month! - 1 &&
    date.getUTCDate() === day &&
    hour! < 24 &&
    minute! < 60 &&
    second! < 60 &&
    zoneInRange(match[7]);
  if (!real) return undefined;
  return match[7] ? raw.trim() : `${raw.trim()}Z`;
}

export function DateTimeField(presence: Presence = {}) {
  return bodyField('dateTimeField', presence, (value) =>
    typeof value === 'string' && parseIsoDateTime(value) !== undefined
      ? undefined
      : Messages.dateTime,
  );
}

/** A list of non-blank strings (DRF's ListField(child=CharField())). */
export function StringListField(presence: Presence = {}) {
  return bodyField('stringListField', presence, (value) => {
    if (!Array.isArray(value))
      return `Expected a list of items but got type "${jsonTypeName(value)}".`;
    for (const item of value) {
      const error = item === null ? Messages.null : checkString(item, {});
      if (error) return error;
    }
    return undefined;
  });
}
