/**
 * fast-check generators of hostile query strings: valid parameters mixed with huge, negative and
 * float numbers, repeated keys, `a[]=` / `a[b]=` syntax, SQL metacharacters, unicode (astral, RTL,
 * combining), NUL and control characters, 10 kB values, broken percent-encoding, empty values and
 * unknown keys. A query is built as raw text: the test decides every byte of the request line.
 */
import fc from 'fast-check';

/** Bytes a request line may carry unencoded (printable ASCII); `#` would start a fragment. */
const RAW_SAFE = /^[\x21-\x7e]$/;
const NEVER_RAW = new Set(['%', '&', '=', '+', '#']);

/**
 * Percent-encodes `text` as UTF-8 (lone surrogates become U+FFFD, as any encoder must), leaving
 * printable ASCII raw where `keepRaw` says so; a space is `+` or `%20`.
 */
export function encode(
  text: string,
  keepRaw: (char: string, index: number) => boolean = () => false,
) {
  let out = '';
  let index = 0;
  for (const char of text) {
    if (/^[A-Za-z0-9._~-]$/.test(char)) out += char;
    else if (char === ' ' && keepRaw(char, index)) out += '+';
    else if (RAW_SAFE.test(char) && !NEVER_RAW.has(char) && keepRaw(char, index)) out += char;
    else
      out += [...Buffer.from(char, 'utf8')]
        .map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`)
        .join('');
    index++;
  }
  return out;
}

/** An encoding of `text`: plain, with some characters left raw, or every character escaped. */
export const encoded = (text: fc.Arbitrary<string>): fc.Arbitrary<string> =>
  fc.tuple(text, fc.integer({ min: 0, max: 3 })).map(([value, style]) => {
    if (style === 0) return encode(value);
    if (style === 1) return encode(value, () => true);
    if (style === 2) return encode(value, (_, i) => i % 2 === 0);
    // Every character escaped, unreserved ones included: `user` as `%75%73%65%72`.
    return [...Buffer.from(value, 'utf8')]
      .map((b) => `%${b.toString(16).padStart(2, '0')}`)
      .join('');
  });

const SQL = [
  "'",
  '"',
  "' OR '1'='1",
  "1' OR 1=1 --",
  '1; DROP TABLE users; --',
  "'); DELETE FROM authorization_codes; --",
  '%',
  '_',
  '%_%',
  '\\',
  '\\%',
  '\\\\',
  '$1',
  ':user',
  ':...visible_g_id',
  '/*',
  '*/',
  '--',
  'UNION SELECT client_secret FROM oauth2_providers',
  'pg_sleep(5)',
  '1::int',
  "E'\\x00'",
  '[]',
  '{}',
  'null',
  'undefined',
  'NaN',
];

const UNICODE = [
  '\u202e', // right-to-left override
  '\u200f', // right-to-left mark
  'שלום',
  'مرحبا',
  'e\u0301', // e + combining acute
  'a\u0300\u0301\u0302\u0303',
  '😀',
  '𝔘𝔫𝔦',
  '\ufeff',
  '\ufffd',
  '\u2028',
  'İ',
  'ẞ',
  'ß',
  'Σ',
  'K', // Kelvin sign
  '名前',
  '\u3000',
  '\u00a0',
];

const CONTROL = [
  '\0',
  '\u0001',
  '\u0007',
  '\b',
  '\t',
  '\n',
  '\r',
  '\u001b',
  '\u001f',
  '\u007f',
  '\u0085',
];

/** Text meant to break parsers, SQL and encoders (decoded form). */
export const hostileText: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...SQL),
  fc.constantFrom(...UNICODE),
  fc.constantFrom(...CONTROL),
  fc.string({ unit: 'grapheme', maxLength: 8 }),
  fc.string({ unit: 'binary', maxLength: 6 }),
  fc.string({ unit: fc.constantFrom(...CONTROL, ...UNICODE, 'a', '1'), maxLength: 6 }),
  fc
    .array(fc.constantFrom(...SQL, ...UNICODE, ...CONTROL, 'pk', '1', 'a'), { maxLength: 4 })
    .map((parts) => parts.join('')),
);

/** Numbers the parsers of page, page_size and the filters must survive. */
export const hostileNumber: fc.Arbitrary<string> = fc.oneof(
  fc.bigInt({ min: -(10n ** 40n), max: 10n ** 40n }).map(String),
  fc.integer({ min: -5, max: 5 }).map(String),
  fc.double().map(String),
  fc.constantFrom(
    '2147483647',
    '2147483648',
    '9223372036854775807',
    '9223372036854775808',
    '-9223372036854775809',
    '18446744073709551616',
    '9'.repeat(40),
    '1e3',
    '1E+21',
    '0x10',
    '0b1',
    '1.0',
    '1.5',
    '-0',
    '+1',
    ' 1',
    '1 ',
    '1_0',
    '١',
    '１',
    'Infinity',
    '-Infinity',
    'NaN',
  ),
);

/** Broken percent-encoding, already in raw form. */
export const brokenEncoding: fc.Arbitrary<string> = fc
  .array(
    fc.constantFrom(
      '%',
      '%z',
      '%zz',
      '%2',
      '%%',
      '%%41',
      '%C0%AF',
      '%C0',
      '%E2%82',
      '%ED%A0%80',
      '%F0%9F%98',
      '%FF%FE',
      '%EF%BB%BF',
      '%00',
      '%0',
      '%+',
      '+',
      'a',
      '1',
      'pk',
    ),
    { minLength: 1, maxLength: 5 },
  )
  .map((parts) => parts.join(''));

/** Some 10 kB values, raw (unreserved characters): the request line stays within Node's limit. */
export const hugeValue: fc.Arbitrary<string> = fc.constantFrom(
  'a'.repeat(10_240),
  '9'.repeat(10_240),
  `${'1'.repeat(5_000)}.${'5'.repeat(5_000)}`,
  `-${'pk,'.repeat(3_400)}`,
  `${'%41'.repeat(3_400)}`,
  `${'%zz'.repeat(3_400)}`,
);

export interface Vocabulary {
  /** The parameters the endpoint reads, each with generators of plausible (often valid) values. */
  values: Record<string, fc.Arbitrary<string>>;
}

const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty'];

/** A raw `key[=value]` pair for an endpoint of vocabulary `vocabulary`. */
function rawPair(vocabulary: Vocabulary): fc.Arbitrary<string> {
  const known = Object.keys(vocabulary.values);
  const keyAndValue = fc.constantFrom(...known).chain((key) =>
    fc.tuple(
      fc.oneof(
        { weight: 8, arbitrary: fc.constant(key) },
        { weight: 1, arbitrary: encoded(fc.constant(key)) },
        {
          weight: 3,
          arbitrary: encoded(
            fc.constantFrom(
              `${key}[]`,
              `${key}[0]`,
              `${key}[a]`,
              `${key}[${key}]`,
              key.toUpperCase(),
              `${key}\0`,
              ` ${key}`,
              `${key}.`,
            ),
          ),
        },
      ),
      fc.oneof(
        { weight: 8, arbitrary: encoded(vocabulary.values[key]!) },
        { weight: 2, arbitrary: encoded(hostileText) },
        { weight: 2, arbitrary: encoded(hostileNumber) },
        { weight: 2, arbitrary: brokenEncoding },
        { weight: 1, arbitrary: fc.constant('') },
      ),
      fc.boolean(),
    ),
  );
  const unknown = fc.tuple(
    fc.oneof(
      fc.constantFrom(
        ...PROTOTYPE_KEYS,
        'a[]',
        'a[b]',
        'a[b][c]',
        'format',
        'limit',
        'offset',
        'id',
      ),
      encoded(hostileText),
      brokenEncoding,
    ),
    fc.oneof(encoded(hostileText), encoded(hostileNumber), brokenEncoding, fc.constant('')),
    fc.boolean(),
  );
  return fc
    .oneof({ weight: 5, arbitrary: keyAndValue }, { weight: 1, arbitrary: unknown })
    .map(([key, value, withEquals]) => (value === '' && !withEquals ? key : `${key}=${value}`));
}

/**
 * A raw query string (without `?`): up to 10 pairs, occasionally an empty pair or a trailing `&`,
 * and at most one 10 kB value so the request line stays under Node's header size limit.
 */
export function hostileQuery(vocabulary: Vocabulary): fc.Arbitrary<string> {
  const known = Object.keys(vocabulary.values);
  return fc
    .tuple(
      fc.array(rawPair(vocabulary), { maxLength: 10 }),
      fc.option(
        fc
          .tuple(fc.constantFrom(...known, 'junk'), hugeValue, fc.nat())
          .map(([key, value, at]) => ({ pair: `${key}=${value}`, at })),
        { freq: 12 },
      ),
      fc.constantFrom('', '', '', '&', '&&'),
    )
    .map(([pairs, huge, glue]) => {
      const all = [...pairs];
      if (huge) all.splice(huge.at % (all.length + 1), 0, huge.pair);
      return `${glue}${all.join(glue === '&&' ? '&&' : '&')}${glue === '&' ? '&' : ''}`;
    });
}

/** `ordering` values: allowed terms, unknown ones, signs, spaces and junk, comma-separated. */
export const orderingValue = (allowed: readonly string[]): fc.Arbitrary<string> =>
  fc
    .array(
      fc.oneof(
        {
          weight: 6,
          arbitrary: fc.constantFrom(...allowed).chain((t) => fc.constantFrom(t, `-${t}`)),
        },
        {
          weight: 2,
          arbitrary: fc.constantFrom(
            '',
            ' pk',
            'pk ',
            '\tpk',
            '--pk',
            '+pk',
            'PK',
            'g.id',
            'id',
            'name',
            'expires;DROP TABLE users',
            'user__username',
            '__proto__',
            'constructor',
            '-',
            '?',
          ),
        },
        { weight: 1, arbitrary: hostileText },
      ),
      { maxLength: 5 },
    )
    .map((terms) => terms.join(','));

/** `page` values: valid pages, `last`, and what must be a 404. */
export const pageValue: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 1, max: 4 }).map(String) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      'last',
      'LAST',
      'Last',
      '',
      '0',
      '-1',
      '01',
      '0002',
      '00000000000000000000001',
      '1.0',
      'first',
      'last ',
    ),
  },
  { weight: 2, arbitrary: hostileNumber },
);

/** `page_size` values: small and large sizes, and what must fall back to the default. */
export const pageSizeValue: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 1, max: 25 }).map(String) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '0',
      '100',
      '101',
      '150',
      '007',
      '0000000000000000000005',
      '',
      '-5',
      '2.5',
      'ten',
    ),
  },
  { weight: 2, arbitrary: hostileNumber },
);

/** `include_groups` / `include_users` values. */
export const flagValue: fc.Arbitrary<string> = fc.constantFrom(
  'true',
  'TRUE',
  'True',
  'false',
  'False',
  '0',
  '1',
  'yes',
  '',
  ' true',
  'true\0',
);

/** A random-case variant of a substring of one of `texts` (search terms that match something). */
export const substringOf = (texts: readonly string[]): fc.Arbitrary<string> =>
  fc
    .tuple(fc.constantFrom(...texts), fc.nat(), fc.nat(), fc.boolean())
    .map(([text, a, b, upper]) => {
      const start = a % Math.max(1, text.length);
      const piece = text.slice(start, start + 1 + (b % 6));
      return upper ? piece.toUpperCase() : piece;
    });

/** An id from `ids`, sometimes zero-padded (`007` is 7). */
export const idValue = (ids: readonly number[]): fc.Arbitrary<string> =>
  fc
    .tuple(fc.constantFrom(...ids), fc.constantFrom(0, 0, 0, 1, 3, 20))
    .map(([id, zeros]) => `${'0'.repeat(zeros)}${id}`);

/** `text` cut to `max` characters, saying how long it was. */
const cut = (text: string, max = 300) =>
  text.length <= max ? text : `${text.slice(0, max)}…(${text.length} chars)`;

/**
 * fast-check settings whose failure report stays readable: long generated values (10 kB query
 * strings) are cut, and the seed and path to replay the failure are kept.
 */
export function propertyRuns<T>(numRuns: number, seed?: number): fc.Parameters<T> {
  return {
    numRuns,
    seed,
    reporter: (details) => {
      if (!details.failed) return;
      const example = JSON.stringify(details.counterexample, (_, value: unknown) =>
        typeof value === 'string' ? cut(value) : value,
      );
      const error = details.errorInstance;
      const message = error instanceof Error ? error.message : String(error);
      throw new Error(
        `Property failed after ${details.numRuns} run(s), ${details.numShrinks} shrink(s)\n` +
          `replay: FC_SEED=${details.seed} (path ${details.counterexamplePath})\n` +
          `counterexample: ${cut(example, 2000)}\n${cut(message, 4000)}`,
      );
    },
  };
}
