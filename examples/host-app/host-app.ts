import type { INestApplication, LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { HostAppModule, type HostAppOptions } from './host-app.module.js';

/** The host's bootstrap: its own logger and global prefix; our routes end up under /admin/api/v3. */
export async function createHostApp(
  options: HostAppOptions & { logger?: LoggerService },
): Promise<INestApplication> {
  const app = await NestFactory.create(HostAppModule.forRoot(options), {
    logger: options.logger,
    abortOnError: false,
  });
  app.setGlobalPrefix('admin');
  await app.init();
  return app;
}
