import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type Provider from 'oidc-provider';
import proxyaddr from 'proxy-addr';
import { sha256 } from '../common/crypto/digest.js';
import {
  DetailError,
  methodNotAllowed,
  notFound,
  serverError,
} from '../common/errors/api-errors.js';
import { payloadTooLarge } from '../common/errors/http-layer-errors.js';
import type { RuntimeConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { requestIdOf } from '../logging/logging.module.js';
import { OidcEngine } from './oidc-engine.js';
import type { OidcProviderRow } from './oidc-provider-row.js';

/** What picks the instance of a request (design.md "URLs"), and the methods its route takes. */
export type OidcRoute = (
  | { by: 'client_id' }
  | { by: 'interaction'; uid: string }
  | { by: 'access_token' }
  | { by: 'slug'; slug: string; discovery: boolean }
) & { methods: readonly string[] };

type RawRequest = IncomingMessage & { body?: unknown; originalUrl?: string; baseUrl?: string };

const READ = ['GET', 'HEAD'];
/** Browsers' CORS preflights: the engine answers them for its cross-origin endpoints. */
const READ_CORS = ['GET', 'HEAD', 'OPTIONS'];
const POST_CORS = ['POST', 'OPTIONS'];

/*
 * The authorization and end-session endpoints take GET only: oidc-provider's POST variants need
 * its session cookie to be SameSite=None, hence Secure, which plain HTTP cannot carry.
 */
/** What every route of the engine starts with. */
const ENGINE_PREFIX = /^\/application\/o\//i;

const ROUTES: [RegExp, (match: RegExpExecArray) => OidcRoute][] = [
  [/^\/application\/o\/authorize\/?$/i, () => ({ by: 'client_id', methods: READ })],
  [
    /^\/application\/o\/authorize\/([^/]+)\/?$/i,
    (m) => ({ by: 'interaction', uid: m[1]!, methods: READ }),
  ],
  [
    /^\/application\/o\/(token|revoke|introspect)\/?$/i,
    () => ({ by: 'client_id', methods: POST_CORS }),
  ],
  [
    /^\/application\/o\/userinfo\/?$/i,
    () => ({ by: 'access_token', methods: [...READ_CORS, 'POST'] }),
  ],
  [
    /^\/application\/o\/([^/]+)\/\.well-known\/openid-configuration\/?$/i,
    (m) => ({ by: 'slug', slug: m[1]!, discovery: true, methods: READ_CORS }),
  ],
  [
    /^\/application\/o\/([^/]+)\/jwks\/?$/i,
    (m) => ({ by: 'slug', slug: m[1]!, discovery: false, methods: READ_CORS }),
  ],
  [
    /^\/application\/o\/([^/]+)\/end-session(\/confirm|\/success)?\/?$/i,
    (m) => ({
      by: 'slug',
      slug: m[1]!,
      discovery: false,
      // The confirmation form posts to /confirm; the rest are pages.
      methods: m[2]?.toLowerCase() === '/confirm' ? ['POST'] : READ,
    }),
  ],
];

/** Requests refused for their body's size: answered with `Connection: close`. */
const tooLargeRequests = new WeakSet<IncomingMessage>();

const HOST = /^([a-z0-9](?:[a-z0-9.-]*[a-z0-9])?|\[[0-9a-f:.]+\])(:\d{1,5})?$/i;

/** An error answered as JSON (our own bodies: 404, 413, 400) rather than by the engine. */
class Refusal extends Error {
  constructor(readonly error: DetailError) {
    super(error.message);
  }
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new Refusal(notFound());
  }
}

/** A JSON answer on the raw response (both adapters). */
export function answerJson(response: ServerResponse, error: DetailError): void {
  if (response.headersSent) {
    response.destroy();
    return;
  }
  const body = JSON.stringify(error.body());
  response.statusCode = error.status;
  response.setHeader('Content-Type', 'application/json; charset=utf-8');
  response.setHeader('Content-Length', Buffer.byteLength(body));
  response.end(body);
}

