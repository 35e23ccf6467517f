import { ApiProperty, type ApiPropertyOptions } from '@nestjs/swagger';
import { ValidateBy, ValidateIf, type ValidationArguments } from 'class-validator';
import { Messages } from '../../common/validation/messages.js';
import { NULL_CHARACTERS } from '../../common/validation/query-rules.js';

/*
 * Body field decorators with DRF's semantics, for the request DTOs of the providers and
 * applications APIs. One decorator per field carries presence, type, constraints and the OpenAPI
 * property. Checks run in the order given and stop at the first failure (the ValidationPipe
 * validates bodies with stopAtFirstError), so a field reports one message, as DRF does.
 *
 * Unlike class-validator's IsOptional, an optional field skips validation only when absent:
 * `null` is checked (DRF: "This field may not be null.") so it never reaches a NOT NULL column.
 */

type Check = (value: unknown) => boolean;
type Message = string | ((value: unknown) => string);

export interface Rule {
  name: string;
  check: Check;
  message: Message;
}

export const rule = (name: string, check: Check, message: Message): Rule => ({
  name,
  check,
  message,
});

/** Python's type names, as DRF puts them in messages (`received str`). */
export function pythonTypeName(value: unknown): string {
  if (Array.isArray(value)) return 'list';
  if (value === null) return 'NoneType';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float';
  return { string: 'str', boolean: 'bool', object: 'dict' }[typeof value as string] ?? typeof value;
}

export interface FieldOptions {
  /** Must be present (create, full update); a partial update leaves every field optional. */
  required?: boolean;
  nullable?: boolean;
  /** OpenAPI description. */
  description?: string;
}

function field(
  options: FieldOptions,
  rules: Rule[],
  schema: ApiPropertyOptions,
): PropertyDecorator {
  const { required = false, nullable = false, description } = options;
  const decorators: PropertyDecorator[] = [
    ValidateIf((_, value) => (value !== undefined || required) && !(value === null && nullable)),
    ...[
      rule('required', (value) => value !== undefined, Messages.required),
      rule('notNull', (value) => value !== null, Messages.null),
      ...rules,
    ].map(({ name, check, message }) =>
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

/** DRF's ListField / many=True message (more precise than Messages.list). */
const notAList = (value: unknown) =>
  `Expected a list of items but got type "${pythonTypeName(value)}".`;

const isString = (value: unknown): value is string => typeof value === 'string';

export interface TextOptions extends FieldOptions {
  maxLength?: number;
  /** DRF's allow_blank: an empty (or whitespace-only) string is accepted. */
  allowBlank?: boolean;
  /** Further checks on the string, after type, NUL characters, blank and length. */
  rules?: Rule[];
  schema?: ApiPropertyOptions;
}

export function TextField(options: TextOptions = {}): PropertyDecorator {
  const { maxLength, allowBlank = false } = options;
  const rules = [
    rule('string', isString, Messages.string),
    rule('noNullCharacters', (value) => !(value as string).includes('\0'), NULL_CHARACTERS),
    ...(allowBlank
      ? []
      : [rule('blank', (value) => (value as string).trim() !== '', Messages.blank)]),
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
  return field(options, rules, {
    type: String,
    ...(maxLength ? { maxLength } : {}),
    ...options.schema,
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

const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const isUuid = (value: unknown) => isString(value) && UUID.test(value);

export function UuidField(options: FieldOptions = {}): PropertyDecorator {
  return field(options, [rule('uuid', isUuid, Messages.uuid)], { type: String, format: 'uuid' });
}

export function UuidListField(options: FieldOptions = {}): PropertyDecorator {
  return field(
    options,
    [
      rule('list', Array.isArray, notAList),
      rule('uuids', (value) => (value as unknown[]).every(isUuid), Messages.uuid),
    ],
    { type: [String], format: 'uuid' },
  );
}

export interface ChoiceOptions extends FieldOptions {
  /** The OpenAPI component of the enum (`ClientTypeEnum`). */
  enumName: string;
}

export function ChoiceField(choices: readonly string[], options: ChoiceOptions): PropertyDecorator {
  return field(
    options,
    [rule('choice', (value) => isString(value) && choices.includes(value), Messages.choice)],
    { enum: choices, enumName: options.enumName },
  );
}

/** DRF PrimaryKeyRelatedField's type error; existence is checked by the service, on the rows. */
export const incorrectPkType = (value: unknown) =>
  `Incorrect type. Expected pk value, received ${pythonTypeName(value)}.`;

const MAX_INT4 = 2 ** 31 - 1;
/** A JSON integer that can be a SERIAL primary key (larger ones name nothing). */
export const isIntegerPk = (value: unknown) => typeof value === 'number' && Number.isInteger(value);
export const isStorableIntegerPk = (value: number) => value >= 1 && value <= MAX_INT4;

export function IntegerPkField(options: FieldOptions = {}): PropertyDecorator {
  return field(options, [rule('pk', isIntegerPk, incorrectPkType)], { type: 'integer' });
}

export function IntegerPkListField(options: FieldOptions = {}): PropertyDecorator {
  return field(
    options,
    [
      rule('list', Array.isArray, notAList),
      rule(
        'pks',
        (value) => (value as unknown[]).every(isIntegerPk),
        (value) => incorrectPkType((value as unknown[]).find((item) => !isIntegerPk(item))),
      ),
    ],
    { type: 'integer', isArray: true },
  );
}
