import { RequestMethod, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module.js';
import { installExpressFallbacks } from './common/errors/express-fallbacks.js';
import type { RuntimeConfig } from './config/config.js';
import type { DatabaseTuning } from './database/data-source-options.js';
import { API_ROOT, buildOpenApiDocument, mountOpenApi } from './openapi/openapi.js';

export const VERSION = '2024.8.3';

/** The configured, initialised application, not yet listening: used by main.ts and the tests. */
export async function createApp(
  config: RuntimeConfig,
  database: DatabaseTuning = {},
): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(
    AppModule.forRoot(config, database),
    {
      bufferLogs: true,
      // Let start-up failures reach the caller (main.ts stops the embedded database, exits 1).
      abortOnError: false,
    },
  );
  app.useLogger(app.get(Logger));
  app.disable('x-powered-by');
  // Grants, users and secrets: no shared or browser cache may keep a copy.
  app.use(API_ROOT, (_request: Request, response: Response, next: NextFunction) => {
    response.setHeader('Cache-Control', 'no-store');
    next();
  });
  // Not strict: a body like `42` reaches the validation pipe, which answers it as DRF does.
  app.useBodyParser('json', { limit: '1mb', strict: false });
  app.setGlobalPrefix(API_ROOT.slice(1), {
    exclude: [
      { path: '-/health/live', method: RequestMethod.GET },
      { path: '-/health/ready', method: RequestMethod.GET },
    ],
  });
  mountOpenApi(app, buildOpenApiDocument(app, VERSION));
  // Registers every route now, so that the fallbacks below come after all of them.
  await app.init();
  installExpressFallbacks(app);
  return app;
}
