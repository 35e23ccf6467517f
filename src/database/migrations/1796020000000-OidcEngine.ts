import type { MigrationInterface, QueryRunner } from 'typeorm';

const GRANT_TABLES = ['authorization_codes', 'access_tokens', 'refresh_tokens'];

/**
 * Storage of the OAuth2/OIDC engine (issue 9, src/oidc):
 * - on the grant tables, the engine's grant id (what one authorization produced, so that a
 *   replayed code or refresh token revokes all of it) and its model payload (never the value);
 * - `oidc_records`, a key-value table with expiry for every other engine model (sessions,
 *   interactions, grants, consumed codes), cleaned by the expired-grant job.
 * Plain ADD COLUMN / CREATE TABLE: the grant counters' triggers are untouched.
 */
export class OidcEngine1796020000000 implements MigrationInterface {
  name = 'OidcEngine1796020000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    for (const table of GRANT_TABLES) {
      await queryRunner.query(
        `ALTER TABLE ${table} ADD COLUMN grant_id text NULL, ADD COLUMN engine_payload jsonb NULL`,
      );
      await queryRunner.query(`CREATE INDEX ${table}_grant_id_idx ON ${table} (grant_id)`);
    }
    await queryRunner.query(`
      CREATE TABLE oidc_records (
        model text NOT NULL,
        id text NOT NULL,
        provider_id integer NULL,
        payload jsonb NOT NULL,
        grant_id text NULL,
        uid text NULL,
        user_code text NULL,
        expires_at timestamptz NULL,
        consumed_at timestamptz NULL,
        CONSTRAINT oidc_records_pkey PRIMARY KEY (model, id),
        CONSTRAINT oidc_records_provider_id_fkey FOREIGN KEY (provider_id)
          REFERENCES oauth2_providers (id) ON DELETE CASCADE
      )`);
    await queryRunner.query(
      'CREATE INDEX oidc_records_provider_id_idx ON oidc_records (provider_id)',
    );
    await queryRunner.query('CREATE INDEX oidc_records_grant_id_idx ON oidc_records (grant_id)');
    await queryRunner.query('CREATE INDEX oidc_records_uid_idx ON oidc_records (uid)');
    await queryRunner.query(
      'CREATE INDEX oidc_records_expires_at_idx ON oidc_records (expires_at)',
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE oidc_records');
    for (const table of GRANT_TABLES) {
      await queryRunner.query(`DROP INDEX ${table}_grant_id_idx`);
      await queryRunner.query(
        `ALTER TABLE ${table} DROP COLUMN grant_id, DROP COLUMN engine_payload`,
      );
    }
  }
}