/**
 * The front door of `/application/o/…`: picks the oidc-provider instance a request is for, and
 * hands it the raw request, rewritten so that the instance sees its own routes. It runs before the
 * application's body parsers (src/common/http): the engine parses its bodies itself, from the
 * Buffer read here (bounded by BODY_LIMIT_BYTES) when the client id is needed first.
 */
@Injectable()
export class OidcDispatcher {
  private readonly logger = new Logger('OidcDispatcher');
  private readonly callbacks = new WeakMap<Provider, ReturnType<Provider['callback']>>();
  private readonly trusted: (address: string, hop: number) => boolean;

  constructor(
    private readonly engine: OidcEngine,
    @Inject(APP_CONFIG) private readonly config: RuntimeConfig,
  ) {
    const trust = config.trustProxy;
    this.trusted =
      trust === false
        ? () => false
        : typeof trust === 'number'
          ? (_address, hop) => hop < trust
          : proxyaddr.compile(trust);
  }

  /** The route of a request target, or undefined when it is not the engine's (→ our 404). */
  route(url: string | undefined): OidcRoute | undefined {
    // Every other request (the whole admin API) leaves on this one test.
    if (!ENGINE_PREFIX.test(url ?? '')) return undefined;
    const path = (url ?? '').split('?')[0]!;
    for (const [pattern, route] of ROUTES) {
      const match = pattern.exec(path);
      if (match) return route(match);
    }
    return undefined;
  }

  /** Answers the request (never rejects: an unexpected failure is a logged JSON 500). */
  async handle(request: RawRequest, response: ServerResponse, route: OidcRoute): Promise<void> {
    this.noteRequest(request, response);
    try {
      await this.dispatch(request, response, route);
    } catch (error) {
      if (error instanceof Refusal) {
        if (tooLargeRequests.has(request)) response.setHeader('Connection', 'close');
        return answerJson(response, error.error);
      }
      this.logger.error(
        `OIDC request failed: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`,
      );
      answerJson(response, serverError());
    }
  }

  private async dispatch(request: RawRequest, response: ServerResponse, route: OidcRoute) {
    if (!route.methods.includes(request.method ?? '')) {
      response.setHeader('Allow', route.methods.join(', '));
      throw new Refusal(methodNotAllowed(request.method ?? ''));
    }
    const origin = this.requestOrigin(request);
    const base = this.engine.publicBase ?? origin;
    const instance = await this.instanceFor(request, route, base);
    if (route.by === 'slug' && route.discovery) {
      const query = request.url?.includes('?') ? request.url.slice(request.url.indexOf('?')) : '';
      request.url = `/.well-known/openid-configuration${query}`;
    }
    // The instance's URLs are absolute paths: nothing is mounted in front of them.
    request.originalUrl = request.url;
    request.baseUrl = '';
    await this.callbackOf(instance)(request, response);
  }

  /**
   * The request id (echoed or new, as on every answer) and one log line when the answer is sent:
   * method, path (never the query: it carries codes and states), status, duration.
   */
  private noteRequest(request: RawRequest, response: ServerResponse) {
    if (!response.hasHeader('X-Request-Id')) {
      response.setHeader('X-Request-Id', requestIdOf(request));
    }
    const started = performance.now();
    const line = `${request.method} ${(request.url ?? '').split('?')[0]}`;
    response.once('finish', () => {
      const ms = Math.round(performance.now() - started);
      this.logger.log(`${line} ${response.statusCode} ${ms}ms`);
    });
  }

  private callbackOf(instance: Provider) {
    let callback = this.callbacks.get(instance);
    if (!callback) {
      callback = instance.callback();
      this.callbacks.set(instance, callback);
    }
    return callback;
  }

  private async instanceFor(request: RawRequest, route: OidcRoute, base: string) {
    const row = await this.rowFor(request, route);
    if (row) return this.engine.instanceFor(row, base);
    if (route.by === 'slug') throw new Refusal(notFound());
    return this.engine.fallback(base);
  }

