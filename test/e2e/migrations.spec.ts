import type { DataSource } from 'typeorm';
import { MIGRATIONS } from '../../src/database/migrations/index.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

const MIGRATIONS_TABLE = 'typeorm_migrations';

/** Every table the entities map to, join tables included, and the trigger-kept grant counters. */
const APPLICATION_TABLES = [
  'access_tokens',
  'applications',
  'authorization_codes',
  'certificate_key_pairs',
  'grant_counts',
  'grant_user_counts',
  'group_roles',
  'groups',
  'install',
  'oauth2_providers',
  'oidc_records',
  'refresh_tokens',
  'role_permissions',
  'roles',
  'tokens',
  'user_groups',
  'user_roles',
  'users',
];

const ENUM_TYPES = [
  'oauth2_client_type',
  'oauth2_issuer_mode',
  'oauth2_sub_mode',
  'policy_engine_mode',
  'token_intent',
  'user_type',
];

const GRANT_TABLES = ['authorization_codes', 'access_tokens', 'refresh_tokens'];

async function tables(db: DataSource): Promise<string[]> {
  const rows: { name: string }[] = await db.query(
    `SELECT table_name AS name FROM information_schema.tables
     WHERE table_schema = 'public' AND table_name <> $1 ORDER BY 1`,
    [MIGRATIONS_TABLE],
  );
  return rows.map((row) => row.name);
}

async function enumTypes(db: DataSource): Promise<string[]> {
  const rows: { name: string }[] = await db.query(
    `SELECT t.typname AS name FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
     WHERE n.nspname = 'public' AND t.typtype = 'e' ORDER BY 1`,
  );
  return rows.map((row) => row.name);
}

async function sequences(db: DataSource): Promise<string[]> {
  const rows: { name: string }[] = await db.query(
    `SELECT sequence_name AS name FROM information_schema.sequences
     WHERE sequence_schema = 'public' AND sequence_name NOT LIKE $1 ORDER BY 1`,
    [`${MIGRATIONS_TABLE}%`],
  );
  return rows.map((row) => row.name);
}

async function appliedMigrations(db: DataSource): Promise<string[]> {
  const rows: { name: string }[] = await db.query(
    `SELECT name FROM "${MIGRATIONS_TABLE}" ORDER BY id`,
  );
  return rows.map((row) => row.name);
}

interface IndexRow {
  table: string;
  index: string;
  columns: string[];
}

/** Every index of the public schema with its key columns in order. */
async function indexes(db: DataSource): Promise<IndexRow[]> {
  return db.query(`
    SELECT c.relname AS "table", i.relname AS "index",
           array_agg(a.attname::text ORDER BY k.ord) AS columns
    FROM pg_index x
    JOIN pg_class c ON c.oid = x.indrelid
    JOIN pg_class i ON i.oid = x.indexrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace
    CROSS JOIN LATERAL unnest(x.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
    JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
    WHERE n.nspname = 'public'
    GROUP BY c.relname, i.relname
    ORDER BY 1, 2`);
}

interface ForeignKeyRow {
  table: string;
  constraint: string;
  columns: string[];
}

/** Every foreign key of the public schema with its referencing columns in order. */
async function foreignKeys(db: DataSource): Promise<ForeignKeyRow[]> {
  return db.query(`
    SELECT c.relname AS "table", con.conname AS "constraint",
           array_agg(a.attname::text ORDER BY k.ord) AS columns
    FROM pg_constraint con
    JOIN pg_class c ON c.oid = con.conrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace
    CROSS JOIN LATERAL unnest(con.conkey) WITH ORDINALITY AS k(attnum, ord)
    JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
    WHERE n.nspname = 'public' AND con.contype = 'f'
    GROUP BY c.relname, con.conname
    ORDER BY 1, 2`);
}

