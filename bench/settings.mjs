/**
 * The benchmark's settings: each one is a command-line flag (`npm run bench -- --sizes 10000`) or an
 * environment variable (`BENCH_SIZES=10000 npm run bench`); the flag wins. Defaults keep the full
 * run (10k and 1M codes) under 15 minutes on a 2-core machine.
 */
import { parseArgs } from 'node:util';

const positiveInteger = (name) => (raw) => {
  const value = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(value) || value < 1)
    throw new Error(`${name} must be a positive integer, got "${raw}"`);
  return value;
};

const positiveNumber = (name) => (raw) => {
  const value = Number(raw);
  if (!(Number.isFinite(value) && value > 0))
    throw new Error(`${name} must be a positive number, got "${raw}"`);
  return value;
};

const ratio = (name) => (raw) => {
  const value = Number(raw);
  if (!(Number.isFinite(value) && value >= 0))
    throw new Error(`${name} must be a non-negative number, got "${raw}"`);
  return value;
};

const boolean = (name) => (raw) => {
  if (/^(true|1)$/i.test(String(raw))) return true;
  if (/^(false|0|)$/i.test(String(raw))) return false;
  throw new Error(`${name} must be true or false, got "${raw}"`);
};

const list = (parseItem) => (raw) =>
  raw
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean)
    .map(parseItem);

/** flag → [environment variable, default, parser, help]. */
const SETTINGS = {
  sizes: [
    'BENCH_SIZES',
    '10000,1000000',
    list(positiveInteger('a size')),
    'authorization codes per dataset, comma-separated',
  ],
  'refresh-ratio': [
    'BENCH_REFRESH_RATIO',
    '1',
    ratio('refresh-ratio'),
    'refresh tokens seeded per authorization code',
  ],
  users: ['BENCH_USERS', '1000', positiveInteger('users'), 'users per dataset'],
  groups: ['BENCH_GROUPS', '20', positiveInteger('groups'), 'groups per dataset'],
  providers: [
    'BENCH_PROVIDERS',
    '10',
    positiveInteger('providers'),
    'OAuth2 providers per dataset',
  ],
  seed: ['BENCH_SEED', '42', positiveInteger('seed'), 'seed of the data generator'],
  duration: [
    'BENCH_DURATION',
    '5',
    positiveNumber('duration'),
    'seconds of load per scenario and server',
  ],
  warmup: ['BENCH_WARMUP', '1', positiveNumber('warmup'), 'seconds of warm-up load before each'],
  connections: [
    'BENCH_CONNECTIONS',
    '10',
    positiveInteger('connections'),
    'concurrent connections of the load generator',
  ],
  'sequential-seconds': [
    'BENCH_SEQUENTIAL_SECONDS',
    '2',
    positiveNumber('sequential-seconds'),
    'seconds of one-at-a-time requests per scenario (latency unloaded, queries per request)',
  ],
  scenarios: [
    'BENCH_SCENARIOS',
    '',
    list((id) => id),
    'only these scenario ids, comma-separated (default: all)',
  ],
  adapters: [
    'BENCH_ADAPTERS',
    'express,fastify',
    list((name) => {
      if (!['express', 'fastify'].includes(name)) throw new Error(`adapters: unknown ${name}`);
      return name;
    }),
    'HTTP adapters (HTTP_ADAPTER) compared side by side on the smallest dataset; "" for none',
  ],
  report: ['BENCH_REPORT', 'BENCHMARKS.md', (raw) => raw, 'the Markdown report to write'],
  profile: [
    'BENCH_PROFILE',
    'false',
    boolean('profile'),
    'run the service under node --cpu-prof and report where its CPU goes (slows it down)',
  ],
};

/** Flags that take no value (`--profile`); their variables take true/false or 1/0. */
const SWITCHES = new Set(['profile']);

export const USAGE = `Usage: npm run bench -- [options]

Seeds one database per dataset size, starts the service and the floor (bench/floor.mjs) on it,
checks that both answer every scenario with the same bytes, then measures them under load and
writes BENCHMARKS.md and bench/results/<timestamp>/results.json.

PostgreSQL: DATABASE_URL (scratch databases grants_bench_<size> are created and dropped on that
server), or an embedded PostgreSQL in a temporary directory.

Options (flag, environment variable, default):
${Object.entries(SETTINGS)
  .map(
    ([flag, [env, fallback, , help]]) =>
      `  --${flag.padEnd(20)} ${env.padEnd(26)} ${fallback || '(all)'}\n      ${help}`,
  )
  .join('\n')}
  -h, --help
`;

const camelCase = (flag) => flag.replace(/-(\w)/g, (_, c) => c.toUpperCase());

/** The settings from `argv` and `env`; null for --help. Throws an Error naming a bad value. */
export function readSettings(argv = process.argv.slice(2), env = process.env) {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      ...Object.fromEntries(
        Object.keys(SETTINGS).map((flag) => [
          flag,
          { type: SWITCHES.has(flag) ? 'boolean' : 'string' },
        ]),
      ),
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return null;
  const settings = {};
  for (const [flag, [name, fallback, parse]] of Object.entries(SETTINGS)) {
    settings[camelCase(flag)] = parse(values[flag] ?? env[name] ?? fallback);
  }
  if (settings.sizes.length === 0) throw new Error('sizes must name at least one dataset size');
  return settings;
}
