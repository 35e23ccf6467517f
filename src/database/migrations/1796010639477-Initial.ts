import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The schema of users, groups, RBAC, applications, OAuth2 providers, grants and API tokens. */
export class Initial1796010639477 implements MigrationInterface {
  name = 'Initial1796010639477';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE TYPE "public"."oauth2_client_type" AS ENUM('confidential', 'public')
        `);
    await queryRunner.query(`
            CREATE TYPE "public"."oauth2_sub_mode" AS ENUM(
                'hashed_user_id',
                'user_id',
                'user_uuid',
                'user_username',
                'user_email',
                'user_upn'
            )
        `);
    await queryRunner.query(`
            CREATE TYPE "public"."oauth2_issuer_mode" AS ENUM('global', 'per_provider')
        `);
    await queryRunner.query(`
            CREATE TABLE "oauth2_providers" (
                "id" SERIAL NOT NULL,
                "name" text NOT NULL,
                "authentication_flow" uuid,
                "authorization_flow" uuid,
                "invalidation_flow" uuid,
                "property_mappings" uuid array NOT NULL DEFAULT '{}',
                "client_type" "public"."oauth2_client_type" NOT NULL DEFAULT 'confidential',
                "client_id" character varying(255) NOT NULL,
                "client_secret" character varying(255) NOT NULL DEFAULT '',
                "access_code_validity" text NOT NULL DEFAULT 'minutes=1',
                "access_token_validity" text NOT NULL DEFAULT 'hours=1',
                "refresh_token_validity" text NOT NULL DEFAULT 'days=30',
                "include_claims_in_id_token" boolean NOT NULL DEFAULT true,
                "signing_key" uuid,
                "encryption_key" uuid,
                "redirect_uris" text NOT NULL DEFAULT '',
                "sub_mode" "public"."oauth2_sub_mode" NOT NULL DEFAULT 'hashed_user_id',
                "issuer_mode" "public"."oauth2_issuer_mode" NOT NULL DEFAULT 'per_provider',
                "jwks_sources" uuid array NOT NULL DEFAULT '{}',
                "backchannel_application_id" uuid,
                CONSTRAINT "oauth2_providers_pkey" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE UNIQUE INDEX "oauth2_providers_name_key" ON "oauth2_providers" ("name")
        `);
    await queryRunner.query(`
            CREATE UNIQUE INDEX "oauth2_providers_client_id_key" ON "oauth2_providers" ("client_id")
        `);
    await queryRunner.query(`
            CREATE INDEX "oauth2_providers_backchannel_application_id_idx" ON "oauth2_providers" ("backchannel_application_id")
        `);
    await queryRunner.query(`
            CREATE TABLE "roles" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "name" text NOT NULL,
                CONSTRAINT "roles_pkey" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE UNIQUE INDEX "roles_name_key" ON "roles" ("name")
        `);
    await queryRunner.query(`
            CREATE TABLE "groups" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "name" text NOT NULL,
                "is_superuser" boolean NOT NULL DEFAULT false,
                "parent_id" uuid,
                "attributes" jsonb NOT NULL DEFAULT '{}',
                CONSTRAINT "groups_pkey" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE UNIQUE INDEX "groups_name_key" ON "groups" ("name")
        `);
    await queryRunner.query(`
            CREATE INDEX "groups_parent_id_idx" ON "groups" ("parent_id")
        `);
    await queryRunner.query(`
            CREATE TYPE "public"."user_type" AS ENUM(
                'internal',
                'external',
                'service_account',
                'internal_service_account'
            )
        `);
    await queryRunner.query(`
            CREATE TABLE "users" (
                "id" SERIAL NOT NULL,
                "uuid" uuid NOT NULL DEFAULT gen_random_uuid(),
                "username" character varying(150) NOT NULL,
                "name" text NOT NULL DEFAULT '',
                "email" character varying(254) NOT NULL DEFAULT '',
                "is_active" boolean NOT NULL DEFAULT true,
                "last_login" TIMESTAMP WITH TIME ZONE,
                "date_joined" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "password_hash" text,
                "path" text NOT NULL DEFAULT 'users',
                "type" "public"."user_type" NOT NULL DEFAULT 'internal',
                "attributes" jsonb NOT NULL DEFAULT '{}',
                CONSTRAINT "UQ_951b8f1dfc94ac1d0301a14b7e1" UNIQUE ("uuid"),
                CONSTRAINT "users_pkey" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE UNIQUE INDEX "users_username_key" ON "users" ("username")
        `);
    await queryRunner.query(`
            CREATE TABLE "access_tokens" (
                "id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
                "provider_id" integer NOT NULL,
                "user_id" integer NOT NULL,
                "expires" TIMESTAMP WITH TIME ZONE,
                "expiring" boolean NOT NULL DEFAULT true,
                "revoked" boolean NOT NULL DEFAULT false,
                "scope" text NOT NULL DEFAULT '',
                "auth_time" TIMESTAMP WITH TIME ZONE,
                "nonce" text,
                "session_id" text,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "token_digest" bytea NOT NULL,
                "id_token" jsonb,
                CONSTRAINT "PK_65140f59763ff994a0252488166" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE UNIQUE INDEX "IDX_67d0973481459b0c1ea298cba0" ON "access_tokens" ("token_digest")
        `);
    await queryRunner.query(`
            CREATE INDEX "access_tokens_user_provider_expires_idx" ON "access_tokens" ("user_id", "provider_id", "expires", "id")
        `);
    await queryRunner.query(`
            CREATE INDEX "access_tokens_provider_expires_idx" ON "access_tokens" ("provider_id", "expires", "id")
        `);
    await queryRunner.query(`
            CREATE TYPE "public"."policy_engine_mode" AS ENUM('all', 'any')
        `);
    await queryRunner.query(`
            CREATE TABLE "applications" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "name" text NOT NULL,
                "slug" character varying(50) NOT NULL,
                "provider_id" integer,
                "meta_launch_url" text NOT NULL DEFAULT '',
                "open_in_new_tab" boolean NOT NULL DEFAULT false,
                "group" text NOT NULL DEFAULT '',
                "policy_engine_mode" "public"."policy_engine_mode" NOT NULL DEFAULT 'any',
                CONSTRAINT "REL_a1ffd3a5fa8bf1a13093946f3b" UNIQUE ("provider_id"),
                CONSTRAINT "applications_pkey" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE UNIQUE INDEX "applications_slug_key" ON "applications" ("slug")
        `);
    await queryRunner.query(`
            CREATE TABLE "authorization_codes" (
                "id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
                "provider_id" integer NOT NULL,
                "user_id" integer NOT NULL,
                "expires" TIMESTAMP WITH TIME ZONE,
                "expiring" boolean NOT NULL DEFAULT true,
                "revoked" boolean NOT NULL DEFAULT false,
                "scope" text NOT NULL DEFAULT '',
                "auth_time" TIMESTAMP WITH TIME ZONE,
                "nonce" text,
                "session_id" text,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "code_digest" bytea NOT NULL,
                "code_challenge" text,
                "code_challenge_method" text,
                CONSTRAINT "PK_f05b2eb99ad2db12d87544656c4" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE UNIQUE INDEX "authorization_codes_code_digest_key" ON "authorization_codes" ("code_digest")
        `);
    await queryRunner.query(`
            CREATE INDEX "authorization_codes_user_provider_expires_idx" ON "authorization_codes" ("user_id", "provider_id", "expires", "id")
        `);
    await queryRunner.query(`
            CREATE INDEX "authorization_codes_provider_expires_idx" ON "authorization_codes" ("provider_id", "expires", "id")
        `);
    await queryRunner.query(`
            CREATE TABLE "install" (
                "singleton" boolean NOT NULL DEFAULT true,
                "install_id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "install_pkey" PRIMARY KEY ("singleton")
            )
        `);
    await queryRunner.query(`
            CREATE TABLE "refresh_tokens" (
                "id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
                "provider_id" integer NOT NULL,
                "user_id" integer NOT NULL,
                "expires" TIMESTAMP WITH TIME ZONE,
                "expiring" boolean NOT NULL DEFAULT true,
                "revoked" boolean NOT NULL DEFAULT false,
                "scope" text NOT NULL DEFAULT '',
                "auth_time" TIMESTAMP WITH TIME ZONE,
                "nonce" text,
                "session_id" text,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "token_digest" bytea NOT NULL,
                "id_token" jsonb,
                CONSTRAINT "PK_7d8bee0204106019488c4c50ffa" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE UNIQUE INDEX "IDX_c250d03eb9a2fb544a58a5cb06" ON "refresh_tokens" ("token_digest")
        `);
    await queryRunner.query(`
            CREATE INDEX "refresh_tokens_user_provider_expires_idx" ON "refresh_tokens" ("user_id", "provider_id", "expires", "id")
        `);
    await queryRunner.query(`
            CREATE INDEX "refresh_tokens_provider_expires_idx" ON "refresh_tokens" ("provider_id", "expires", "id")
        `);
    await queryRunner.query(`
            CREATE TABLE "role_permissions" (
                "id" SERIAL NOT NULL,
                "role_id" uuid NOT NULL,
                "app_label" text NOT NULL,
                "codename" text NOT NULL,
                "model" text NOT NULL DEFAULT '',
                "object_pk" text NOT NULL DEFAULT '',
                CONSTRAINT "role_permissions_pkey" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "role_permissions_role_id_idx" ON "role_permissions" ("role_id")
        `);
    await queryRunner.query(`
            CREATE INDEX "role_permissions_lookup_idx" ON "role_permissions" ("app_label", "codename", "model", "object_pk")
        `);
    await queryRunner.query(`
            CREATE UNIQUE INDEX "role_permissions_unique" ON "role_permissions" (
                "role_id",
                "app_label",
                "codename",
                "model",
                "object_pk"
            )
        `);
    await queryRunner.query(`
            CREATE TYPE "public"."token_intent" AS ENUM(
                'verification',
                'api',
                'recovery',
                'app_password'
            )
        `);
    await queryRunner.query(`
            CREATE TABLE "tokens" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "identifier" character varying(255) NOT NULL,
                "intent" "public"."token_intent" NOT NULL DEFAULT 'verification',
                "user_id" integer NOT NULL,
                "description" text NOT NULL DEFAULT '',
                "expires" TIMESTAMP WITH TIME ZONE,
                "expiring" boolean NOT NULL DEFAULT true,
                "managed" text,
                "key_digest" bytea NOT NULL,
                "key_ciphertext" bytea NOT NULL,
                CONSTRAINT "tokens_pkey" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE UNIQUE INDEX "tokens_identifier_key" ON "tokens" ("identifier")
        `);
    await queryRunner.query(`
            CREATE INDEX "tokens_user_id_idx" ON "tokens" ("user_id")
        `);
    await queryRunner.query(`
            CREATE UNIQUE INDEX "tokens_key_digest_key" ON "tokens" ("key_digest")
        `);
    await queryRunner.query(`
            CREATE TABLE "group_roles" (
                "group_id" uuid NOT NULL,
                "role_id" uuid NOT NULL,
                CONSTRAINT "PK_31cb33278c5d3f7aed58766840a" PRIMARY KEY ("group_id", "role_id")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "IDX_0f428ea82b51ea6c795689cdb8" ON "group_roles" ("group_id")
        `);
    await queryRunner.query(`
            CREATE INDEX "IDX_35d4b5f7da6e1a9a730c3621ec" ON "group_roles" ("role_id")
        `);
    await queryRunner.query(`
            CREATE TABLE "user_groups" (
                "user_id" integer NOT NULL,
                "group_id" uuid NOT NULL,
                CONSTRAINT "PK_c95039f66f5d7a452fc53945bfe" PRIMARY KEY ("user_id", "group_id")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "IDX_95bf94c61795df25a515435010" ON "user_groups" ("user_id")
        `);
    await queryRunner.query(`
            CREATE INDEX "IDX_4c5f2c23c34f3921fbad2cd394" ON "user_groups" ("group_id")
        `);
    await queryRunner.query(`
            CREATE TABLE "user_roles" (
                "user_id" integer NOT NULL,
                "role_id" uuid NOT NULL,
                CONSTRAINT "PK_23ed6f04fe43066df08379fd034" PRIMARY KEY ("user_id", "role_id")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "IDX_87b8888186ca9769c960e92687" ON "user_roles" ("user_id")
        `);
    await queryRunner.query(`
            CREATE INDEX "IDX_b23c65e50a758245a33ee35fda" ON "user_roles" ("role_id")
        `);
    await queryRunner.query(`
            ALTER TABLE "oauth2_providers"
            ADD CONSTRAINT "oauth2_providers_backchannel_application_id_fkey" FOREIGN KEY ("backchannel_application_id") REFERENCES "applications"("id") ON DELETE
            SET NULL ON UPDATE NO ACTION
        `);
    await queryRunner.query(`
            ALTER TABLE "groups"
            ADD CONSTRAINT "groups_parent_id_fkey" FOREIGN KEY ("parent_id") REFERENCES "groups"("id") ON DELETE
            SET NULL ON UPDATE NO ACTION
        `);
    await queryRunner.query(`
            ALTER TABLE "access_tokens"
            ADD CONSTRAINT "FK_e62c8bd4c4370ba371b4b902878" FOREIGN KEY ("provider_id") REFERENCES "oauth2_providers"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
    await queryRunner.query(`
            ALTER TABLE "access_tokens"
            ADD CONSTRAINT "FK_09ee750a035b06e0c7f0704687e" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
    await queryRunner.query(`
            ALTER TABLE "applications"
            ADD CONSTRAINT "applications_provider_id_fkey" FOREIGN KEY ("provider_id") REFERENCES "oauth2_providers"("id") ON DELETE
            SET NULL ON UPDATE NO ACTION
        `);
    await queryRunner.query(`
            ALTER TABLE "authorization_codes"
            ADD CONSTRAINT "FK_d99fe8d025a259aaef3dbbc8ed2" FOREIGN KEY ("provider_id") REFERENCES "oauth2_providers"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
    await queryRunner.query(`
            ALTER TABLE "authorization_codes"
            ADD CONSTRAINT "FK_68f8ccfda6bb17fb159cc965cce" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
    await queryRunner.query(`
            ALTER TABLE "refresh_tokens"
            ADD CONSTRAINT "FK_d35720dc4770c4be6bd110d617d" FOREIGN KEY ("provider_id") REFERENCES "oauth2_providers"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
    await queryRunner.query(`
            ALTER TABLE "refresh_tokens"
            ADD CONSTRAINT "FK_3ddc983c5f7bcf132fd8732c3f4" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
    await queryRunner.query(`
            ALTER TABLE "role_permissions"
            ADD CONSTRAINT "role_permissions_role_id_fkey" FOREIGN KEY ("role_id") REFERENCES "roles"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
    await queryRunner.query(`
            ALTER TABLE "tokens"
            ADD CONSTRAINT "tokens_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
    await queryRunner.query(`
            ALTER TABLE "group_roles"
            ADD CONSTRAINT "group_roles_group_id_fkey" FOREIGN KEY ("group_id") REFERENCES "groups"("id") ON DELETE CASCADE ON UPDATE CASCADE
        `);
    await queryRunner.query(`
            ALTER TABLE "group_roles"
            ADD CONSTRAINT "group_roles_role_id_fkey" FOREIGN KEY ("role_id") REFERENCES "roles"("id") ON DELETE CASCADE ON UPDATE CASCADE
        `);
    await queryRunner.query(`
            ALTER TABLE "user_groups"
            ADD CONSTRAINT "user_groups_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE
        `);
    await queryRunner.query(`
            ALTER TABLE "user_groups"
            ADD CONSTRAINT "user_groups_group_id_fkey" FOREIGN KEY ("group_id") REFERENCES "groups"("id") ON DELETE CASCADE ON UPDATE CASCADE
        `);
    await queryRunner.query(`
            ALTER TABLE "user_roles"
            ADD CONSTRAINT "user_roles_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE
        `);
    await queryRunner.query(`
            ALTER TABLE "user_roles"
            ADD CONSTRAINT "user_roles_role_id_fkey" FOREIGN KEY ("role_id") REFERENCES "roles"("id") ON DELETE CASCADE ON UPDATE CASCADE
        `);
    await queryRunner.query(`INSERT INTO "install" DEFAULT VALUES`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            ALTER TABLE "user_roles" DROP CONSTRAINT "user_roles_role_id_fkey"
        `);
    await queryRunner.query(`
            ALTER TABLE "user_roles" DROP CONSTRAINT "user_roles_user_id_fkey"
        `);
    await queryRunner.query(`
            ALTER TABLE "user_groups" DROP CONSTRAINT "user_groups_group_id_fkey"
        `);
    await queryRunner.query(`
            ALTER TABLE "user_groups" DROP CONSTRAINT "user_groups_user_id_fkey"
        `);
    await queryRunner.query(`
            ALTER TABLE "group_roles" DROP CONSTRAINT "group_roles_role_id_fkey"
        `);
    await queryRunner.query(`
            ALTER TABLE "group_roles" DROP CONSTRAINT "group_roles_group_id_fkey"
        `);
    await queryRunner.query(`
            ALTER TABLE "tokens" DROP CONSTRAINT "tokens_user_id_fkey"
        `);
    await queryRunner.query(`
            ALTER TABLE "role_permissions" DROP CONSTRAINT "role_permissions_role_id_fkey"
        `);
    await queryRunner.query(`
            ALTER TABLE "refresh_tokens" DROP CONSTRAINT "FK_3ddc983c5f7bcf132fd8732c3f4"
        `);
    await queryRunner.query(`
            ALTER TABLE "refresh_tokens" DROP CONSTRAINT "FK_d35720dc4770c4be6bd110d617d"
        `);
    await queryRunner.query(`
            ALTER TABLE "authorization_codes" DROP CONSTRAINT "FK_68f8ccfda6bb17fb159cc965cce"
        `);
    await queryRunner.query(`
            ALTER TABLE "authorization_codes" DROP CONSTRAINT "FK_d99fe8d025a259aaef3dbbc8ed2"
        `);
    await queryRunner.query(`
            ALTER TABLE "applications" DROP CONSTRAINT "applications_provider_id_fkey"
        `);
    await queryRunner.query(`
            ALTER TABLE "access_tokens" DROP CONSTRAINT "FK_09ee750a035b06e0c7f0704687e"
        `);
    await queryRunner.query(`
            ALTER TABLE "access_tokens" DROP CONSTRAINT "FK_e62c8bd4c4370ba371b4b902878"
        `);
    await queryRunner.query(`
            ALTER TABLE "groups" DROP CONSTRAINT "groups_parent_id_fkey"
        `);
    await queryRunner.query(`
            ALTER TABLE "oauth2_providers" DROP CONSTRAINT "oauth2_providers_backchannel_application_id_fkey"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."IDX_b23c65e50a758245a33ee35fda"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."IDX_87b8888186ca9769c960e92687"
        `);
    await queryRunner.query(`
            DROP TABLE "user_roles"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."IDX_4c5f2c23c34f3921fbad2cd394"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."IDX_95bf94c61795df25a515435010"
        `);
    await queryRunner.query(`
            DROP TABLE "user_groups"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."IDX_35d4b5f7da6e1a9a730c3621ec"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."IDX_0f428ea82b51ea6c795689cdb8"
        `);
    await queryRunner.query(`
            DROP TABLE "group_roles"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."tokens_key_digest_key"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."tokens_user_id_idx"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."tokens_identifier_key"
        `);
    await queryRunner.query(`
            DROP TABLE "tokens"
        `);
    await queryRunner.query(`
            DROP TYPE "public"."token_intent"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."role_permissions_unique"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."role_permissions_lookup_idx"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."role_permissions_role_id_idx"
        `);
    await queryRunner.query(`
            DROP TABLE "role_permissions"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."refresh_tokens_provider_expires_idx"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."refresh_tokens_user_provider_expires_idx"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."IDX_c250d03eb9a2fb544a58a5cb06"
        `);
    await queryRunner.query(`
            DROP TABLE "refresh_tokens"
        `);
    await queryRunner.query(`
            DROP TABLE "install"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."authorization_codes_provider_expires_idx"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."authorization_codes_user_provider_expires_idx"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."authorization_codes_code_digest_key"
        `);
    await queryRunner.query(`
            DROP TABLE "authorization_codes"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."applications_slug_key"
        `);
    await queryRunner.query(`
            DROP TABLE "applications"
        `);
    await queryRunner.query(`
            DROP TYPE "public"."policy_engine_mode"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."access_tokens_provider_expires_idx"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."access_tokens_user_provider_expires_idx"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."IDX_67d0973481459b0c1ea298cba0"
        `);
    await queryRunner.query(`
            DROP TABLE "access_tokens"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."users_username_key"
        `);
    await queryRunner.query(`
            DROP TABLE "users"
        `);
    await queryRunner.query(`
            DROP TYPE "public"."user_type"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."groups_parent_id_idx"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."groups_name_key"
        `);
    await queryRunner.query(`
            DROP TABLE "groups"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."roles_name_key"
        `);
    await queryRunner.query(`
            DROP TABLE "roles"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."oauth2_providers_backchannel_application_id_idx"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."oauth2_providers_client_id_key"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."oauth2_providers_name_key"
        `);
    await queryRunner.query(`
            DROP TABLE "oauth2_providers"
        `);
    await queryRunner.query(`
            DROP TYPE "public"."oauth2_issuer_mode"
        `);
    await queryRunner.query(`
            DROP TYPE "public"."oauth2_sub_mode"
        `);
    await queryRunner.query(`
            DROP TYPE "public"."oauth2_client_type"
        `);
  }
}
