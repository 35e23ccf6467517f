import { METHODS, type IncomingHttpHeaders } from 'node:http';
import querystring from 'node:querystring';
import type { DynamicModule, INestApplication, NestApplicationOptions } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance, RouteOptions } from 'fastify';
import qs from 'qs';
import type { AppConfig } from '../../config/config.js';
import { noteRoute, requestIdOf } from '../../logging/logging.module.js';
import { oidcFastifyHook } from '../../oidc/oidc-http.js';
import { answerFrameworkError } from '../errors/fastify-fallbacks.js';
import { answerClientError, fromHttpLayer } from '../errors/http-layer-errors.js';
import { corsOptions, isApiPath, setResponseHeaders, startRequestTimer } from './http-hardening.js';

/**
 * The application on Fastify, answering exactly as on Express (src/common/http/express.ts): same
 * routes and trailing slashes, same query and body parsing, same headers and error bodies.
 */
export async function createFastifyApp(
  module: DynamicModule,
  config: Pick<AppConfig, 'http' | 'trustProxy'>,
  options: NestApplicationOptions,
): Promise<INestApplication> {
  const adapter = new ExpressRoutingFastifyAdapter({
    bodyLimit: config.http.bodyLimitBytes,
    trustProxy: trustedProxies(config.trustProxy),
    // The request id of the logs (src/logging): the caller's X-Request-Id when plain, else new.
    genReqId: requestIdOf,
    clientErrorHandler: answerClientError,
    frameworkErrors: answerFrameworkError,
    // Express goes on serving the connections it has while it closes; so does this.
    return503OnClosing: false,
    routerOptions: {
      // Express's routing: `/users` and `/users/` are one route, `/API/V3` is `/api/v3`.
      ignoreTrailingSlash: true,
      caseSensitive: false,
      // Express has no limit of its own; a parameter is bounded by the header size (16 kB).
      maxParamLength: 16 * 1024,
      // Express's "simple" query parser: repeated keys give arrays, `a[b]=1` is the key `a[b]`.
      querystringParser: (text: string) => querystring.parse(text),
    },
  });
  const app = await NestFactory.create<NestFastifyApplication>(module, adapter, {
    ...options,
    bodyParser: false,
  });
  const fastify = app.getHttpAdapter().getInstance() as FastifyInstance;
  fastify.addHook('onRequest', (request, reply, done) => {
    reply.raw.setHeader('X-Request-Id', request.id);
    noteRoute(request.raw, request.routeOptions.url);
    setResponseHeaders(request.raw, reply.raw);
    startRequestTimer(request.raw, reply.raw, config.http.requestTimeoutMs, (error) => {
      void reply.code(error.status).send(error.body());
    });
    done();
  });
  // The OAuth2/OIDC engine's paths, answered before Fastify reads (and parses) the body.
  fastify.addHook('onRequest', oidcFastifyHook(app, config.http.requestTimeoutMs));
  // As on Express: `no-store` on the API even where @fastify/static (Swagger UI's assets) would
  // set its own Cache-Control, and text sent as a string names its charset.
  fastify.addHook('onSend', (request, reply, payload, done) => {
    if (isApiPath(request.raw.url)) void reply.header('Cache-Control', 'no-store');
    const type = reply.getHeader('content-type');
    if (typeof payload === 'string' && typeof type === 'string' && TEXT.test(type)) {
      void reply.header('Content-Type', `${type}; charset=utf-8`);
    }
    done(null, payload);
  });
  const cors = corsOptions(config.http.corsOrigins);
  // Like Express's cors: every OPTIONS is a preflight, answered 204 (not 400 when incomplete).
  if (cors) app.enableCors({ ...cors, strictPreflight: false });
  registerBodyParsers(fastify);
  return app;
}

/** A text type without a charset. */
const TEXT = /^(text\/[\w.+-]+|application\/javascript)\s*$/i;

/**
 * Nest's `@All()` route (OtherMethodsNotAllowed, declared after a controller's other routes)
 * claims every method of its path on Fastify, which then refuses the methods those routes hold
 * already. Express tries routes in order, so the `@All()` route only ever gets the methods the
 * others do not serve (HEAD goes to GET): here it is registered for exactly those. Every method
 * Node parses is routable, as on Express (Fastify knows fewer by default).
 */
