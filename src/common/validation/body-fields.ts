import { applyDecorators } from '@nestjs/common';
import { ApiProperty, type ApiPropertyOptions } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { isEmail, ValidateBy, type ValidationArguments } from 'class-validator';
import { parseIsoDateTime } from './iso-date-time.js';
import { Messages } from './messages.js';
import { isUuid } from './primary-keys.js';
import { NULL_CHARACTERS } from './query-rules.js';

/*
 * Request body fields that validate as Django REST framework's serializer fields do. One decorator
 * per field carries its presence, type and rules, and its OpenAPI property. A field reports its
 * first problem only, in DRF's order: presence, null, type, then the field's own rules. Unlike
 * class-validator's IsOptional, an optional field skips its checks only when absent: `null` is
 * refused ("This field may not be null.") unless the field is nullable, so it never reaches a NOT
 * NULL column.
 */

type Message = string | ((value: unknown) => string);

/** A check of a present, non-null value, and what to answer when it fails. */
export interface Rule {
  check: (value: unknown) => boolean;
  message: Message;
}

export const rule = (check: Rule['check'], message: Message): Rule => ({ check, message });

const messageFor = (message: Message, value: unknown) =>
  typeof message === 'function' ? message(value) : message;

export interface FieldOptions {
  /** Must be present (create, PUT); a PATCH body leaves every field optional. */
  required?: boolean;
  nullable?: boolean;
  /** OpenAPI description. */
  description?: string;
  /** Checks after those of the field's type, in order. */
  rules?: Rule[];
}

function firstProblem(
  value: unknown,
  options: FieldOptions,
  rules: readonly Rule[],
): string | undefined {
  if (value === undefined) return options.required ? Messages.required : undefined;
  if (value === null) return options.nullable ? undefined : Messages.null;
  const broken = rules.find(({ check }) => !check(value));
  return broken && messageFor(broken.message, value);
}

/** One check for the whole field, so that it reports one message whatever the pipe's options. */
function field(
  options: FieldOptions,
  typeRules: Rule[],
  schema: ApiPropertyOptions,
  ...transforms: PropertyDecorator[]
): PropertyDecorator {
  const { required = false, nullable = false, description } = options;
  const rules = [...typeRules, ...(options.rules ?? [])];
  const problem = (value: unknown) => firstProblem(value, options, rules);
  return applyDecorators(
    ...transforms,
    ValidateBy({
      name: 'bodyField',
      validator: {
        validate: (value: unknown) => problem(value) === undefined,
        defaultMessage: (args?: ValidationArguments) => problem(args?.value) ?? '',
      },
    }),
    ApiProperty({
      ...schema,
      required,
      ...(nullable ? { nullable: true } : {}),
      ...(description ? { description } : {}),
    } as ApiPropertyOptions),
  );
}

/** Every item passes `check`; the message is about the first item that does not. */
function everyItem(check: Rule['check'], message: Message): Rule {
  return rule(
    (value) => (value as unknown[]).every(check),
    (value) =>
      messageFor(
        message,
        (value as unknown[]).find((item) => !check(item)),
      ),
  );
}

const isString = (value: unknown): value is string => typeof value === 'string';

const isList = rule(Array.isArray, Messages.list);

/**
 * DRF's CharField checks: a string that PostgreSQL text can hold (no NUL character), not blank
 * (empty or white space only, trimmed or not) unless allowed, at most `maxLength` characters —
 * counted in code points, as Python and PostgreSQL's varchar count them.
 */
function textRules(allowBlank: boolean, maxLength?: number): Rule[] {
  return [
    rule(isString, Messages.string),
    rule((value) => !(value as string).includes('\0'), NULL_CHARACTERS),
    ...(allowBlank ? [] : [rule((value) => (value as string).trim() !== '', Messages.blank)]),
    ...(maxLength === undefined
      ? []
      : [
          rule(
            (value) => [...(value as string)].length <= maxLength,
            Messages.maxLength(maxLength),
          ),
        ]),
  ];
}

/** DRF's trim_whitespace: a string is checked, and kept, without its surrounding white space. */
const trimmed = Transform(({ value }: { value: unknown }) =>
  isString(value) ? value.trim() : value,
);

export interface TextOptions extends FieldOptions {
  maxLength?: number;
  /** DRF's allow_blank: an empty (or whitespace-only) string is accepted. */
  allowBlank?: boolean;
  /** DRF's trim_whitespace (default true); false keeps the string exactly as given. */
  trim?: boolean;
  /** Further OpenAPI keywords (minLength, pattern...). */
  schema?: ApiPropertyOptions;
}

/** DRF's CharField. */
export function TextField(options: TextOptions = {}): PropertyDecorator {
  const { maxLength, allowBlank = false, trim = true } = options;
  return field(
    options,
    textRules(allowBlank, maxLength),
    { type: String, ...(maxLength ? { maxLength } : {}), ...options.schema },
    ...(trim ? [trimmed] : []),
  );
}

export const SLUG_PATTERN = /^[-a-zA-Z0-9_]+$/;

/** DRF's SlugField. */
export function SlugField(options: TextOptions = {}): PropertyDecorator {
  return TextField({
    ...options,
    schema: { pattern: SLUG_PATTERN.source, ...options.schema },
    rules: [
      rule((value) => SLUG_PATTERN.test(value as string), Messages.slug),
      ...(options.rules ?? []),
    ],
  });
}