  private async rowFor(
    request: RawRequest,
    route: OidcRoute,
  ): Promise<OidcProviderRow | undefined> {
    const { rows } = this.engine;
    switch (route.by) {
      case 'slug':
        return rows.bySlug(decodeSegment(route.slug));
      case 'interaction':
        return (await rows.byInteraction(decodeSegment(route.uid)))?.row;
      case 'client_id': {
        const clientId =
          basicClientId(request) ?? (await this.formParams(request)).get('client_id');
        return clientId ? rows.byClientId(clientId) : undefined;
      }
      case 'access_token': {
        const token = bearerToken(request) ?? (await this.formParams(request)).get('access_token');
        return token ? rows.byAccessTokenDigest(sha256(token)) : undefined;
      }
    }
  }

  /** The form parameters of a POST (and the query's, for GET), the body kept for the engine. */
  private async formParams(request: RawRequest): Promise<URLSearchParams> {
    const query = new URLSearchParams(request.url?.split('?')[1] ?? '');
    if (request.method !== 'POST') return query;
    const body = await this.readBody(request);
    request.body = body;
    const type = (request.headers['content-type'] ?? '').toLowerCase();
    return type.startsWith('application/x-www-form-urlencoded')
      ? new URLSearchParams(body.toString('utf8'))
      : query;
  }

  /** The whole body, at most BODY_LIMIT_BYTES (413 beyond, as our own parsers answer). */
  private async readBody(request: RawRequest): Promise<Buffer> {
    const limit = this.config.http.bodyLimitBytes;
    if (Number(request.headers['content-length']) > limit) throw this.tooLarge(request);
    const chunks: Buffer[] = [];
    let received = 0;
    for await (const chunk of request) {
      received += (chunk as Buffer).length;
      if (received > limit) throw this.tooLarge(request);
      chunks.push(chunk as Buffer);
    }
    return Buffer.concat(chunks, received);
  }

  private tooLarge(request: RawRequest): Refusal {
    // The rest of the body is not read: the connection is closed after the answer.
    tooLargeRequests.add(request);
    return new Refusal(payloadTooLarge());
  }

  /**
   * `<scheme>://<host>` the request reached us at. X-Forwarded-Proto / -Host count only from a
   * proxy TRUST_PROXY names; from anyone else they are removed, so that the engine (which reads
   * them too) never sees them.
   */
  private requestOrigin(request: RawRequest): string {
    const trusted = this.trusted(request.socket.remoteAddress ?? '', 0);
    if (!trusted) {
      delete request.headers['x-forwarded-proto'];
      delete request.headers['x-forwarded-host'];
    }
    const first = (value: string | string[] | undefined) =>
      (Array.isArray(value) ? value[0] : value)?.split(',')[0]?.trim() || undefined;
    const encrypted = (request.socket as TLSSocket).encrypted === true;
    const forwardedProto = first(request.headers['x-forwarded-proto'])?.toLowerCase();
    const scheme =
      forwardedProto === 'https' || forwardedProto === 'http'
        ? forwardedProto
        : encrypted
          ? 'https'
          : 'http';
    const host = first(request.headers['x-forwarded-host']) ?? first(request.headers.host);
    if (!host || !HOST.test(host)) throw new Refusal(badHost());
    return `${scheme}://${host.toLowerCase()}`;
  }
}

const badHost = () => new DetailError(400, 'Invalid Host header.');

function basicClientId(request: IncomingMessage): string | undefined {
  const [scheme, value] = (request.headers.authorization ?? '').split(' ');
  if (scheme?.toLowerCase() !== 'basic' || !value) return undefined;
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 1) return undefined;
  try {
    // RFC 6749 §2.3.1: form-urlencoded before base64.
    return decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, '%20'));
  } catch {
    return undefined;
  }
}

function bearerToken(request: IncomingMessage): string | undefined {
  const [scheme, value] = (request.headers.authorization ?? '').split(' ');
  return scheme?.toLowerCase() === 'bearer' && value ? value : undefined;
}