/** An index whose leading columns are exactly `columns` (in any order), if there is one. */
function coveringIndex(all: IndexRow[], table: string, columns: string[]): IndexRow | undefined {
  return all.find(
    (index) =>
      index.table === table &&
      index.columns.length >= columns.length &&
      [...index.columns.slice(0, columns.length)].sort().join() === [...columns].sort().join(),
  );
}

describe('migrations', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database.drop());

  it('start from a fully migrated database', async () => {
    const db = database.dataSource;
    expect(await db.showMigrations()).toBe(false);
    expect(await appliedMigrations(db)).toEqual(MIGRATIONS.map((migration) => migration.name));
    expect(await tables(db)).toEqual(APPLICATION_TABLES);
  });

  it('revert completely, leaving no tables, enum types or sequences behind', async () => {
    const db = database.dataSource;
    // Bounded: a revert that does not remove its migration row must not loop forever.
    for (let step = 0; (await appliedMigrations(db)).length > 0; step++) {
      expect(step).toBeLessThan(MIGRATIONS.length);
      await db.undoLastMigration({ transaction: 'each' });
    }
    expect(await appliedMigrations(db)).toEqual([]);
    expect(await db.showMigrations()).toBe(true);
    expect(await tables(db)).toEqual([]);
    expect(await enumTypes(db)).toEqual([]);
    expect(await sequences(db)).toEqual([]);
  });

  it('run again from scratch, creating every table and exactly one install row', async () => {
    const db = database.dataSource;
    const ran = await db.runMigrations({ transaction: 'each' });
    expect(ran.map((migration) => migration.name)).toEqual(
      MIGRATIONS.map((migration) => migration.name),
    );
    expect(await db.showMigrations()).toBe(false);
    expect(await tables(db)).toEqual(APPLICATION_TABLES);
    expect(await enumTypes(db)).toEqual(ENUM_TYPES);

    const installs: { install_id: string }[] = await db.query('SELECT install_id FROM install');
    expect(installs).toHaveLength(1);
    expect(installs[0]!.install_id).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    );
    // The singleton key forbids a second row.
    await expect(db.query('INSERT INTO install DEFAULT VALUES')).rejects.toThrow(/install_pkey/);
  });

  it('leave no drift between the entities and the migrated schema', async () => {
    const sql = await database.dataSource.driver.createSchemaBuilder().log();
    const pending = sql.upQueries.map((query) => query.query.trim());
    expect({ pending }).toEqual({ pending: [] });
  });

  it('index authorization codes by (provider_id, expires) for the list query', async () => {
    const all = await indexes(database.dataSource);
    const match = all.find(
      (index) =>
        index.table === 'authorization_codes' &&
        index.columns[0] === 'provider_id' &&
        index.columns[1] === 'expires',
    );
    expect(match).toBeDefined();
  });

  it('index every foreign key column of the grant tables', async () => {
    const db = database.dataSource;
    const all = await indexes(db);
    const keys = (await foreignKeys(db)).filter((key) => GRANT_TABLES.includes(key.table));
    // provider_id and user_id on each grant table.
    expect(keys.map((key) => `${key.table}.${key.columns.join(',')}`).sort()).toEqual(
      GRANT_TABLES.flatMap((table) => [`${table}.provider_id`, `${table}.user_id`]).sort(),
    );
    const unindexed = keys
      .filter((key) => !coveringIndex(all, key.table, key.columns))
      .map((key) => `${key.table}(${key.columns.join(', ')})`);
    expect(unindexed).toEqual([]);
  });

  it('index every foreign key column of the schema', async () => {
    const db = database.dataSource;
    const all = await indexes(db);
    const keys = await foreignKeys(db);
    expect(keys.length).toBeGreaterThan(0);
    const unindexed = keys
      .filter((key) => !coveringIndex(all, key.table, key.columns))
      .map((key) => `${key.table}(${key.columns.join(', ')}) [${key.constraint}]`);
    expect(unindexed).toEqual([]);
  });
});
