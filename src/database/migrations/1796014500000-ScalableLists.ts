import type { MigrationInterface, QueryRunner } from 'typeorm';

const GRANT_TABLES = ['authorization_codes', 'access_tokens', 'refresh_tokens'];

/**
 * Lists that stay flat as the grant tables grow (issue 6):
 * - exact row counts per grant table and provider, kept by statement-level triggers in the same
 *   transaction as the change (so a count is as consistent as the rows it describes), spread
 *   over 16 shards per provider (by backend) so that concurrent logins do not queue on one row;
 * - (expires, id) indexes for ordering by expiry (and for the cleanup's range scans), replacing
 *   the partial expiry indexes;
 * - trigram indexes for the case-insensitive substring search over users and providers.
 */
export class ScalableLists1796014500000 implements MigrationInterface {
  name = 'ScalableLists1796014500000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE grant_counts (
        grant_table text NOT NULL,
        provider_id integer NOT NULL,
        shard smallint NOT NULL,
        n bigint NOT NULL,
        CONSTRAINT grant_counts_pkey PRIMARY KEY (grant_table, provider_id, shard)
      )`);
    await queryRunner.query(`
      CREATE FUNCTION grant_counts_add() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO grant_counts AS c (grant_table, provider_id, shard, n)
        SELECT TG_TABLE_NAME, provider_id, pg_backend_pid() % 16, count(*)
        FROM new_rows GROUP BY provider_id ORDER BY provider_id
        ON CONFLICT (grant_table, provider_id, shard) DO UPDATE SET n = c.n + excluded.n;
        RETURN NULL;
      END $$`);
    await queryRunner.query(`
      CREATE FUNCTION grant_counts_subtract() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO grant_counts AS c (grant_table, provider_id, shard, n)
        SELECT TG_TABLE_NAME, provider_id, pg_backend_pid() % 16, -count(*)
        FROM old_rows GROUP BY provider_id ORDER BY provider_id
        ON CONFLICT (grant_table, provider_id, shard) DO UPDATE SET n = c.n + excluded.n;
        RETURN NULL;
      END $$`);
    await queryRunner.query(`
      CREATE FUNCTION grant_counts_move() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO grant_counts AS c (grant_table, provider_id, shard, n)
        SELECT TG_TABLE_NAME, provider_id, pg_backend_pid() % 16, sum(delta) FROM (
          SELECT o.provider_id, -1 AS delta FROM old_rows o JOIN new_rows n ON n.id = o.id
            WHERE n.provider_id <> o.provider_id
          UNION ALL
          SELECT n.provider_id, 1 FROM old_rows o JOIN new_rows n ON n.id = o.id
            WHERE n.provider_id <> o.provider_id
        ) moved GROUP BY provider_id ORDER BY provider_id
        ON CONFLICT (grant_table, provider_id, shard) DO UPDATE SET n = c.n + excluded.n;
        RETURN NULL;
      END $$`);
    await queryRunner.query(`
      CREATE FUNCTION grant_counts_reset() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        DELETE FROM grant_counts WHERE grant_table = TG_TABLE_NAME;
        RETURN NULL;
      END $$`);
    for (const table of GRANT_TABLES) {
      await queryRunner.query(`
        CREATE TRIGGER ${table}_count_insert AFTER INSERT ON ${table}
        REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION grant_counts_add()`);
      await queryRunner.query(`
        CREATE TRIGGER ${table}_count_delete AFTER DELETE ON ${table}
        REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION grant_counts_subtract()`);
      await queryRunner.query(`
        CREATE TRIGGER ${table}_count_update AFTER UPDATE ON ${table}
        REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION grant_counts_move()`);
      await queryRunner.query(`
        CREATE TRIGGER ${table}_count_truncate AFTER TRUNCATE ON ${table}
        FOR EACH STATEMENT EXECUTE FUNCTION grant_counts_reset()`);
      // Rows that exist already, under shard 0; taken under a lock so that none is missed.
      await queryRunner.query(`LOCK TABLE ${table} IN SHARE MODE`);
      await queryRunner.query(`
        INSERT INTO grant_counts (grant_table, provider_id, shard, n)
        SELECT '${table}', provider_id, 0, count(*) FROM ${table} GROUP BY provider_id`);
      await queryRunner.query(`DROP INDEX IF EXISTS ${table}_expiry_idx`);
      await queryRunner.query(`CREATE INDEX ${table}_expires_idx ON ${table} (expires, id)`);
    }
    await queryRunner.query('CREATE EXTENSION IF NOT EXISTS pg_trgm');
    await queryRunner.query(`
      CREATE INDEX users_search_trgm_idx ON users
      USING gin (username gin_trgm_ops, name gin_trgm_ops, email gin_trgm_ops)`);
    await queryRunner.query(`
      CREATE INDEX oauth2_providers_search_trgm_idx ON oauth2_providers
      USING gin (name gin_trgm_ops, client_id gin_trgm_ops)`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX oauth2_providers_search_trgm_idx');
    await queryRunner.query('DROP INDEX users_search_trgm_idx');
    for (const table of GRANT_TABLES) {
      await queryRunner.query(`DROP INDEX ${table}_expires_idx`);
      await queryRunner.query(
        `CREATE INDEX ${table}_expiry_idx ON ${table} (expires) WHERE expiring`,
      );
      for (const event of ['insert', 'delete', 'update', 'truncate']) {
        await queryRunner.query(`DROP TRIGGER ${table}_count_${event} ON ${table}`);
      }
    }
    for (const fn of ['add', 'subtract', 'move', 'reset']) {
      await queryRunner.query(`DROP FUNCTION grant_counts_${fn}()`);
    }
    await queryRunner.query('DROP TABLE grant_counts');
    // pg_trgm stays: other objects of the database may use it.
  }
}
