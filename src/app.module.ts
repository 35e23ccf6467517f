import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';
import { TypeOrmModule } from '@nestjs/typeorm';
import { RequireAccessRuleGuard } from './common/auth/access-rule.guard.js';
import { ErrorsFilter } from './common/errors/errors.filter.js';
import { ThrottlingModule } from './common/throttling/throttling.module.js';
import type { RuntimeConfig } from './config/config.js';
import { buildDataSourceOptions, type DatabaseTuning } from './database/data-source-options.js';
import { GrantsApiModule } from './grants-api.module.js';
import { HealthModule } from './health/health.module.js';
import { LoggingModule } from './logging/logging.module.js';
import { OidcModule } from './oidc/oidc.module.js';
import { SignInModule } from './sign-in/sign-in.module.js';
import { SigningKeysModule } from './signing-keys/signing-keys.module.js';

/**
 * The standalone service: GrantsApiModule on the application's own connection, plus what only
 * the service has (logging, the connection, the scheduler, rate limits, health probes). Our routes
 * get their `/api/v3` from the global prefix (app.factory.ts), so GrantsApiModule adds none.
 * `database` tunes the pool or SQL logging (tests, benchmarks).
 */
@Module({})
export class AppModule {
  static forRoot(config: RuntimeConfig, database: DatabaseTuning = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        LoggingModule.forRoot(config.logLevel),
        TypeOrmModule.forRoot({
          ...buildDataSourceOptions(config.databaseUrl, database),
          migrationsRun: config.migrateOnStart,
          // Fail start-up quickly and clearly rather than retrying for half a minute.
          retryAttempts: 2,
          retryDelay: 1_000,
        }),
        ScheduleModule.forRoot(),
        // Global, so it runs before the AuthGuard that @Access binds to each route.
        ThrottlingModule.forRoot(config),
        // The whole configuration is the module's APP_CONFIG: rate limits read theirs there too.
        GrantsApiModule.forRoot({ ...config, dataSource: 'default', routePrefix: '' }),
        HealthModule,
        SignInModule,
        SigningKeysModule,
        OidcModule,
      ],
      providers: [
        // Every route here is ours: one without an access rule is refused, and every error,
        // wherever raised (unknown routes, health probes), gets the contract's body.
        { provide: APP_GUARD, useClass: RequireAccessRuleGuard },
        { provide: APP_FILTER, useClass: ErrorsFilter },
      ],
    };
  }
}
