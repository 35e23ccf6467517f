/** Primary keys as the tables hold them: SERIAL integers and UUIDs. */

/** PostgreSQL's int4, the range of a SERIAL column: other numbers name no row. */
const MAX_INT4 = 2 ** 31 - 1;

export const isStorableIntegerPk = (value: number) => value >= 1 && value <= MAX_INT4;

/** A UUID in its hyphenated form, in either case. */
export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isUuid = (value: unknown): value is string =>
  typeof value === 'string' && UUID_PATTERN.test(value);
