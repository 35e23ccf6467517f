/** Python's name for a JSON value's type, as DRF puts it in messages (`got type "str"`). */
export function pythonTypeName(value: unknown): string {
  if (Array.isArray(value)) return 'list';
  if (value === null) return 'NoneType';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float';
  return { string: 'str', boolean: 'bool', object: 'dict' }[typeof value as string] ?? typeof value;
}

/** Django REST framework's field messages, so that 400 bodies read as authentik's do. */
export const Messages = {
  required: 'This field is required.',
  blank: 'This field may not be blank.',
  null: 'This field may not be null.',
  string: 'Not a valid string.',
  boolean: 'Must be a valid boolean.',
  integer: 'A valid integer is required.',
  email: 'Enter a valid email address.',
  uuid: 'Must be a valid UUID.',
  url: 'Enter a valid URL.',
  slug: 'Enter a valid "slug" consisting of letters, numbers, underscores or hyphens.',
  dateTime:
    'Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].',
  object: 'Expected a dictionary of items.',
  list: (value: unknown) => `Expected a list of items but got type "${pythonTypeName(value)}".`,
  /** Django's UUIDField, for a malformed key in a list of related objects. */
  invalidUuid: (value: unknown) => `“${String(value)}” is not a valid UUID.`,
  pkType: (value: unknown) =>
    `Incorrect type. Expected pk value, received ${pythonTypeName(value)}.`,
  maxLength: (max: number) => `Ensure this field has no more than ${max} characters.`,
  choice: (value: unknown) => `"${String(value)}" is not a valid choice.`,
  doesNotExist: (pk: unknown) => `Invalid pk "${String(pk)}" - object does not exist.`,
  unique: (model: string, field: string) => `${model} with this ${field} already exists.`,
} as const;
