import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The host's table, after the grants API's migrations (it references their `users`). */
export class DeviceSessions1796100000000 implements MigrationInterface {
  name = 'DeviceSessions1796100000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE device_sessions (
        id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        user_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        device_name text NOT NULL,
        platform text NOT NULL,
        last_seen timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(
      'CREATE INDEX device_sessions_user_idx ON device_sessions (user_id, id)',
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE device_sessions');
  }
}