/** DRF's EmailField, blank allowed (as authentik's user e-mail). */
export function EmailField(options: TextOptions & { maxLength: number }): PropertyDecorator {
  return TextField({
    ...options,
    allowBlank: true,
    rules: [rule((value) => value === '' || isEmail(value), Messages.email)],
    schema: { format: 'email' },
  });
}

/** DRF's ListField(child=CharField()), but items are kept as given (not trimmed). */
export function TextListField(options: FieldOptions = {}): PropertyDecorator {
  const itemRules = textRules(false);
  const itemProblem = (item: unknown) => firstProblem(item, {}, itemRules);
  return field(
    options,
    [
      isList,
      rule(
        (value) => (value as unknown[]).every((item) => itemProblem(item) === undefined),
        (value) => (value as unknown[]).map(itemProblem).find(Boolean)!,
      ),
    ],
    { type: [String] },
  );
}

export function BooleanField(options: FieldOptions = {}): PropertyDecorator {
  return field(options, [rule((value) => typeof value === 'boolean', Messages.boolean)], {
    type: Boolean,
  });
}

export interface ChoiceOptions extends FieldOptions {
  /** The OpenAPI component of the enum (`UserTypeEnum`). */
  enumName: string;
}

export function ChoiceField(choices: readonly string[], options: ChoiceOptions): PropertyDecorator {
  return field(
    options,
    [rule((value) => isString(value) && choices.includes(value), Messages.choice)],
    { enum: choices, enumName: options.enumName },
  );
}

/** Nesting PostgreSQL's jsonb parser accepts comfortably; deeper documents are refused. */
const MAX_JSON_DEPTH = 64;

/** No NUL character in any key or string (jsonb refuses `\u0000`), and a bounded depth. */
function storableJson(value: unknown, depth = 0): boolean {
  if (depth > MAX_JSON_DEPTH) return false;
  if (typeof value === 'string') return !value.includes('\0');
  if (Array.isArray(value)) return value.every((item) => storableJson(item, depth + 1));
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).every(
      ([key, item]) => !key.includes('\0') && storableJson(item, depth + 1),
    );
  }
  return true;
}

const isDict = (value: unknown) =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/** authentik's JSONDictField: any JSON object. */
export function DictField(options: FieldOptions = {}): PropertyDecorator {
  return field(
    options,
    [rule(isDict, Messages.object), rule((value) => storableJson(value), NULL_CHARACTERS)],
    { type: 'object', additionalProperties: {} },
  );
}

const UNHYPHENATED_UUID = /^[0-9a-f]{32}$/i;

/**
 * DRF's UUIDField also takes the 32 hex digits alone; either way the service gets the canonical
 * lower-case, hyphenated form, which its comparisons and deduplication rely on.
 */
function canonicalUuid(value: unknown): unknown {
  if (isUuid(value)) return value.toLowerCase();
  if (!isString(value) || !UNHYPHENATED_UUID.test(value)) return value;
  const hex = value.toLowerCase();
  return [
    hex.slice(0, 8),
    hex.slice(8, 12),
    hex.slice(12, 16),
    hex.slice(16, 20),
    hex.slice(20),
  ].join('-');
}

export function UuidField(options: FieldOptions = {}): PropertyDecorator {
  return field(
    options,
    [rule(isUuid, Messages.uuid)],
    { type: String, format: 'uuid' },
    Transform(({ value }: { value: unknown }) => canonicalUuid(value)),
  );
}

export interface UuidListOptions extends FieldOptions {
  /** What a malformed item earns; Django's `“x” is not a valid UUID.` unless given. */
  invalidItem?: Message;
}

/** A list of primary keys of uuid rows; whether the rows exist is the service's question. */
export function UuidListField(options: UuidListOptions = {}): PropertyDecorator {
  return field(
    options,
    [isList, everyItem(isUuid, options.invalidItem ?? Messages.invalidUuid)],
    { type: 'array', items: { type: 'string', format: 'uuid' } },
    Transform(({ value }: { value: unknown }) =>
      Array.isArray(value) ? value.map(canonicalUuid) : value,
    ),
  );
}

const isInteger = (value: unknown): value is number =>
  typeof value === 'number' && Number.isInteger(value);

/** DRF's IntegerField. */
export function IntegerField(options: FieldOptions = {}): PropertyDecorator {
  return field(options, [rule(isInteger, Messages.integer)], { type: 'integer' });
}

/**
 * DRF's PrimaryKeyRelatedField on an integer key; whether the row exists is the service's
 * question (or a rule's).
 */
export function IntegerPkField(options: FieldOptions = {}): PropertyDecorator {
  return field(options, [rule(isInteger, Messages.pkType)], { type: 'integer' });
}

export function IntegerPkListField(options: FieldOptions = {}): PropertyDecorator {
  return field(options, [isList, everyItem(isInteger, Messages.pkType)], {
    type: 'array',
    items: { type: 'integer' },
  });
}

export function DateTimeField(options: FieldOptions = {}): PropertyDecorator {
  return field(
    options,
    [rule((value) => isString(value) && parseIsoDateTime(value) !== undefined, Messages.dateTime)],
    { type: String, format: 'date-time' },
  );
}
