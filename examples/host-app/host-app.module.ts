import { Controller, Get, Module, type DynamicModule } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { TypeOrmModule } from '@nestjs/typeorm';
import { GRANTS_API_ENTITIES, GRANTS_API_MIGRATIONS, GrantsApiModule } from 'grants-api';
import { DeviceSession } from './device-session.entity.js';
import { DeviceSessionsController } from './device-sessions.controller.js';
import { DeviceSessions1796100000000 } from './migrations/1796100000000-DeviceSessions.js';

/** A route of the host's own, which neither our guard nor our error bodies touch. */
@Controller('health')
export class HostHealthController {
  @Get()
  health() {
    return { status: 'ok' };
  }
}

export interface HostAppOptions {
  databaseUrl: string;
  secretKey: string;
  /** Creates user akadmin with this API token at start-up. */
  bootstrapToken?: string;
}

/**
 * A host application: its own entity, migration and routes on its own TypeORM connection, which
 * the grants API shares (`dataSource: 'default'`); our routes under `api/v3`.
 */
@Module({})
export class HostAppModule {
  static forRoot(options: HostAppOptions): DynamicModule {
    return {
      module: HostAppModule,
      imports: [
        TypeOrmModule.forRoot({
          type: 'postgres',
          url: options.databaseUrl,
          entities: [...GRANTS_API_ENTITIES, DeviceSession],
          migrations: [...GRANTS_API_MIGRATIONS, DeviceSessions1796100000000],
          migrationsRun: true,
        }),
        // The grants API's expired-grant cleanup runs on the host's scheduler.
        ScheduleModule.forRoot(),
        GrantsApiModule.forRoot({
          dataSource: 'default',
          secretKey: options.secretKey,
          bootstrap: { token: options.bootstrapToken },
        }),
      ],
      controllers: [HostHealthController, DeviceSessionsController],
    };
  }
}
