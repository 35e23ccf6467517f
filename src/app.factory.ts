import { RequestMethod, type INestApplication } from '@nestjs/common';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module.js';
import { createExpressApp, finishExpressApp } from './common/http/express.js';
import { createFastifyApp, finishFastifyApp } from './common/http/fastify.js';
import { limitServerTimes } from './common/http/http-hardening.js';
import type { RuntimeConfig } from './config/config.js';
import type { DatabaseTuning } from './database/data-source-options.js';
import { API_ROOT, buildOpenApiDocument, mountOpenApi } from './openapi/openapi.js';

export const VERSION = '2024.8.3';

/** Express or Fastify (HTTP_ADAPTER): each sets itself up in one file under src/common/http. */
const PLATFORMS = {
  express: { create: createExpressApp, finish: finishExpressApp },
  fastify: { create: createFastifyApp, finish: finishFastifyApp },
};

/** The configured, initialised application, not yet listening: used by main.ts and the tests. */
export async function createApp(
  config: RuntimeConfig,
  database: DatabaseTuning = {},
): Promise<INestApplication> {
  const platform = PLATFORMS[config.httpAdapter];
  const app = await platform.create(AppModule.forRoot(config, database), config, {
    bufferLogs: true,
    // Let start-up failures reach the caller (main.ts stops the embedded database, exits 1).
    abortOnError: false,
  });
  app.useLogger(app.get(Logger));
  app.setGlobalPrefix(API_ROOT.slice(1), {
    exclude: [
      { path: '-/health/live', method: RequestMethod.GET },
      { path: '-/health/ready', method: RequestMethod.GET },
      // The sign-in page (src/sign-in) is at authentik's path, outside the API.
      { path: 'if/flow/sign-in/:uid', method: RequestMethod.ALL },
    ],
  });
  mountOpenApi(app, buildOpenApiDocument(app, VERSION));
  // Registers every route now, so that the fallbacks below come after all of them.
  await app.init();
  await platform.finish(app);
  limitServerTimes(app.getHttpServer(), config.http.requestTimeoutMs);
  return app;
}