class ExpressRoutingFastifyAdapter extends FastifyAdapter {
  override all(...args: unknown[]): unknown {
    const fastify = this.getInstance<FastifyInstance>();
    for (const method of METHODS) {
      if (method !== 'CONNECT' && !fastify.supportedMethods.includes(method)) {
        fastify.addHttpMethod(method, { hasBody: true });
      }
    }
    const routing = fastify as unknown as { route(options: RouteOptions): unknown };
    const route = routing.route;
    routing.route = (options) =>
      route.call(fastify, {
        ...options,
        method: [options.method]
          .flat()
          .filter((method) => !fastify.hasRoute({ method, url: options.url })),
      });
    try {
      return super.all(...args);
    } finally {
      routing.route = route;
    }
  }
}

/**
 * TRUST_PROXY as Express reads it. Fastify reads a hop count differently (it trusts no hop at
 * all), so the count becomes the function Express makes of it: the n nearest hops are proxies.
 */
function trustedProxies(trust: AppConfig['trustProxy']) {
  return typeof trust === 'number' ? (_address: string, hop: number) => hop < trust : trust;
}

/**
 * After `app.init()`: Nest's not-found and error handlers already cover every route; Fastify
 * loads its plugins and builds its routes, so that the server answers even when it is started
 * without `app.listen()` (the tests hand it to supertest).
 */
export async function finishFastifyApp(app: INestApplication): Promise<void> {
  await (app.getHttpAdapter().getInstance() as FastifyInstance).ready();
}

function charsetOf(headers: IncomingHttpHeaders): string | undefined {
  const match = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(headers['content-type'] ?? '');
  return match?.[1]?.toLowerCase();
}

/** Compressed bodies are refused, as on Express (no decompression bombs). */
function refuseEncoded(headers: IncomingHttpHeaders): void {
  const encoding = (headers['content-encoding'] ?? 'identity').toLowerCase();
  if (encoding !== 'identity') throw fromHttpLayer(415, 'content encoding unsupported');
}

function decode(body: Buffer, charset: string, accepted: (charset: string) => boolean): string {
  if (!accepted(charset)) {
    throw fromHttpLayer(415, `unsupported charset "${charset.toUpperCase()}"`);
  }
  try {
    return new TextDecoder(charset).decode(body);
  } catch {
    throw fromHttpLayer(415, `unsupported charset "${charset.toUpperCase()}"`);
  }
}

/**
 * The bodies Express's parsers read (body-parser: JSON, not strict; forms, extended), with the
 * same results and messages; any other content type is left unread, as Express leaves it. Fastify
 * applies the size limit (413) while it reads.
 */
function registerBodyParsers(fastify: FastifyInstance): void {
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser(
    'application/json',
    { parseAs: 'buffer' },
    (request, body: Buffer, done) => {
      try {
        refuseEncoded(request.headers);
        const text = decode(body, charsetOf(request.headers) ?? 'utf-8', (c) =>
          c.startsWith('utf-'),
        );
        // An empty body is `{}`, as body-parser has it.
        done(null, text.length === 0 ? {} : JSON.parse(text));
      } catch (error) {
        done(error instanceof SyntaxError ? fromHttpLayer(400, error.message) : (error as Error));
      }
    },
  );
  fastify.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'buffer' },
    (request, body: Buffer, done) => {
      try {
        refuseEncoded(request.headers);
        const charset = charsetOf(request.headers) ?? 'utf-8';
        const text = decode(body, charset, (c) => c === 'utf-8' || c === 'iso-8859-1');
        done(null, parseForm(text, charset));
      } catch (error) {
        done(error as Error);
      }
    },
  );
  fastify.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined));
}

const PARAMETER_LIMIT = 1000;

/** body-parser's extended form parsing (qs), with its limits. */
function parseForm(text: string, charset: string): unknown {
  if (text.length === 0) return {};
  const count = text.split('&').length;
  if (count > PARAMETER_LIMIT) throw fromHttpLayer(413, 'too many parameters');
  try {
    return qs.parse(text, {
      allowPrototypes: true,
      arrayLimit: Math.max(100, count),
      depth: 32,
      charset: charset as 'utf-8' | 'iso-8859-1',
      parameterLimit: PARAMETER_LIMIT,
      strictDepth: true,
    });
  } catch (error) {
    if (error instanceof RangeError) throw fromHttpLayer(400, 'The input exceeded the depth');
    throw error;
  }
}
