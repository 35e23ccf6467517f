import type { MigrationInterface, QueryRunner } from 'typeorm';

/** revoked_at for the refresh-token retention window, and partial indexes for the expired-grant cleanup. */

export class GrantCleanup1796013216358 implements MigrationInterface {
  name = 'GrantCleanup1796013216358';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            ALTER TABLE "access_tokens"
            ADD "revoked_at" TIMESTAMP WITH TIME ZONE
        `);
    await queryRunner.query(`
            ALTER TABLE "refresh_tokens"
            ADD "revoked_at" TIMESTAMP WITH TIME ZONE
        `);
    await queryRunner.query(`
            CREATE INDEX "access_tokens_expiry_idx" ON "access_tokens" ("expires")
            WHERE expiring
        `);
    await queryRunner.query(`
            CREATE INDEX "authorization_codes_expiry_idx" ON "authorization_codes" ("expires")
            WHERE expiring
        `);
    await queryRunner.query(`
            CREATE INDEX "refresh_tokens_expiry_idx" ON "refresh_tokens" ("expires")
            WHERE expiring
        `);
    await queryRunner.query(`
            CREATE INDEX "refresh_tokens_revoked_at_idx" ON "refresh_tokens" ("revoked_at")
            WHERE revoked
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            DROP INDEX "public"."refresh_tokens_revoked_at_idx"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."refresh_tokens_expiry_idx"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."authorization_codes_expiry_idx"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."access_tokens_expiry_idx"
        `);
    await queryRunner.query(`
            ALTER TABLE "refresh_tokens" DROP COLUMN "revoked_at"
        `);
    await queryRunner.query(`
            ALTER TABLE "access_tokens" DROP COLUMN "revoked_at"
        `);
  }
}
