import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ApplicationsModule } from './applications/applications.module.js';
import { BootstrapModule } from './bootstrap/bootstrap.module.js';
import { AuthModule } from './common/auth/auth.module.js';
import { CryptoModule } from './common/crypto/crypto.module.js';
import { ErrorsFilter } from './common/errors/errors.filter.js';
import { ValidationPipe } from './common/validation/validation.pipe.js';
import type { RuntimeConfig } from './config/config.js';
import { ConfigModule } from './config/config.module.js';
import { buildDataSourceOptions, type DatabaseTuning } from './database/data-source-options.js';
import { GroupsModule } from './groups/groups.module.js';
import { GrantsModule } from './grants/grants.module.js';
import { HealthModule } from './health/health.module.js';
import { InstallModule } from './install/install.module.js';
import { LoggingModule } from './logging/logging.module.js';
import { OAuth2ProvidersModule } from './oauth2-providers/oauth2-providers.module.js';
import { RbacModule } from './rbac/rbac.module.js';
import { TokensModule } from './tokens/tokens.module.js';
import { UsersModule } from './users/users.module.js';

/** Wires the feature modules; `database` tunes the pool or SQL logging (tests, benchmarks). */
@Module({})
export class AppModule {
  static forRoot(config: RuntimeConfig, database: DatabaseTuning = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule.forRoot(config.logLevel),
        TypeOrmModule.forRoot({
          ...buildDataSourceOptions(config.databaseUrl, database),
          migrationsRun: config.migrateOnStart,
          // Fail start-up quickly and clearly rather than retrying for half a minute.
          retryAttempts: 2,
          retryDelay: 1_000,
        }),
        ScheduleModule.forRoot(),
        CryptoModule,
        InstallModule,
        AuthModule,
        HealthModule,
        BootstrapModule,
        GrantsModule,
        UsersModule,
        GroupsModule,
        RbacModule,
        OAuth2ProvidersModule,
        ApplicationsModule,
        TokensModule,
      ],
      providers: [
        { provide: APP_FILTER, useClass: ErrorsFilter },
        { provide: APP_PIPE, useClass: ValidationPipe },
      ],
    };
  }
}
