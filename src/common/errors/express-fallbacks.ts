import type { INestApplication } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';

/**
 * Nest answers unknown routes only under the global prefix, and errors raised outside its
 * handlers (e.g. in the schema route) would reach Express's HTML error page. These two run last,
 * after every route, so that every answer stays a contract body.
 */
export function installExpressFallbacks(app: INestApplication): void {
  app.use((_request: Request, response: Response) => {
    response.status(404).json({ detail: 'Not found.' });
  });
  app.use((error: unknown, _request: Request, response: Response, next: NextFunction) => {
    if (response.headersSent) return next(error);
    const status = (error as { status?: unknown }).status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      response.status(status).json({ detail: (error as Error).message });
    } else {
      response.status(500).json({ detail: 'A server error occurred.' });
    }
  });
}
