import { ApiProperty, type ApiPropertyOptions } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { isEmail, ValidateBy, ValidateIf, type ValidationArguments } from 'class-validator';
import { Messages } from '../../common/validation/messages.js';
import { NULL_CHARACTERS } from '../../common/validation/query-rules.js';

/*
 * Body fields of the users and groups request DTOs, with DRF's semantics. One decorator per field
 * carries presence, type, constraints and the OpenAPI property. Checks run in the order given and
 * the ValidationPipe stops at the first failure of a field, so a field reports one message, as DRF
 * does. Unlike class-validator's IsOptional, an optional field skips its checks only when absent:
 * `null` is refused ("This field may not be null.") unless the field is nullable, so it never
 * reaches a NOT NULL column.
 */

type Message = string | ((value: unknown) => string);

export interface Rule {
  name: string;
  check: (value: unknown) => boolean;
  message: Message;
}

export const rule = (name: string, check: Rule['check'], message: Message): Rule => ({
  name,
  check,
  message,
});

/** Python's type names, as DRF puts them in messages. */
export function pythonTypeName(value: unknown): string {
  if (Array.isArray(value)) return 'list';
  if (value === null) return 'NoneType';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float';
  return { string: 'str', boolean: 'bool', object: 'dict' }[typeof value as string] ?? typeof value;
}

export interface FieldOptions {
  /** Must be present (create, full update); PATCH DTOs make every field optional. */
  required?: boolean;
  nullable?: boolean;
  description?: string;
}

function field(
  options: FieldOptions,
  rules: Rule[],
  schema: ApiPropertyOptions,
): PropertyDecorator {
  const { required = false, nullable = false, description } = options;
  const checks = [
    rule('required', (value) => value !== undefined, Messages.required),
    rule('notNull', (value) => value !== null, Messages.null),
    ...rules,
  ];
  const decorators: PropertyDecorator[] = [
    ValidateIf((_, value) => (value !== undefined || required) && !(value === null && nullable)),
    ...checks.map(({ name, check, message }) =>
      ValidateBy(
        { name, validator: { validate: check } },
        {
          message: (args: ValidationArguments) =>
            typeof message === 'function' ? message(args.value) : message,
        },
      ),
    ),
    ApiProperty({
      ...schema,
      required,
      ...(nullable ? { nullable: true } : {}),
      ...(description ? { description } : {}),
    } as ApiPropertyOptions),
  ];
  return (target, property) => decorators.forEach((decorate) => decorate(target, property));
}

const isString = (value: unknown): value is string => typeof value === 'string';

export interface TextOptions extends FieldOptions {
  maxLength?: number;
  /** DRF's allow_blank: an empty (or whitespace-only) string is accepted. */
  allowBlank?: boolean;
  /** DRF's trim_whitespace (default true). */
  trim?: boolean;
  /** Further checks on the (trimmed) string. */
  rules?: Rule[];
  schema?: ApiPropertyOptions;
}

/** DRF's CharField: trimmed, no NUL characters (PostgreSQL refuses them), blank and length rules. */
export function TextField(options: TextOptions = {}): PropertyDecorator {
  const { maxLength, allowBlank = false, trim = true } = options;
  const rules = [
    rule('string', isString, Messages.string),
    rule('noNullCharacters', (value) => !(value as string).includes('\0'), NULL_CHARACTERS),
    ...(allowBlank ? [] : [rule('blank', (value) => value !== '', Messages.blank)]),
    ...(maxLength === undefined
      ? []
      : [
          rule(
            'maxLength',
            (value) => (value as string).length <= maxLength,
            Messages.maxLength(maxLength),
          ),
        ]),
    ...(options.rules ?? []),
  ];
  const trimmed = Transform(({ value }) => (typeof value === 'string' ? value.trim() : value));
  const decorate = field(options, rules, {
    type: String,
    ...(maxLength ? { maxLength } : {}),
    ...options.schema,
  });
  return (target, property) => {
    if (trim) trimmed(target, property);
    decorate(target, property);
  };
}

export function EmailField(options: FieldOptions & { maxLength: number }): PropertyDecorator {
  return TextField({
    ...options,
    allowBlank: true,
    rules: [rule('email', (value) => value === '' || isEmail(value), Messages.email)],
    schema: { format: 'email' },
  });
}

export function BooleanField(options: FieldOptions = {}): PropertyDecorator {
  return field(
    options,
    [rule('boolean', (value) => typeof value === 'boolean', Messages.boolean)],
    {
      type: Boolean,
    },
  );
}

export interface ChoiceOptions extends FieldOptions {
  /** The OpenAPI component of the enum (`UserTypeEnum`). */
  enumName: string;
}

export function ChoiceField(choices: readonly string[], options: ChoiceOptions): PropertyDecorator {
  return field(
    options,
    [rule('choice', (value) => isString(value) && choices.includes(value), Messages.choice)],
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
    [
      rule('dict', isDict, Messages.object),
      rule('storable', (value) => storableJson(value), NULL_CHARACTERS),
    ],
    { type: 'object', additionalProperties: {} },
  );
}

/** DRF's many=True related field: "Expected a list of items but got type "str"." */
const notAList = (value: unknown) =>
  `Expected a list of items but got type "${pythonTypeName(value)}".`;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (value: unknown): value is string => isString(value) && UUID.test(value);

export function UuidField(options: FieldOptions = {}): PropertyDecorator {
  return field(options, [rule('uuid', isUuid, Messages.uuid)], { type: String, format: 'uuid' });
}

/** A list of primary keys of uuid rows; their existence is checked by the service. */
export function UuidListField(options: FieldOptions = {}): PropertyDecorator {
  const firstInvalid = (value: unknown) => (value as unknown[]).find((item) => !isUuid(item));
  return field(
    options,
    [
      rule('list', Array.isArray, notAList),
      rule(
        'uuids',
        (value) => firstInvalid(value) === undefined,
        (value) => `“${String(firstInvalid(value))}” is not a valid UUID.`,
      ),
    ],
    { type: 'array', items: { type: 'string', format: 'uuid' } },
  );
}

/** DRF PrimaryKeyRelatedField's type error. */
const incorrectPkType = (value: unknown) =>
  `Incorrect type. Expected pk value, received ${pythonTypeName(value)}.`;

const isIntegerPk = (value: unknown) => typeof value === 'number' && Number.isInteger(value);

/** A list of integer primary keys; their existence is checked by the service. */
export function IntegerPkListField(options: FieldOptions = {}): PropertyDecorator {
  const firstInvalid = (value: unknown) => (value as unknown[]).find((item) => !isIntegerPk(item));
  return field(
    options,
    [
      rule('list', Array.isArray, notAList),
      rule(
        'pks',
        (value) => (value as unknown[]).every(isIntegerPk),
        (value) => incorrectPkType(firstInvalid(value)),
      ),
    ],
    { type: 'array', items: { type: 'integer' } },
  );
}

export function IntegerPkField(options: FieldOptions = {}): PropertyDecorator {
  return field(options, [rule('pk', isIntegerPk, incorrectPkType)], { type: 'integer' });
}
