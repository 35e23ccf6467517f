import { ConfigurableModuleBuilder, Module, type DynamicModule, type Type } from '@nestjs/common';
import { MODULE_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { RouterModule } from '@nestjs/core';
import { TypeOrmModule, type TypeOrmModuleOptions } from '@nestjs/typeorm';
import { ApplicationsModule } from './applications/applications.module.js';
import { BootstrapModule } from './bootstrap/bootstrap.module.js';
import { ACCESS_KEY } from './common/auth/access-rule.js';
import { AuthModule } from './common/auth/auth.module.js';
import { CryptoModule } from './common/crypto/crypto.module.js';
import { ListPaginator } from './common/pagination/list-paginator.js';
import { APP_CONFIG } from './config/config.module.js';
import { buildDataSourceOptions } from './database/data-source-options.js';
import { GrantsModule } from './grants/grants.module.js';
import {
  DEFAULT_ROUTE_PREFIX,
  GRANTS_API_OPTIONS,
  resolveGrantsApiConfig,
  type GrantsApiExtras,
  type GrantsApiOptions,
} from './grants-api.options.js';
import { GroupsModule } from './groups/groups.module.js';
import { InstallModule } from './install/install.module.js';
import { OAuth2ProvidersModule } from './oauth2-providers/oauth2-providers.module.js';
import { RbacModule } from './rbac/rbac.module.js';
import { TokensModule } from './tokens/tokens.module.js';
import { UsersModule } from './users/users.module.js';

/** Every feature module, as `GrantsApiModule.forRoot` mounts them unless told otherwise. */
export const GRANTS_API_FEATURES: Type<unknown>[] = [
  GrantsModule,
  UsersModule,
  GroupsModule,
  RbacModule,
  OAuth2ProvidersModule,
  ApplicationsModule,
  TokensModule,
];

const isModuleClass = (value: unknown): value is Type<unknown> => typeof value === 'function';

/** `features` and the modules they import that declare controllers: what the prefix applies to. */
function modulesWithRoutes(features: Type<unknown>[]): Type<unknown>[] {
  const seen = new Set<Type<unknown>>();
  const visit = (module: Type<unknown>) => {
    if (seen.has(module)) return;
    seen.add(module);
    const imports: unknown[] = Reflect.getMetadata(MODULE_METADATA.IMPORTS, module) ?? [];
    imports.filter(isModuleClass).forEach(visit);
  };
  features.forEach(visit);
  return [...seen].filter((module) => controllersOf(module).length > 0);
}

function controllersOf(module: Type<unknown>): Type<unknown>[] {
  return Reflect.getMetadata(MODULE_METADATA.CONTROLLERS, module) ?? [];
}

/** A controller's methods, inherited ones included (Nest routes those too); no getters. */
function methodsOf(controller: Type<unknown>): Map<string, unknown> {
  const methods = new Map<string, unknown>();
  for (let p = controller.prototype; p && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
    for (const [name, descriptor] of Object.entries(Object.getOwnPropertyDescriptors(p))) {
      if (name !== 'constructor' && !methods.has(name)) methods.set(name, descriptor.value);
    }
  }
  return methods;
}

/**
 * No guard is global in a host application, so a route of ours without `@Access` (or `@Public`)
 * would be open: refuse to start instead.
 */
function assertEveryRouteDeclaresAccess(modules: Type<unknown>[]): void {
  const open: string[] = [];
  for (const controller of modules.flatMap(controllersOf)) {
    if (Reflect.hasMetadata(ACCESS_KEY, controller)) continue;
    for (const [name, handler] of methodsOf(controller)) {
      if (typeof handler !== 'function' || !Reflect.hasMetadata(PATH_METADATA, handler)) continue;
      if (!Reflect.hasMetadata(ACCESS_KEY, handler)) open.push(`${controller.name}.${name}`);
    }
  }
  if (open.length > 0) {
    throw new Error(`GrantsApiModule: routes without an @Access rule: ${open.join(', ')}`);
  }
}

/** Our own connection (no `dataSource` given): our entities and migrations only. */
function ownConnection(options: GrantsApiOptions): TypeOrmModuleOptions {
  if (!options.databaseUrl) {
    throw new Error(
      "GrantsApiModule: give databaseUrl (our own connection) or dataSource: 'default' (the host's)",
    );
  }
  return {
    ...buildDataSourceOptions(options.databaseUrl, options.database),
    migrationsRun: options.migrateOnStart ?? true,
    // Fail start-up quickly and clearly rather than retrying for half a minute.
    retryAttempts: 2,
    retryDelay: 1_000,
  };
}

/**
 * The whole module: the options (static, or from forRootAsync's factory) and the configuration
 * derived from them, authentication, the feature modules under the route prefix. Global, so that
 * the feature modules, and host modules using our decorators, find the configuration and the
 * principal service; every other provider stays in its feature module.
 */
function mount(definition: DynamicModule, extras: GrantsApiExtras): DynamicModule {
  const features = extras.features ?? GRANTS_API_FEATURES;
  const routed = modulesWithRoutes(features);
  assertEveryRouteDeclaresAccess(routed);
  return {
    ...definition,
    global: true,
    imports: [
      ...(definition.imports ?? []),
      ...(extras.dataSource === 'default'
        ? []
        : [
            TypeOrmModule.forRootAsync({ inject: [GRANTS_API_OPTIONS], useFactory: ownConnection }),
          ]),
      CryptoModule,
      InstallModule,
      AuthModule,
      BootstrapModule,
      ...features,
      ...(extras.routePrefix
        ? [RouterModule.register([{ path: extras.routePrefix, children: routed }])]
        : []),
    ],
    providers: [
      ...(definition.providers ?? []),
      { provide: APP_CONFIG, inject: [GRANTS_API_OPTIONS], useFactory: resolveGrantsApiConfig },
      ListPaginator,
    ],
    exports: [GRANTS_API_OPTIONS, APP_CONFIG, ListPaginator, ...features],
  };
}

const { ConfigurableModuleClass } = new ConfigurableModuleBuilder<GrantsApiOptions>({
  optionsInjectionToken: GRANTS_API_OPTIONS,
})
  .setClassMethodName('forRoot')
  .setExtras<GrantsApiExtras>(
    { routePrefix: DEFAULT_ROUTE_PREFIX, dataSource: undefined, features: undefined },
    mount,
  )
  .build();

/**
 * The grants API in a Nest application: `GrantsApiModule.forRoot({ secretKey, dataSource:
 * 'default' })`, or `forRootAsync({ imports, inject, useFactory, dataSource })`. See README.md,
 * "Use it from your Nest app".
 */
@Module({})
export class GrantsApiModule extends ConfigurableModuleClass {}
