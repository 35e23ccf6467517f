import type { INestApplication } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { notFound, serverError } from './api-errors.js';
import { fromHttpLayer, statusOf } from './http-layer-errors.js';

/**
 * Nest answers unknown routes only under the global prefix, and errors raised outside its
 * handlers (e.g. in the schema route) would reach Express's HTML error page. These two run last,
 * after every route, so that every answer stays a contract body.
 */
export function installExpressFallbacks(app: INestApplication): void {
  app.use((_request: Request, response: Response) => {
    const error = notFound();
    response.status(error.status).json(error.body());
  });
  app.use((error: unknown, _request: Request, response: Response, next: NextFunction) => {
    // Answered already (e.g. by the request timeout): nothing left to say.
    if (response.writableEnded) return;
    if (response.headersSent) return next(error);
    const status = statusOf(error);
    const answer = status ? fromHttpLayer(status, (error as Error).message) : serverError();
    response.status(answer.status).json(answer.body());
  });
}
