import type { IncomingMessage, ServerResponse } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { startRequestTimer } from '../common/http/http-hardening.js';
import { answerJson, OidcDispatcher } from './oidc-dispatcher.js';

/**
 * The engine's routes on each HTTP adapter, mounted by src/common/http before the body parsers
 * (and after the security headers and the request timer). An application without OidcModule
 * (a host app mounting GrantsApiModule alone) passes every request on.
 */
function dispatcherOf(app: INestApplication): () => OidcDispatcher | undefined {
  let dispatcher: OidcDispatcher | null | undefined;
  return () => {
    if (dispatcher === undefined) {
      try {
        dispatcher = app.get(OidcDispatcher, { strict: false });
      } catch {
        dispatcher = null;
      }
    }
    return dispatcher ?? undefined;
  };
}

/** Express middleware: `/application/o/…` requests go to the engine, others on. */
export function oidcExpressMiddleware(app: INestApplication) {
  const dispatcher = dispatcherOf(app);
  return (request: IncomingMessage, response: ServerResponse, next: () => void) => {
    const route = dispatcher()?.route(request.url);
    if (!route) return next();
    void dispatcher()!.handle(request, response, route);
  };
}

/**
 * Fastify onRequest hook (before Fastify reads the body): the reply is hijacked and the engine
 * answers on the raw response. The adapter's request timer answers through `reply`, which a
 * hijacked reply ignores: the engine's requests get a timer of their own.
 */
export function oidcFastifyHook(app: INestApplication, requestTimeoutMs: number) {
  const dispatcher = dispatcherOf(app);
  return (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => {
    const route = dispatcher()?.route(request.raw.url);
    if (!route) return done();
    void reply.hijack();
    startRequestTimer(request.raw, reply.raw, requestTimeoutMs, (error) =>
      answerJson(reply.raw, error),
    );
    void dispatcher()!.handle(request.raw, reply.raw, route);
    done();
  };
}
