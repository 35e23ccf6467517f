import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import type { LogLevel } from '../config/config.js';

const REQUEST_ID = /^[\w.-]{1,64}$/;

/** A caller's X-Request-Id when it is a plain token, else a new id. */
export function requestIdOf(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
}

/** Matched routes Express does not note on the request itself (Fastify: src/common/http). */
const routes = new WeakMap<IncomingMessage, string>();
export const noteRoute = (req: IncomingMessage, route: string | undefined) => {
  if (route) routes.set(req, route);
};
const routeOf = (req: IncomingMessage) =>
  (req as IncomingMessage & { route?: { path?: string } }).route?.path ?? routes.get(req);

/** Secrets never reach a log line, whatever the level. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  '*.client_secret',
  '*.key',
  '*.password',
];

/** The levels at which the per-request lines (info) are written. */
const REQUEST_LINE_LEVELS = new Set<LogLevel>(['trace', 'debug', 'info']);

/** Where log lines go: stdout unless set; the tests set it to capture them (test/support). */
export const logDestination: { stream?: DestinationStream } = {};

/** Structured JSON logs; one line per request with its id, method, route, status and duration. */
@Module({})
export class LoggingModule {
  static forRoot(level: LogLevel): DynamicModule {
    return {
      module: LoggingModule,
      imports: [
        LoggerModule.forRoot({
          pinoHttp: {
            level,
            stream: logDestination.stream,
            redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
            // Reuse a caller's X-Request-Id when it is a plain token; echo the id back. (Fastify
            // gives each request its id itself, with requestIdOf, and echoes it.)
            genReqId: (req: IncomingMessage, res: ServerResponse) => {
              const id = requestIdOf(req);
              res.setHeader('X-Request-Id', id);
              return id;
            },
            // Called when the request starts and again for the completion line; the matched
            // route is only known (and only logged) by then.
            // pino-http makes one more child logger for any object, even an empty one (its types
            // ask for an object; it accepts none).
            customProps: (req: IncomingMessage, res: ServerResponse) =>
              (res.writableEnded ? { route: routeOf(req) } : undefined) as object,
            // The request lines are written at info: above it, they are not even prepared.
            autoLogging: REQUEST_LINE_LEVELS.has(level),
            serializers: {
              req: (req: { id: string; method: string; url: string }) => ({
                id: req.id,
                method: req.method,
                // The query string may carry search terms about people: keep the path only.
                url: req.url.split('?')[0],
              }),
              res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
            },
            customSuccessMessage: (req, res, responseTime) =>
              `${req.method} ${req.url?.split('?')[0]} ${res.statusCode} ${Math.round(responseTime)}ms`,
            customErrorMessage: (req, res) =>
              `${req.method} ${req.url?.split('?')[0]} ${res.statusCode}`,
          },
        }),
      ],
    };
  }
}
