import type { DynamicModule, INestApplication, NestApplicationOptions } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import type { AppConfig } from '../../config/config.js';
import type { DetailError } from '../errors/api-errors.js';
import { installExpressFallbacks } from '../errors/express-fallbacks.js';
import { answerClientError, payloadTooLarge } from '../errors/http-layer-errors.js';
import { oidcExpressMiddleware } from '../../oidc/oidc-http.js';
import { corsOptions, setResponseHeaders, startRequestTimer } from './http-hardening.js';

/** The bodies Express reads (below); others are never read, whatever their size. */
const PARSED_TYPES = ['application/json', 'application/x-www-form-urlencoded'];

/** The application on Express, with the hardening of http-hardening.ts, before its routes. */
export async function createExpressApp(
  module: DynamicModule,
  config: Pick<AppConfig, 'http' | 'trustProxy'>,
  options: NestApplicationOptions,
): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(module, options);
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);
  app.getHttpServer().on('clientError', answerClientError);
  // First, as on Fastify: preflights are answered before anything else, errors carry the headers.
  const cors = corsOptions(config.http.corsOrigins);
  if (cors) app.enableCors(cors);
  const limit = config.http.bodyLimitBytes;
  app.use((request: Request, response: Response, next: NextFunction) => {
    setResponseHeaders(request, response);
    const answer = (error: DetailError) => response.status(error.status).json(error.body());
    startRequestTimer(request, response, config.http.requestTimeoutMs, answer);
    // A body announced larger than the limit is refused now, as Fastify does, rather than once
    // body-parser has read (and dropped) all of it. The connection is closed after.
    if (Number(request.headers['content-length']) > limit && request.is(PARSED_TYPES)) {
      response.setHeader('Connection', 'close');
      return answer(payloadTooLarge());
    }
    next();
  });
  // The OAuth2/OIDC engine's paths: it reads its own bodies, so before the parsers.
  app.use(oidcExpressMiddleware(app));
  // Not strict: a body like `42` reaches the validation pipe, which answers it as DRF does.
  // Compressed bodies are refused (415) rather than inflated: no decompression bombs.
  app.useBodyParser('json', { limit, strict: false, inflate: false });
  app.useBodyParser('urlencoded', { limit, extended: true, inflate: false });
  return app;
}

/** After `app.init()`: the answers for what no route took. */
export async function finishExpressApp(app: INestApplication): Promise<void> {
  installExpressFallbacks(app);
}
