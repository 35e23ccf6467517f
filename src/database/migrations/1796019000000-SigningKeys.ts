import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The key pairs OAuth2 providers sign their tokens with (issue 9); the service creates the defaults. */
export class SigningKeys1796019000000 implements MigrationInterface {
  name = 'SigningKeys1796019000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE TABLE "certificate_key_pairs" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "name" text NOT NULL,
                "algorithm" text NOT NULL,
                "public_jwk" jsonb NOT NULL,
                "private_key" bytea NOT NULL,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "certificate_key_pairs_pkey" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE UNIQUE INDEX "certificate_key_pairs_name_key" ON "certificate_key_pairs" ("name")
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "certificate_key_pairs"`);
  }
}
